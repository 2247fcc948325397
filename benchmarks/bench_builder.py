"""2. The builder at size, through Django's test client: preview (bind,
validate every nested formset, build the payload, render the page with it),
and the full re-render of a filled builder after an error (bound, with one
error) and after an import (filled from a pasted payload), for 1, 100 and
1,000 rules, each rule with a param, in one selection and in selections of
50 (20 x 50 for 1,000). The posts over the row budgets are timed against
gunicorn (bench_tampered.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from benchmarks.common import Row, fmt, page_form, ratio_row, timed
from benchmarks.shapes import builder_post, builder_segment

SIZES = (1, 100, 1000)
REPEAT = {1: 15, 100: 9, 1000: 5}
# Rules to a selection: all in one, or 50 to each (1,000 rules: 20 x 50).
SHAPES = {"in one selection": 1000, "in selections of 50": 50}
LIMITS = {100: 0.15, 1000: 1.2}  # seconds, per size
GROWTH_LIMIT = 12.0  # 1,000 rules against 100
FORM = "application/x-www-form-urlencoded"
NAMES = {"preview": "preview", "error": "re-render after an error",
         "import": "re-render after an import"}


def run() -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(is_superuser=True))
    requests = {}
    for shape, per_selection in SHAPES.items():
        for size in SIZES:
            requests.update(_requests(client, shape, size, per_selection))
    for request in requests.values():  # warm up
        request()
    # The sizes in turns, so that growth compares moments of a shared machine
    # alike; the smaller sizes are timed more often, as they are quicker.
    samples: dict[tuple[str, str, int], list[float]] = {key: [] for key in requests}
    for round_number in range(max(REPEAT.values())):
        for (name, shape, size), request in requests.items():
            if round_number < REPEAT[size]:
                samples[(name, shape, size)].append(timed(request))
    medians = {key: sorted(times)[len(times) // 2] for key, times in samples.items()}
    rows = []
    for shape in SHAPES:
        for name in NAMES:
            rows += _rows_of(name, shape, medians)
    return rows


def _requests(client, shape: str, size: int, per_selection: int) -> dict:
    from segbuilder.altcraft.codec import payload_to_json

    preview = urlencode(builder_post(size, per_selection=per_selection), doseq=True)
    error = urlencode(builder_post(size, name="", per_selection=per_selection), doseq=True)
    # Pasted into the builder page's import box and posted where that form posts.
    import_url, fields = page_form(client.get("/").content, "/", "import-form")
    pasted = {**fields, "payload": payload_to_json(
        builder_segment(size, per_selection=per_selection).to_payload())}
    return {
        ("preview", shape, size): lambda: _post(client, "/", preview, b'id="preview-json"'),
        ("error", shape, size): lambda: _post(client, "/", error, b'id="error-summary"'),
        ("import", shape, size): lambda: _post(client, import_url, pasted,
                                               b'id="import-result"'),
    }


def _rows_of(name: str, shape: str, medians: dict) -> list[Row]:
    what = f"{NAMES[name]}, {{size}} {shape}"
    rows = [Row("2", what.format(size="1 rule"), fmt(medians[(name, shape, 1)], "ms"), "—",
                "—", "—", None)]
    for size in (100, 1000):
        value = medians[(name, shape, size)]
        rows.append(Row("2", what.format(size=f"{size:,} rules"), fmt(value, "s"), "—", "—",
                        f"≤ {LIMITS[size]:g} s", value <= LIMITS[size]))
    rows.append(ratio_row("2", f"growth of {NAMES[name]} {shape}: 1,000 vs 100 rules",
                          medians[(name, shape, 1000)], medians[(name, shape, 100)],
                          unit="s", limit=GROWTH_LIMIT, baseline_what="100 rules"))
    return rows


def _post(client, url: str, body: str | dict, expect: bytes) -> None:
    """POST `body`: URL-encoded as the builder form posts it, or a dict as the
    import box posts it (multipart, the test client's default)."""
    if isinstance(body, dict):
        response = client.post(url, body)
    else:
        response = client.post(url, body, content_type=FORM)
    if response.status_code != 200 or expect not in response.content:
        raise RuntimeError(f"{url} answered {response.status_code} without {expect!r}")
