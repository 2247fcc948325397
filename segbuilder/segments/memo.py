"""Answers each process keeps for a short while instead of asking the
database on every list page: who has sent something (the author filters),
which years and months hold submissions (the admin's date hierarchy), and
which lists are longer than the count cap (selectors.CappedPaginator). Each
cost about a tenth of a list page, and their answers seldom change.

What a memo can get wrong is only that something new (a first-time author,
a new month) shows up to MEMO_TTL seconds late in one process, or a list
that shrank under the cap still says "more than" for that long; callers
that meet something unknown ask again at once (`refresh=True`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

MEMO_TTL = 60.0
_MEMOS: list[Memo] = []


class Memo:
    """Answers by key, each read again once older than MEMO_TTL seconds."""

    def __init__(self, *, kept: int = 64):
        self.kept = kept
        self._answers: dict[Hashable, tuple[float, object]] = {}
        _MEMOS.append(self)

    def get(self, key: Hashable, read: Callable[[], T], *, refresh: bool = False) -> T:
        now = time.monotonic()
        found = self._answers.get(key)
        if found is not None and not refresh and now - found[0] <= MEMO_TTL:
            return found[1]
        answer = read()
        if len(self._answers) >= self.kept:
            self._answers.clear()
        self._answers[key] = (now, answer)
        return answer

    def known(self, key: Hashable, default: T) -> T:
        """The answer kept for `key`, or `default` when none is (or it is too old)."""
        found = self._answers.get(key)
        if found is None or time.monotonic() - found[0] > MEMO_TTL:
            return default
        return found[1]

    def remember(self, key: Hashable, answer: object) -> None:
        self.get(key, lambda: answer, refresh=True)

    def forget(self) -> None:
        self._answers.clear()


def forget_all() -> None:
    """Every memo reads again (tests: each starts from its own rows)."""
    for memo in _MEMOS:
        memo.forget()
