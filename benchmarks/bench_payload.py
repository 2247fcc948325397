"""1. Request bodies: Segment -> payload dict with the token -> the body the
client sends (compact JSON from json.dumps, XML from lxml), for 10, 100 and
1,000 rules with groups and params, against json.dumps of the same final
dict; and the preview (both documents indented) for orientation."""

from __future__ import annotations

import json
import time

from benchmarks.common import Row, fmt, median_time, ratio_row
from benchmarks.shapes import payload_segment
from segbuilder.altcraft.client import with_token
from segbuilder.altcraft.codec import encode
from segbuilder.altcraft.sandbox import DOCS_TOKEN
from segbuilder.altcraft.segment import Segment
from segbuilder.segments.services import segment_preview

SIZES = (10, 100, 1000)
# Calls per sample, so that a sample lasts several milliseconds at every size.
CALLS = {10: 400, 100: 40, 1000: 4}
SAMPLES = 51
JSON_LIMIT, XML_LIMIT, GROWTH_LIMIT = 2.0, 10.0, 12.0
PATHS = ("baseline", "json", "xml")


def run() -> list[Row]:
    runs = {}
    for size in SIZES:
        segment = payload_segment(size)
        final = with_token(segment.to_payload(), DOCS_TOKEN)
        runs[(size, "baseline")] = lambda final=final: json.dumps(final)
        runs[(size, "json")] = lambda segment=segment: _body(segment, "json")
        runs[(size, "xml")] = lambda segment=segment: _body(segment, "xml")
    # Every size and path in turns, so that ratios and growth compare samples
    # taken at the same moments of a shared machine.
    times = _interleaved(runs)
    medians = {size: {path: times[(size, path)] for path in PATHS} for size in SIZES}
    rows = []
    for size in SIZES:
        m = medians[size]
        rows.append(ratio_row("1", f"{size} rules → JSON body", m["json"], m["baseline"],
                              limit=JSON_LIMIT, baseline_what="json.dumps"))
        rows.append(ratio_row("1", f"{size} rules → XML body", m["xml"], m["baseline"],
                              limit=XML_LIMIT, baseline_what="json.dumps"))
    for path in ("json", "xml"):
        rows.append(ratio_row("1", f"growth of the {path.upper()} body: 1,000 vs 100 rules",
                              medians[1000][path], medians[100][path], limit=GROWTH_LIMIT,
                              baseline_what="100 rules"))
    large = payload_segment(1000)
    # Measured apart: its garbage would shift the bodies' collector runs.
    preview = median_time(lambda: segment_preview(segment=large), repeat=11)
    rows.append(Row("1", "1,000 rules → preview (JSON and XML, indented)",
                    fmt(preview, "ms"), "—", "—", "—", None))
    rows.append(Row("1", "1,000-rule JSON body size",
                    fmt(len(_body(large, "json")) / 1024, "KiB"), "—", "—", "—", None))
    return rows


def _body(segment: Segment, body_format: str) -> bytes:
    """What the client sends for the segment (AltcraftClient.call)."""
    return encode(with_token(segment.to_payload(), DOCS_TOKEN), body_format)


def _interleaved(runs: dict) -> dict:
    """Per-call median of each run, samples taken in turns."""
    samples: dict = {key: [] for key in runs}
    for run in runs.values():  # warm up
        run()
    for _ in range(SAMPLES):
        for key, run in runs.items():
            calls = CALLS[key[0]]
            started = time.perf_counter()
            for _ in range(calls):
                run()
            samples[key].append((time.perf_counter() - started) / calls)
    return {key: sorted(values)[len(values) // 2] for key, values in samples.items()}
