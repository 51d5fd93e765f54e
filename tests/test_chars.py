"""suite.chars: invisible and confusable characters are named by code point."""

from __future__ import annotations

from pathlib import Path

from s3tester.suite.chars import is_suspicious, note, suspicious


def test_look_alikes_and_invisibles_are_named() -> None:
    assert suspicious("n\u0430me") == ["U+0430 CYRILLIC SMALL LETTER A"]
    assert suspicious("List\u200bBuckets") == ["U+200B ZERO WIDTH SPACE"]
    assert suspicious("a\u00a0b\ufeff") == ["U+00A0 NO-BREAK SPACE", "U+FEFF ZERO WIDTH NO-BREAK SPACE"]
    assert suspicious("name\uff1a") == ["U+FF1A FULLWIDTH COLON"]


def test_ordinary_text_is_not_suspicious() -> None:
    assert suspicious("plain ascii\twith tab") == []
    assert not is_suspicious("é") and not is_suspicious("✓")


def test_note_uses_the_message_or_else_the_source_line(tmp_path: Path) -> None:
    assert note("unknown key 'n\u0430me'") == "unknown key 'n\u0430me' (contains U+0430 CYRILLIC SMALL LETTER A)"
    source = tmp_path / "f.yaml"
    source.write_text("a: 1\nname\uff1a x\n", encoding="utf-8")
    assert note("syntax error", str(source), 2) == "syntax error (contains U+FF1A FULLWIDTH COLON on this line)"
    assert note("syntax error", str(source), 1) == "syntax error"
    assert note("nothing", "/no/such/file", 3) == "nothing"
