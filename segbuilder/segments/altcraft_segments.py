"""The "In Altcraft" page's data: Altcraft's own segments, from
`segments/list`, kept whole in Django's cache as the pickers keep theirs
(segbuilder/segments/build/pickers.py: same key per account, same failure
codes, a failure remembered briefly), and for the rows of one page the
details only `segments/get` gives (kind, profile count), each cached a few
minutes.

Time: the list takes at most ALTCRAFT_TIMEOUT; the details of a page are
asked side by side and all of them take at most ALTCRAFT_TIMEOUT more. A
detail that does not come in time is shown as unknown, never waited for.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from segbuilder.altcraft.client import AltcraftClient, AltcraftError
from segbuilder.altcraft.segment import Kind
from segbuilder.segments.build.pickers import (
    ALTCRAFT_ERROR,
    CACHE_HINT,
    ERROR_CACHE_SECONDS,
    NO_TIME,
    UNREADABLE,
    ListFailure,
    cache_key,
)
from segbuilder.segments.models import search_text_of

logger = logging.getLogger(__name__)

LIST_NAME = "altcraft-segments"  # its part of the pickers' cache key
DETAILS_CACHE_SECONDS = 180.0
DETAILS_WORKERS = 8  # requests to Altcraft at once for one page's details


@dataclass(frozen=True)
class AltcraftSegment:
    id: int
    name: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class SegmentDetails:
    """What `segments/get` says of one segment; None: it did not say."""

    kind: str | None = None  # a Kind value
    count: int | None = None


@dataclass(frozen=True)
class SegmentList:
    """The segments, newest id first, or None and why (`failure`)."""

    segments: tuple[AltcraftSegment, ...] | None
    failure: ListFailure | None = None

    def matching(self, query: str) -> list[AltcraftSegment]:
        """Those whose name contains `query`, ignoring case in any alphabet."""
        wanted = search_text_of(query.strip())
        return [s for s in self.segments or () if wanted in search_text_of(s.name)]


def altcraft_segments(*, refresh: bool = False) -> SegmentList:
    """The list from the cache, or else (or when `refresh`) from Altcraft
    within ALTCRAFT_TIMEOUT; what comes back, list or failure, is cached."""
    if not refresh:
        cached = _cache_get([cache_key(LIST_NAME), cache_key(LIST_NAME, error=True)])
        if (rows := cached.get(cache_key(LIST_NAME))) is not None:
            return SegmentList(tuple(AltcraftSegment(i, n, tuple(g)) for i, n, g in rows))
        if (failure := cached.get(cache_key(LIST_NAME, error=True))) is not None:
            return SegmentList(None, ListFailure(*failure))
    listed = _fetch_list(budget=settings.ALTCRAFT_TIMEOUT)
    _remember(listed)
    return listed


def segment_details(ids: list[int]) -> dict[int, SegmentDetails]:
    """The details of each of `ids`, from the cache or from Altcraft (all
    missing ones side by side, within ALTCRAFT_TIMEOUT); one that could not
    be had is an empty SegmentDetails, kept briefly."""
    keys = {segment_id: _details_key(segment_id) for segment_id in ids}
    cached = _cache_get(list(keys.values()))
    found = {i: SegmentDetails(*cached[key]) for i, key in keys.items() if key in cached}
    missing = [i for i in ids if i not in found]
    if missing:
        fetched = _fetch_details(missing, budget=settings.ALTCRAFT_TIMEOUT)
        _cache_set({keys[i]: (d.kind, d.count) for i, d in fetched.items() if d.count is not None},
                   DETAILS_CACHE_SECONDS)
        _cache_set({keys[i]: (d.kind, d.count) for i, d in fetched.items() if d.count is None},
                   ERROR_CACHE_SECONDS)
        found.update(fetched)
    return found


# --- the list ----------------------------------------------------------------------------


def _fetch_list(*, budget: float) -> SegmentList:
    deadline = time.monotonic() + budget
    client = AltcraftClient.from_settings()
    try:
        items = [item for raw in client.segments_list(deadline=deadline)
                 if (item := _segment(raw)) is not None]
    except AltcraftError as error:
        return SegmentList(None, ListFailure(ALTCRAFT_ERROR, text=str(error)))
    except TimeoutError:
        return SegmentList(None, ListFailure(NO_TIME, seconds=budget))
    except Exception:
        logger.exception("Altcraft's segment list could not be read")
        return SegmentList(None, ListFailure(UNREADABLE))
    finally:
        client.session.close()
    return SegmentList(tuple(sorted(items, key=lambda s: s.id, reverse=True)))


def _segment(raw: Any) -> AltcraftSegment | None:
    """An item of `segments/list`, or None when it has no usable id. Keys
    are read in any case: answers have been seen with `Id`, `Name`, `Groups`."""
    if not isinstance(raw, dict):
        return None
    fields = {str(key).lower(): value for key, value in raw.items()}
    segment_id = _as_id(fields.get("id"))
    if segment_id is None:
        return None
    name = fields.get("name")
    groups = fields.get("groups")
    group_names = tuple(
        str(group.get("name", "")) if isinstance(group, dict) else str(group)
        for group in (groups if isinstance(groups, list) else []))
    return AltcraftSegment(segment_id, name.strip() if isinstance(name, str) else "",
                           group_names)


def _as_id(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)  # XML answers carry numbers as text
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def _remember(listed: SegmentList) -> None:
    ttl = settings.ALTCRAFT_PICKER_CACHE_SECONDS
    if listed.segments is not None:
        _cache_set({cache_key(LIST_NAME): [(s.id, s.name, list(s.groups))
                                            for s in listed.segments]}, ttl)
        _cache_delete(cache_key(LIST_NAME, error=True))
    elif listed.failure is not None:
        failure = listed.failure
        _cache_set({cache_key(LIST_NAME, error=True):
                    (failure.code, failure.seconds, failure.text)},
                   min(ERROR_CACHE_SECONDS, ttl))


# --- the details -------------------------------------------------------------------------


def _fetch_details(ids: list[int], *, budget: float) -> dict[int, SegmentDetails]:
    deadline = time.monotonic() + budget
    # Not a `with` block: leaving one waits for every thread (as in pickers.py).
    executor = ThreadPoolExecutor(max_workers=min(len(ids), DETAILS_WORKERS),
                                  thread_name_prefix="altcraft-details")
    try:
        futures = {i: executor.submit(_fetch_one, i, deadline) for i in ids}
        wait(futures.values(), timeout=max(deadline - time.monotonic(), 0))
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    return {i: _details_outcome(future) for i, future in futures.items()}


def _details_outcome(future: Future) -> SegmentDetails:
    if not future.done() or future.cancelled():
        return SegmentDetails()
    error = future.exception()
    if error is None:
        return future.result()
    if not isinstance(error, AltcraftError | TimeoutError):
        logger.error("A segment's details could not be read", exc_info=error)
    return SegmentDetails()


def _fetch_one(segment_id: int, deadline: float) -> SegmentDetails:
    """One segment's details (runs in its own thread: only HTTP, no database)."""
    client = AltcraftClient.from_settings()
    try:
        data = client.call("segments/get", {"id": segment_id}, deadline=deadline).data
    finally:
        client.session.close()
    return _details(data)


