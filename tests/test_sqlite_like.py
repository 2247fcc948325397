"""segbuilder/sqlite_like.py: SQLite's LIKE, ignoring case in any alphabet."""

from __future__ import annotations

import pytest

from segbuilder.sqlite_like import like


@pytest.mark.parametrize(("value", "pattern", "escape", "expected"), [
    ("Лояльные клиенты", "%лояльные%", None, True),
    ("Лояльные клиенты", "лояльные", None, False),  # a whole match, as LIKE is
    ("straße", "STRASSE", None, False),  # one letter is one letter
    ("ÉTÉ", "été", None, True),
    ("a\nb", "a%b", None, True),
    ("abc", "a_c", None, True),
    ("abc", "a_", None, False),
    ("50% off", r"50\% off", "\\", True),
    ("50x off", r"50\% off", "\\", False),
    ("a_b", r"a\_b", "\\", True),
    ("axb", r"a\_b", "\\", False),
    ("a.b", "a.b", None, True),  # regex characters are plain text
    ("axb", "a.b", None, False),
    ("", "%", None, True),
])
def test_like_follows_sql_with_any_case(value, pattern, escape, expected):
    assert like(pattern, value, escape) is expected


def test_null_gives_null():
    assert like(None, "x") is None and like("x", None) is None
