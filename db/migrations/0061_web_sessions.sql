-- 0061: a local sign-in survives a browser reload. The browser keeps a random token in a cookie; the
-- database keeps only its SHA-256, who it signs in and until when. Signing out deletes the row, so a
-- copied cookie stops working at once. (OIDC sign-in keeps its own session: st.login.)
CREATE TABLE web_sessions (
    token_hash VARCHAR PRIMARY KEY,
    person_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    expires_at TIMESTAMP NOT NULL
);