def _details(data: Any) -> SegmentDetails:
    if not isinstance(data, dict):
        return SegmentDetails()
    fields = {str(key).lower(): value for key, value in data.items()}
    count = fields.get("count")
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        count = None
    static, daily = (_as_flag(fields.get(name)) for name in ("is_static", "is_refresh_daily"))
    kind: str | None = None
    if static is not _UNREADABLE and daily is not _UNREADABLE:
        # A missing is_static means dynamic, as Altcraft's docs say.
        kind = Kind.from_flags(is_static=static is True, is_refresh_daily=daily is True).value
    return SegmentDetails(kind, count)


_UNREADABLE = object()


def _as_flag(value: Any) -> object:
    """True, False, None (absent), or _UNREADABLE; XML answers carry text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return {"true": True, "1": True, "false": False, "0": False}.get(
            value.strip().lower(), _UNREADABLE)
    return _UNREADABLE


def _details_key(segment_id: int) -> str:
    return cache_key(f"{LIST_NAME}:{segment_id}")


# --- the cache ---------------------------------------------------------------------------


def _cache_get(keys: list[str]) -> dict[str, Any]:
    try:
        return cache.get_many(keys)
    except DatabaseError as error:
        logger.warning("The Altcraft list's cache could not be read (%s): %s", CACHE_HINT, error)
        return {}


def _cache_set(values: dict[str, Any], ttl: float) -> None:
    if not values:
        return
    try:
        cache.set_many(values, timeout=ttl)
    except DatabaseError as error:
        logger.warning("The Altcraft list's cache could not be written (%s): %s",
                       CACHE_HINT, error)


def _cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except DatabaseError as error:
        logger.warning("The Altcraft list's cache could not be written (%s): %s",
                       CACHE_HINT, error)
