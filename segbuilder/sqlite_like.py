"""LIKE on SQLite, any case in any alphabet.

SQLite's own LIKE ignores case for ASCII letters only, so on SQLite (the
default database) a history search for "лояльные" missed "Лояльные
клиенты", which PostgreSQL finds. Django's `icontains` is a LIKE there, so
each SQLite connection gets a LIKE of Python's: the same `%`, `_` and
ESCAPE rules, with Unicode case folding. It reads every row a search reads
anyway (a pattern that starts with % uses no index).
"""

from __future__ import annotations

import functools
import re

from django.db.backends.signals import connection_created
from django.dispatch import receiver


@receiver(connection_created)
def _unicode_like(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        for arguments in (2, 3):  # X LIKE Y [ESCAPE Z] calls like(Y, X[, Z])
            connection.connection.create_function("like", arguments, like, deterministic=True)


def like(pattern: str | None, value: str | None, escape: str | None = None) -> bool | None:
    """SQL `value LIKE pattern [ESCAPE escape]`, ignoring case (NULL gives NULL)."""
    if pattern is None or value is None:
        return None
    return _regex(str(pattern), escape).fullmatch(str(value)) is not None


@functools.lru_cache(maxsize=256)
def _regex(pattern: str, escape: str | None) -> re.Pattern:
    parts, position = [], 0
    while position < len(pattern):
        char = pattern[position]
        if char == escape and position + 1 < len(pattern):
            parts.append(re.escape(pattern[position + 1]))
            position += 2
            continue
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        position += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
