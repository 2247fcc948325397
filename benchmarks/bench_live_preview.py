"""8. The live preview (issue 14): the builder form of 10 rules posted with
action=preview and "X-Builder-Part: preview", as static/js/preview.js posts it
while a person types, answered with the preview panel only; timed through
Django's test client in turns with the login page, its budget a ratio to it."""

from __future__ import annotations

from urllib.parse import urlencode

from benchmarks.common import Row, interleaved_medians, ratio_row
from benchmarks.shapes import builder_post

RULES = 10
REPEAT = 41
LIMIT = 2.5  # times the login page
FORM = "application/x-www-form-urlencoded"


def run() -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    anonymous = Client(HTTP_HOST="127.0.0.1")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(is_superuser=True))
    body = urlencode(builder_post(RULES), doseq=True)

    def login() -> None:
        _check(anonymous.get("/login/"), b'name="password"')

    def preview() -> None:
        _check(client.post("/", body, content_type=FORM, HTTP_X_BUILDER_PART="preview"),
               b'id="preview-json"')

    medians = interleaved_medians({"login": login, "preview": preview}, repeat=REPEAT,
                                  warmup=3)
    return [ratio_row("8", f"live preview, {RULES} rules, against the login page",
                      medians["preview"], medians["login"], limit=LIMIT,
                      baseline_what="login page")]


def _check(response, expect: bytes) -> None:
    if response.status_code != 200 or expect not in response.content:
        raise RuntimeError(f"answered {response.status_code} without {expect!r}")
