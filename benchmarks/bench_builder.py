"""2. The builder at size, through Django's test client: preview (bind,
validate every nested formset, build the payload, render the page with it),
and the full re-render of a filled builder after an error (bound, with one
error) and after an import (filled from a pasted payload), for 1, 100 and
1,000 rules, each rule with a param."""

from __future__ import annotations

from urllib.parse import urlencode

from benchmarks.common import Row, fmt, ratio_row, timed
from benchmarks.shapes import builder_post

SIZES = (1, 100, 1000)
REPEAT = {1: 15, 100: 9, 1000: 5}
LIMITS = {  # seconds, per size; growth: 1,000 rules vs 100
    100: 0.3, 1000: {"preview": 1.5, "error": 2.0, "import": 2.0},
}
GROWTH_LIMIT = 12.0
FORM = "application/x-www-form-urlencoded"
NAMES = {"preview": "preview", "error": "re-render after an error",
         "import": "re-render after an import"}


def run() -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from segbuilder.altcraft.codec import payload_to_json
    from segbuilder.segments.forms import BuilderForms

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(is_superuser=True))
    requests = {}
    for size in SIZES:
        preview = urlencode(builder_post(size), doseq=True)
        error = urlencode(builder_post(size, name=""), doseq=True)
        forms = BuilderForms(_query(preview))
        assert forms.is_valid(), "the benchmark's builder data must be valid"
        pasted = urlencode({"payload": payload_to_json(forms.segment().to_payload())})
        requests[("preview", size)] = lambda body=preview: _post(
            client, "/", body, b'id="preview-json"')
        requests[("error", size)] = lambda body=error: _post(
            client, "/", body, b'id="error-summary"')
        requests[("import", size)] = lambda body=pasted: _post(
            client, "/import/", body, b'id="import-result"')
    for request in requests.values():  # warm up
        request()
    # The sizes in turns, so that growth compares moments of a shared machine
    # alike; the smaller sizes are timed more often, as they are quicker.
    samples: dict[tuple[str, int], list[float]] = {key: [] for key in requests}
    for round_number in range(max(REPEAT.values())):
        for (name, size), request in requests.items():
            if round_number < REPEAT[size]:
                samples[(name, size)].append(timed(request))
    medians = {key: sorted(times)[len(times) // 2] for key, times in samples.items()}
    rows = []
    for name in ("preview", "error", "import"):
        rows.append(Row("2", f"{NAMES[name]}, 1 rule", fmt(medians[(name, 1)], "ms"), "—", "—",
                        "—", None))
        for size in (100, 1000):
            limit = LIMITS[size] if size == 100 else LIMITS[size][name]
            value = medians[(name, size)]
            rows.append(Row("2", f"{NAMES[name]}, {size:,} rules", fmt(value, "s"), "—", "—",
                            f"≤ {limit:g} s", value <= limit))
        rows.append(ratio_row("2", f"growth of {NAMES[name]}: 1,000 vs 100 rules",
                              medians[(name, 1000)], medians[(name, 100)], unit="s",
                              limit=GROWTH_LIMIT, baseline_what="100 rules"))
    return rows


def _query(body: str):
    from django.http import QueryDict

    return QueryDict(body)


def _post(client, url: str, body: str, expect: bytes) -> None:
    response = client.post(url, body, content_type=FORM)
    if response.status_code != 200 or expect not in response.content:
        raise RuntimeError(f"{url} answered {response.status_code} without {expect!r}")
