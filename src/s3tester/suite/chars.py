"""Name the characters a reader cannot see or tell apart: zero-width spaces, NBSP, a BOM
in mid-file, Cyrillic or Greek letters that look Latin, fullwidth punctuation.

`suspicious(text)` lists them by code point and Unicode name, so a message can say
`(contains U+0430 CYRILLIC SMALL LETTER A)` instead of leaving the reader to wonder why
`nаme` is not `name`.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

_SCRIPTS = ("CYRILLIC", "GREEK", "FULLWIDTH", "ARMENIAN", "CHEROKEE", "MATHEMATICAL", "HALFWIDTH")


def is_suspicious(char: str) -> bool:
    """Invisible (format, control, non-ASCII space) or a look-alike of an ASCII character."""
    if char.isascii():
        return char != "\t" and char != "\n" and char != "\r" and not char.isprintable()
    category = unicodedata.category(char)
    if category in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn"):
        return True
    name = unicodedata.name(char, "")
    return any(name.startswith(script) for script in _SCRIPTS) or unicodedata.normalize("NFKC", char).isascii()


def suspicious(text: str, limit: int = 3) -> list[str]:
    """`U+XXXX NAME` for each distinct suspicious character of `text` (at most `limit`)."""
    found: list[str] = []
    for char in dict.fromkeys(text):
        if is_suspicious(char):
            found.append(f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}")
            if len(found) == limit:
                break
    return found


def note(message: str, path: str = "", line: int = 0) -> str:
    """`message` plus the suspicious characters it quotes, or else those of the source
    line it points at (`path`, 1-based `line`); `message` unchanged if there are none."""
    found = suspicious(message)
    where = ""
    if not found and path and line:
        found = suspicious(_line(path, line))
        where = " on this line"
        if not found and line > 1:  # a YAML error is often noticed one line late
            found = suspicious(_line(path, line - 1))
            where = " on the line before"
    if not found:
        return message
    return f"{message} (contains {', '.join(found)}{where})"


def _line(path: str, line: int) -> str:
    try:
        with Path(path).open(encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, 1):
                if number == line:
                    return text.rstrip("\n")
    except OSError:
        return ""
    return ""
