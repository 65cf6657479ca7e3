-- 0050: step 10 decisions feed the contract's renewal (issue #7).
-- Each renew / expand / modify / discontinue decision names the contract it applies to and says
-- what it did to it (e.g. "auto-renewal turned off"), so the contracts view and the audit trail
-- can show why a contract will or will not renew.
ALTER TABLE evaluation_decisions ADD COLUMN contract_id INTEGER;
ALTER TABLE evaluation_decisions ADD COLUMN contract_action VARCHAR;
