"""Show text people typed (vendor names, notes) as plain text inside Markdown.

Streamlit renders Markdown: a vendor called `**Big** [win](https://evil)` would otherwise become
bold text and a link. `md` backslash-escapes every Markdown control character; `link` makes a
link only from an http(s) address.
"""

from __future__ import annotations

import re
from typing import Any

_MARKDOWN_CHARS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return _MARKDOWN_CHARS.sub(r"\\\1", str(value)).replace("\n", "  \n")


def link(url: Any, label: str) -> str:
    if (
        isinstance(url, str)
        and url.lower().startswith(("https://", "http://"))
        and " " not in url
        and ")" not in url
    ):
        return f"[{md(label)}]({url})"
    return md(label)
