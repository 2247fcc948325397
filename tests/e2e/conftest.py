"""Real-browser tests: pytest-playwright drives Debian's Chromium against
pytest-django's live server, with the Altcraft sandbox behind it.

Every test here is marked `browser` (see pyproject.toml) and is skipped,
saying why, when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

# Playwright's sync API keeps an asyncio loop running in the test thread for as
# long as its session-scoped `playwright` fixture lives (the rest of the run),
# and Django's ORM refuses to run beside a running loop (SynchronousOnlyOperation):
# in our fixtures, in the transactional flush after each test, and in every
# database test that pytest runs after these. So the whole test process needs
# it; it is set here, in the tests only, never in settings (DESIGN.md, Pitfalls).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
# Flags Debian's Chromium needs here: tests run as root (--no-sandbox), there is
# no GPU, and without the rest it keeps dialling out and being refused.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
E2E_DIR = Path(__file__).resolve().parent
SCREENSHOTS = E2E_DIR / "screenshots"

# The strict Content Security Policy the pages must work under (DESIGN.md,
# habit 4): no inline script, no inline style, nothing from elsewhere. The app
# sends its own (segbuilder/security.py); the tests also add this one to every
# page they load, so the pages are held to it whatever the app sends.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Debian's Chromium the browser tests are skipped, not failed."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium (`make chromium`) "
        "to run the browser tests; Playwright cannot download a browser of its own here"
    )
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium instead of a Playwright-downloaded one."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # Wide enough for the side-by-side layout (form + payload preview).
    # Reduced motion: Bootstrap then skips its transitions, so no click lands
    # on a box still sliding open (a press on the import box's button while it
    # was opening ended outside it, and no click reached the button).
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900},
            "reduced_motion": "reduce"}


@pytest.fixture(scope="session")
def _migrated_data(playwright, django_db_setup, django_db_blocker) -> None:
    """Make serialized rollback work beside Playwright's running event loop.

    Django keeps its connections in an asgiref Local that gives a thread with
    a running loop other connection objects than the same thread without one.
    When database tests ran before the first browser test, the test database
    was set up (and its migrated data snapshotted on the connection) before
    Playwright started its loop, so the connection these tests see has no
    snapshot and serialized rollback silently restores nothing. Take the
    snapshot again on this connection: the first browser test still sees the
    migrated data (the tests before it all rolled back).
    """
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    if not hasattr(connection, "_test_serialized_contents"):
        with django_db_blocker.unblock():
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture
def editor(django_user_model, _migrated_data, django_db_serialized_rollback):
    """A user with the "Segment editors" role, who may send segments.

    The roles come from a data migration, and live_server makes each test
    transactional: its flush would delete them for every later test.
    `django_db_serialized_rollback` puts the migrated data back before each test.
    """
    from django.contrib.auth.models import Group
    from django.core.cache import cache

    # The picker lists live in the database cache, whose table the flush
    # between transactional tests leaves alone: start each test without them.
    cache.clear()
    user = django_user_model.objects.create_user("maria", password="pw-for-browser-tests-1")
    user.groups.add(Group.objects.get(name="Segment editors"))
    return user


@pytest.fixture
def builder(page, live_server, client, editor, settings) -> Iterator:
    """The builder page of a fresh browser context, logged in as `editor`.

    Logging in injects the session cookie of `client.force_login` instead of
    typing into the login form: the login form is covered by the view tests,
    a browser test should fail only for the builder, and it saves a round trip
    per test. Every page is served under STRICT_CSP, and any script error or
    CSP violation fails the test.
    """
    client.force_login(editor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value,
                               "url": live_server.url}])
    page.set_default_timeout(5_000)

    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.route(re.compile(r".*"), _with_strict_csp)

    response = page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/", "the session cookie did not log the user in"
    wait_until_ready(page)
    # The page's own fetch of Altcraft's lists writes the cache table. The live
    # server shares the test's in-memory SQLite connection, so a test writing
    # meanwhile may find the table locked, or read the cache row's id as its
    # own (two submissions seeded with one pk, seen once in CI-like runs). Its
    # Refresh button is enabled again once that fetch has ended.
    expect(page.locator("#pickers-refresh")).to_be_enabled()
    assert response.headers["content-security-policy"] == STRICT_CSP
    yield page
    assert problems == [], problems


def wait_until_ready(page) -> None:
    """Until builder.js has wired the page (its readiness signal, data-ready)."""
    page.locator("#builder[data-ready]").wait_for(state="attached")


def preview_payload(page: Page, *, keyboard: bool = False) -> dict:
    """Press "Preview payload" and return the payload the page then shows.

    keyboard=True presses it as a keyboard user does (focus, then Enter),
    for the tests that keep to the keyboard throughout."""
    button = page.get_by_role("button", name="Preview payload")
    if keyboard:
        button.focus()
        page.keyboard.press("Enter")
    else:
        button.click()
    text = page.locator("#preview-json pre")
    expect(text).to_be_visible()
    return json.loads(text.inner_text())


@pytest.fixture
def fresh_builder(sandbox_settings, builder, live_server) -> Page:
    """The builder, loaded again with an empty cache, so its picker lists come
    from the sandbox as it is now. (Live-server tests keep the cache table
    between tests.)"""
    from django.core.cache import cache

    # (`builder` has waited for the first page's own fetch of the lists.)
    cache.clear()
    builder.goto(live_server.url + "/")
    return builder


@pytest.fixture
def fresh_builder_with_lists(fresh_builder) -> Page:
    """`fresh_builder` once its lists have arrived, for tests that open the
    comboboxes' popups at once."""
    expect(fresh_builder.locator("#pickers-status")).to_contain_text("From Altcraft:")
    return fresh_builder


def _with_strict_csp(route) -> None:
    """Add STRICT_CSP to every HTML page; let everything else through untouched."""
    if route.request.resource_type != "document":
        route.continue_()
        return
    # max_redirects=0: hand a redirect to the browser as it came, so the
    # page's URL follows it.
    response = route.fetch(max_redirects=0)
    route.fulfill(response=response,
                  headers={**response.headers, "content-security-policy": STRICT_CSP})


@pytest.fixture
def shot(page, request) -> Callable[[str], Path]:
    """shot("filled") saves a full-page screenshot named after the test."""
    SCREENSHOTS.mkdir(exist_ok=True)
    test_name = re.sub(r"[^\w]+", "-", request.node.name).strip("-")

    def take(state: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{state}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take

