"""The people who have sent submissions, by user id: the history's and the
admin's author filters offer them, and the lists' rows show their names.
Kept by each process for a minute (segments/memo.py); a row or a filter
naming someone not yet known reads them again at once."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from segbuilder.segments.memo import Memo
from segbuilder.segments.models import Submission

_AUTHORS = Memo(kept=1)


def submission_authors(*, refresh: bool = False) -> dict[int, str]:
    """Username by user id of everyone who has sent at least one submission,
    in username order."""
    return _AUTHORS.get("authors", _read, refresh=refresh)


def author_names(user_ids: Iterable[int]) -> dict[int, str]:
    """submission_authors(), read again if it lacks any of `user_ids`."""
    names = submission_authors()
    if any(user_id not in names for user_id in user_ids):
        names = submission_authors(refresh=True)
    return names


def _read() -> dict[int, str]:
    # One index probe per user, rather than reading the author of every row.
    user_model = get_user_model()
    return dict(
        user_model.objects.filter(Exists(Submission.objects.filter(author=OuterRef("pk"))))
        .order_by(user_model.USERNAME_FIELD)
        .values_list("pk", user_model.USERNAME_FIELD))
