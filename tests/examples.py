"""The six documented examples of create-segment.txt, typos corrected, as the
shared folder holds them (shared/altcraft/examples/)."""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "shared" / "altcraft" / "examples"
EXAMPLE_NAMES = ("static", "dynamic", "updatable")


def example_path(name: str, fmt: str) -> Path:
    path = EXAMPLES_DIR / f"{name}.{fmt}"
    if not path.exists():
        raise FileNotFoundError(f"{path}: the shared examples must sit beside the checkout")
    return path


def example_text(name: str, fmt: str) -> str:
    return example_path(name, fmt).read_text(encoding="utf-8")


def example_payload(name: str, fmt: str) -> dict:
    """The example's payload dict without its token."""
    if fmt == "json":
        payload = json.loads(example_text(name, fmt))
    else:
        from segbuilder.altcraft.codec import payload_from_xml

        payload = payload_from_xml(example_text(name, fmt).encode())
    payload.pop("token", None)
    return payload
