"""axe-core, the accessibility checker, finds no serious or critical problem
on any page, in either language, on a wide and on a narrow screen.

axe-core is vendored in tests/e2e/vendor/axe-core (a test tool, never served
by the app) and injected into each page after it loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_until_ready
from tests.e2e.screens import LANGUAGES, SCREENS, WIDTHS, open_screen, seed, use_language

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# Minor and moderate findings are worth a look, but these two fail the test.
FAILING = {"serious", "critical"}


def serve_axe(page: Page, base_url: str) -> str:
    """axe's URL on the page's own origin, so the strict CSP lets it run (an
    inline script, as add_script_tag(path=...) makes, would be refused); the
    browser gets the vendored file, the app never serves it."""
    url = f"{base_url}/__axe__/axe.min.js"
    page.route(url, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    return url


def axe_problems(page: Page, axe_url: str) -> list[str]:
    """The serious and critical violations axe finds on the page, one line each."""
    page.add_script_tag(url=axe_url)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{violation['id']} ({violation['impact']}): {violation['help']}: "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in result["violations"] if violation["impact"] in FAILING]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_has_a_serious_accessibility_problem(
        sandbox_settings, builder, live_server, editor, language, width):
    page = builder
    seeded = seed(editor, sandbox_settings)
    page.set_viewport_size({"width": width, "height": 900})
    use_language(page, live_server.url, language)
    axe_url = serve_axe(page, live_server.url)
    found = {}
    for screen in SCREENS:
        open_screen(page, live_server.url, screen, seeded)
        assert page.locator("html").get_attribute("lang") == language
        if problems := axe_problems(page, axe_url):
            found[screen] = problems
    assert found == {}, "\n".join(f"{screen}: {problem}" for screen, problems in found.items()
                                  for problem in problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_replace_question_has_no_serious_accessibility_problem(
        builder, live_server, language):
    page = builder
    use_language(page, live_server.url, language)
    page.reload()
    wait_until_ready(page)
    axe_url = serve_axe(page, live_server.url)
    page.locator('#builder input[name="name"]').fill("Unsent work")
    page.locator("#import-toggle").click()
    expect(page.locator("#import-box")).to_have_class(re.compile(r"\bshow\b"))
    page.locator("#import-payload").fill('{"name": "Pasted", "is_static": true, "list_id": 5}')
    page.locator("#import-form button[type=submit]").click()
    expect(page.locator("#import-replace")).to_be_visible()

    assert axe_problems(page, axe_url) == []
