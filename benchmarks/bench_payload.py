"""1. Payload building: Segment -> payload dict -> JSON (as previewed and sent),
and -> XML, for 10, 100 and 1,000 rules with groups and params, against
json.dumps of the same final dict."""

from __future__ import annotations

import json
import time

from benchmarks.common import Row, fmt, ratio_row
from benchmarks.shapes import payload_segment
from segbuilder.altcraft.codec import payload_to_json, payload_to_xml

SIZES = (10, 100, 1000)
# Calls per sample, so that a sample lasts a few milliseconds at every size.
CALLS = {10: 200, 100: 20, 1000: 2}
SAMPLES = 31
JSON_LIMIT, XML_LIMIT, GROWTH_LIMIT = 3.0, 15.0, 12.0


def run() -> list[Row]:
    runs = {}
    for size in SIZES:
        segment = payload_segment(size)
        final = segment.to_payload()
        runs[(size, "baseline")] = lambda final=final: json.dumps(final)
        runs[(size, "json")] = lambda segment=segment: payload_to_json(segment.to_payload())
        runs[(size, "xml")] = lambda segment=segment: payload_to_xml(segment.to_payload())
    # Every size and path in turns, so that ratios and growth compare samples
    # taken at the same moments of a shared machine.
    times = _interleaved(runs)
    medians = {size: {path: times[(size, path)] for path in ("baseline", "json", "xml")}
               for size in SIZES}
    rows = []
    for size in SIZES:
        m = medians[size]
        rows.append(ratio_row("1", f"{size} rules → JSON", m["json"], m["baseline"],
                              limit=JSON_LIMIT, baseline_what="json.dumps"))
        rows.append(ratio_row("1", f"{size} rules → XML", m["xml"], m["baseline"],
                              limit=XML_LIMIT, baseline_what="json.dumps"))
    for path in ("json", "xml"):
        rows.append(ratio_row("1", f"growth of {path.upper()}: 1,000 vs 100 rules",
                              medians[1000][path], medians[100][path], limit=GROWTH_LIMIT,
                              baseline_what="100 rules"))
    rows.append(Row("1", "1,000-rule payload size", fmt(len(payload_to_json(
        payload_segment(1000).to_payload())) / 1024, "KiB"), "—", "—", "—", None))
    return rows


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
