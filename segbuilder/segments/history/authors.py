"""The people who have sent submissions, by user id: the history's and the
admin's author filters offer them, and the lists' rows show their names.
Kept by each process for a minute (the `local` cache); a row or a filter
naming someone not yet known reads them again at once."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db.models import Exists, OuterRef

from segbuilder.segments.models import Submission

CACHE_KEY = "submission-authors"


def submission_authors(*, refresh: bool = False) -> dict[int, str]:
    """Username by user id of everyone who has sent at least one submission,
    in username order."""
    local = caches["local"]
    names = None if refresh else local.get(CACHE_KEY)
    if names is None:
        names = _read()
        local.set(CACHE_KEY, names)
    return names


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
