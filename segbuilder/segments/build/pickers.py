"""Altcraft's lists of databases, segments and resources for the builder's
pickers: fetched through the client, kept in Django's cache (shared by every
worker) for ALTCRAFT_PICKER_CACHE_SECONDS.

Time: fetching all three lists, every page of each, takes at most
ALTCRAFT_TIMEOUT in total. The lists are fetched side by side, each page
request given only what is left of that budget, so a slow or unreachable
Altcraft costs the caller one timeout, never three, nor one per page. A list
that does not arrive in time is reported in `errors`, and the builder lets
the user type the id instead.

The builder page itself never waits for Altcraft: it shows what the cache
holds (`cached_picker_lists`), and static/js/pickers.js asks the `pickers`
view for the rest.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from segbuilder.altcraft.client import AltcraftClient, AltcraftError
from segbuilder.altcraft.messages import filled

logger = logging.getLogger(__name__)

# The lists, each with the client method that pages through it.
LISTS = ("databases", "segments", "resources")
LIST_METHODS = {
    "databases": "databases_list",
    "segments": "segments_list",
    "resources": "resources_list",
}
# The words users read, in one place.
LIST_LABELS = {"databases": _("Databases"), "segments": _("Segments"),
               "resources": _("Resources")}
# Why a list is missing, by code: ours are worded when shown, in the language
# of the page (the cache is shared by every user).
NO_TIME = "no_time"
UNREADABLE = "unreadable"
ALTCRAFT_ERROR = "altcraft_error"
REASONS = {
    NO_TIME: gettext_noop("Altcraft did not send the list within %(seconds)s s."),
    UNREADABLE: gettext_noop("Altcraft's answer could not be read."),
}
# A failure is remembered this long (never longer than a list), so that while
# Altcraft is down each page does not make a worker wait a whole timeout
# again; "Refresh lists" tries at once.
ERROR_CACHE_SECONDS = 30.0
CACHE_VERSION = 2  # 2: a failure is kept as (code, seconds, text), not English
CACHE_HINT = "has `manage.py createcachetable` been run?"


@dataclass(frozen=True)
class PickerItem:
    id: int
    name: str


@dataclass(frozen=True)
class ListFailure:
    """Why a list is missing, as data: a code of REASONS and its values, or
    ALTCRAFT_ERROR with the client's own words (English, never the token:
    see client.py). str() is the English."""

    code: str
    seconds: float | None = None  # NO_TIME: the budget the list missed
    text: str = ""  # ALTCRAFT_ERROR: what the client said

    def __str__(self) -> str:
        if self.code == ALTCRAFT_ERROR:
            return self.text
        return filled(REASONS[self.code], self._values())

    def shown(self) -> str:
        """The reason in the current language: ours translated, the client's
        as it wrote it."""
        if self.code == ALTCRAFT_ERROR:
            return self.text
        return filled(gettext(REASONS[self.code]), self._values())

    def _values(self) -> dict[str, str]:
        return {"seconds": f"{self.seconds:g}"} if self.seconds is not None else {}


@dataclass(frozen=True)
class PickerLists:
    """Each list's items, or None when it is not known (not cached, or it
    failed: then `errors` says why, per list name)."""

    databases: tuple[PickerItem, ...] | None = None
    segments: tuple[PickerItem, ...] | None = None
    resources: tuple[PickerItem, ...] | None = None
    errors: dict[str, ListFailure] = field(default_factory=dict)

    def items(self, name: str) -> tuple[PickerItem, ...] | None:
        return getattr(self, name)

    @property
    def settled(self) -> bool:
        """Every list is known or known to have failed: nothing left to fetch."""
        return all(self.items(name) is not None or name in self.errors for name in LISTS)

    @property
    def error_groups(self) -> list[tuple[tuple[str, ...], ListFailure]]:
        """(list names, reason) for each distinct reason: usually all three
        lists fail for the same one, and it is said once."""
        groups: dict[ListFailure, list[str]] = {}
        for name in LISTS:
            if name in self.errors:
                groups.setdefault(self.errors[name], []).append(name)
        return [(tuple(names), reason) for reason, names in groups.items()]

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: [{"id": item.id, "name": item.name} for item in self.items(name) or ()]
            for name in LISTS
        }
        data["errors"] = {name: reason.shown() for name, reason in self.errors.items()}
        return data


def picker_lists(*, refresh: bool = False) -> PickerLists:
    """Every list, from the cache or else from Altcraft (all of them when
    `refresh`), within ALTCRAFT_TIMEOUT; fetched lists and failures are cached."""
    found: dict[str, tuple[PickerItem, ...]] = {}
    errors: dict[str, ListFailure] = {}
    if not refresh:
        cached = cached_picker_lists()
        found = {name: items for name in LISTS if (items := cached.items(name)) is not None}
        errors = dict(cached.errors)
    missing = [name for name in LISTS if name not in found and name not in errors]
    if missing:
        fetched, failed = _fetch(missing, budget=settings.ALTCRAFT_TIMEOUT)
        _remember(fetched, failed)
        found.update(fetched)
        errors.update(failed)
    return PickerLists(**found, errors=errors)


def cached_picker_lists() -> PickerLists:
    """What the cache holds, without asking Altcraft."""
    keys = {name: cache_key(name) for name in LISTS}
    error_keys = {name: cache_key(name, error=True) for name in LISTS}
    try:
        stored = cache.get_many([*keys.values(), *error_keys.values()])
    except DatabaseError as error:
        # Most likely `createcachetable` was not run: the pickers then fetch
        # every time, and the page still works.
        logger.warning("The pickers' cache could not be read (%s): %s", CACHE_HINT, error)
        return PickerLists()
    found = {
        name: tuple(PickerItem(*pair) for pair in stored[key])
        for name, key in keys.items()
        if key in stored
    }
    errors = {
        name: ListFailure(*stored[key])
        for name, key in error_keys.items() if key in stored and name not in found
    }
    return PickerLists(**found, errors=errors)


def _fetch(
    names: list[str], *, budget: float
) -> tuple[dict[str, tuple[PickerItem, ...]], dict[str, ListFailure]]:
    """(lists fetched, failures) for `names`, all within `budget` seconds."""
    deadline = time.monotonic() + budget
    # Not a `with` block: leaving one waits for every thread, and a list that
    # is late must not hold up the answer (its thread ends at the deadline,
    # when the client's own guard cuts its connection).
    executor = ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="pickers")
    try:
        futures = {name: executor.submit(_fetch_one, name, deadline) for name in names}
        wait(futures.values(), timeout=max(deadline - time.monotonic(), 0))
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    fetched: dict[str, tuple[PickerItem, ...]] = {}
    failed: dict[str, ListFailure] = {}
    for name, future in futures.items():
        outcome = _outcome(future, budget=budget)
        if isinstance(outcome, ListFailure):
            failed[name] = outcome
        else:
            fetched[name] = outcome
    return fetched, failed


def _outcome(future: Future, *, budget: float) -> tuple[PickerItem, ...] | ListFailure:
    """The list a thread fetched, or why there is none."""
    if not future.done():
        return ListFailure(NO_TIME, seconds=budget)
    error = future.exception()
    if error is None:
        return future.result()
    if isinstance(error, AltcraftError):
        return ListFailure(ALTCRAFT_ERROR, text=str(error))
    if isinstance(error, TimeoutError):
        return ListFailure(NO_TIME, seconds=budget)
    logger.error("Altcraft list could not be read", exc_info=error)
    return ListFailure(UNREADABLE)


def _fetch_one(name: str, deadline: float) -> tuple[PickerItem, ...]:
    """One list, every page of it, before `deadline` (runs in its own thread:
    no database here, only HTTP)."""
    client = AltcraftClient.from_settings()
    items: list[PickerItem] = []
    try:
        for raw in getattr(client, LIST_METHODS[name])(deadline=deadline):
            item = _item(raw)
            if item is not None:
                items.append(item)
    finally:
        client.session.close()
    return tuple(items)


def _item(raw: Any) -> PickerItem | None:
    """An item of a list answer, or None when it has no usable id."""
    if not isinstance(raw, dict):
        return None
    item_id = raw.get("id")
    if isinstance(item_id, str) and item_id.strip().isdigit():
        item_id = int(item_id)  # XML answers carry numbers as text
    if isinstance(item_id, bool) or not isinstance(item_id, int) or item_id < 1:
        return None
    name = raw.get("name")
    return PickerItem(item_id, name.strip() if isinstance(name, str) else "")


def _remember(
    fetched: dict[str, tuple[PickerItem, ...]], failed: dict[str, ListFailure]
) -> None:
    ttl = settings.ALTCRAFT_PICKER_CACHE_SECONDS
    lists = {cache_key(name): [(i.id, i.name) for i in items] for name, items in fetched.items()}
    # Plain values in the cache (code, seconds, text), as the lists are kept.
    errors = {cache_key(name, error=True): (failure.code, failure.seconds, failure.text)
              for name, failure in failed.items()}
    try:
        if lists:
            cache.set_many(lists, timeout=ttl)
            cache.delete_many([cache_key(name, error=True) for name in fetched])
        if errors:
            cache.set_many(errors, timeout=min(ERROR_CACHE_SECONDS, ttl))
    except DatabaseError as error:
        logger.warning("The pickers' cache could not be written (%s): %s", CACHE_HINT, error)


def cache_key(name: str, *, error: bool = False) -> str:
    """Per list and per Altcraft account: cloud accounts share one host and
    differ by token, so both go into the key, as a keyed hash (the token
    itself is never stored)."""
    account = salted_hmac(
        "segbuilder.pickers", f"{settings.ALTCRAFT_API_URL}\n{settings.ALTCRAFT_API_TOKEN}"
    ).hexdigest()[:20]
    return f"pickers:v{CACHE_VERSION}:{account}:{name}{':error' if error else ''}"
