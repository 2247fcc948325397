"""Every page of the app in a given state, for the layout and accessibility
tests: open_screen(page, url, "compare") leaves the browser on that page,
ready to be measured, in whatever language and width the context has.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from segbuilder.segments.models import Submission
from tests.e2e.conftest import wait_until_ready
from tests.examples import example_payload

# The pages, and the states of the builder a person passes through. The login
# page comes last: it logs the browser out.
SCREENS = ("builder-empty", "builder-errors", "builder-filled", "builder-preview",
           "history", "detail", "compare", "altcraft", "admin-list", "login")
LANGUAGES = ("en", "ru")
WIDTHS = {"wide": 1366, "narrow": 390}
SEGMENT_ID = 40


@dataclass(frozen=True)
class Seeded:
    """The history rows the pages show: an older and a newer submission."""
    older: int
    newer: int


def seed(author, sandbox) -> Seeded:
    """Two submissions that differ in a rule, and one segment in Altcraft;
    the author becomes a superuser so the admin list opens too."""
    author.is_staff = author.is_superuser = True
    author.save()
    payload = example_payload("dynamic", "json")
    older = Submission.objects.create(
        author=author, name=payload["name"], kind="dynamic", format="json",
        payload=payload, status=Submission.Status.CREATED, altcraft_id=SEGMENT_ID,
        answer='{"error": 0, "data": {"id": 40}}', duration_ms=120)
    changed = copy.deepcopy(payload)
    changed["segment"][0]["queries"][0]["value"] = [{"name": "segment_id", "value": 3}]
    newer = Submission.objects.create(
        author=author, name=changed["name"] + " with a rather long name for a narrow screen",
        kind="dynamic", format="json", payload=changed, status=Submission.Status.REJECTED,
        error_code=400, error_text="Rule is not valid", duration_ms=95)
    Submission.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(hours=1))
    sandbox.segments[SEGMENT_ID] = {"id": SEGMENT_ID, "name": payload["name"],
                                    "kind": "dynamic", "count": 12,
                                    "payload": copy.deepcopy(payload)}
    return Seeded(older=older.pk, newer=newer.pk)


def use_language(page: Page, base_url: str, language: str) -> None:
    """The language a person picked, as Django's language cookie keeps it."""
    page.context.add_cookies([{"name": "django_language", "value": language,
                               "url": base_url}])


def open_screen(page: Page, base_url: str, screen: str, seeded: Seeded) -> None:
    """Go to `screen` and wait until it is ready."""
    if screen.startswith("builder"):
        _open_builder(page, base_url, screen, seeded)
        return
    if screen == "login":
        language = next(cookie["value"] for cookie in page.context.cookies()
                        if cookie["name"] == "django_language")
        page.context.clear_cookies()
        use_language(page, base_url, language)
        page.goto(f"{base_url}/login/")
        expect(page.locator("form input[type=password]")).to_be_visible()
        return
    path = {"history": "/history/", "detail": f"/history/{seeded.newer}/",
            "compare": f"/history/diff/?id={seeded.older}&id={seeded.newer}",
            "altcraft": "/altcraft/", "admin-list": "/admin/segments/submission/"}[screen]
    page.goto(base_url + path)
    landmark = {"history": "#history-table", "detail": "#payload-json",
                "compare": ".diff-lines", "altcraft": "#altcraft-table",
                "admin-list": "#result_list"}[screen]
    expect(page.locator(landmark)).to_be_visible()


def _open_builder(page: Page, base_url: str, screen: str, seeded: Seeded) -> None:
    filled = screen in ("builder-filled", "builder-preview")
    page.goto(f"{base_url}/?from={seeded.newer}" if filled else f"{base_url}/")
    wait_until_ready(page)
    if screen in ("builder-errors", "builder-preview"):
        page.locator('button[name="action"][value="preview"]').click()
        wait_until_ready(page)
        shown = "#error-summary" if screen == "builder-errors" else "#preview-json"
        expect(page.locator(shown)).to_be_visible()
