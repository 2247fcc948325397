"""The sandbox's segments: the demo ones, and those created or updated
through it, optionally kept in a JSON file so that ids keep growing across
restarts (an id Altcraft gave once never names another segment)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

DEMO_SEGMENTS = (
    (1, "All customers", 1, 1200),
    (2, "Newsletter readers", 2, 340),
    (3, "Loyalty club members", 5, 85),
)
DEMO_DATABASES = {1: "Customers", 2: "Newsletter", 5: "Loyalty club"}
DEMO_RESOURCES = {1: "Main newsletter", 2: "Transactional mail"}


def made_up_count(segment_id: int, name: str) -> int:
    """A profile count that looks real and stays the same for the same segment."""
    digest = hashlib.sha256(f"{segment_id}:{name}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 5000


def _demo_segments() -> dict[int, dict]:
    return {
        segment_id: {
            "id": segment_id,
            "name": name,
            "kind": "static",
            "count": count,
            "payload": {"name": name, "is_static": True, "is_refresh_daily": False,
                        "list_id": list_id},
        }
        for segment_id, name, list_id, count in DEMO_SEGMENTS
    }


class SegmentStore:
    """Segments by id, thread-safe. With a `path`, every change is written to
    that file at once (atomically: a temporary file renamed over it) and the
    file is read back on creation."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self.segments: dict[int, dict] = _demo_segments()
        self.next_id = max(self.segments) + 1
        if self.path is not None and self.path.exists():
            self._load()

    def get(self, segment_id: int) -> dict | None:
        with self._lock:
            record = self.segments.get(segment_id)
            return dict(record) if record is not None else None

    def items(self) -> list[tuple[int, dict]]:
        with self._lock:
            return [(segment_id, dict(record)) for segment_id, record in self.segments.items()]

    def add(self, *, name: str, kind: str, payload: dict) -> int:
        with self._lock:
            saved_id = max(self.next_id, max(self.segments, default=0) + 1)
            self.next_id = saved_id + 1
            self.segments[saved_id] = {"id": saved_id, "name": name, "kind": kind,
                                       "count": made_up_count(saved_id, name),
                                       "payload": payload}
            self._save()
        return saved_id

    def replace(self, segment_id: int, *, name: str, payload: dict) -> None:
        with self._lock:
            record = self.segments[segment_id]
            self.segments[segment_id] = {**record, "name": name, "payload": payload}
            self._save()

    def _load(self) -> None:
        assert self.path is not None
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self.segments = {int(key): record for key, record in data["segments"].items()}
        self.next_id = max(int(data.get("next_id", 1)), max(self.segments, default=0) + 1)

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        data = {"next_id": self.next_id,
                "segments": {str(key): record for key, record in self.segments.items()}}
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.path)
