"""Every page fits a phone (390 px wide) without sideways scrolling, and the
top navigation folds behind its toggler there; on a laptop (1366 px) the
navigation shows in full. Screenshots of each page, both widths, both
languages, land in tests/e2e/screenshots for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.screens import (
    LANGUAGES,
    SCREENS,
    WIDTHS,
    Seeded,
    open_screen,
    seed,
    use_language,
)

pytestmark = pytest.mark.browser


# Where pages show a submission's number, and how each language writes it.
NUMBERED = {"history": "#history-table tbody label", "compare": "h2.card-title a",
            "detail": ".breadcrumb-item.active"}
NUMBER_SIGN = {"en": "#", "ru": "№"}
# The windows of a phone and of a laptop.
PHONE = {"width": WIDTHS["narrow"], "height": 844}
LAPTOP = {"width": WIDTHS["wide"], "height": 900}


def placeholder_fits(field) -> bool:
    """Whether an input's placeholder fits inside it, measured in its own font."""
    return field.evaluate("""input => {
        const style = getComputedStyle(input);
        const context = document.createElement("canvas").getContext("2d");
        context.font = style.font;
        const room = input.clientWidth - parseFloat(style.paddingLeft)
                     - parseFloat(style.paddingRight);
        return context.measureText(input.placeholder).width <= room;
    }""")


def sideways_overflow(page: Page) -> str | None:
    """None when the page fits the window; else by how many pixels it is wider,
    and which elements stick out on the right (to say what to fix)."""
    return page.evaluate("""() => {
        const root = document.documentElement;
        if (root.scrollWidth <= root.clientWidth) return null;
        const out = [...document.body.querySelectorAll("*")]
            .filter(el => el.getBoundingClientRect().right > root.clientWidth + 0.5)
            .filter(el => !el.parentElement.closest(".table-responsive"))
            .slice(0, 5)
            .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                 + (el.className && typeof el.className === "string"
                    ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
        return `${root.scrollWidth - root.clientWidth} px: ${out.join(", ")}`;
    }""")


def every_screen(page: Page, base_url: str, seeded: Seeded, shot, *, language: str,
                 size: dict[str, int]) -> Iterator[str]:
    """Opens each screen in turn, in `language` on a window of `size`, saves
    its screenshot and yields its name: the test looks at it before the next."""
    page.set_viewport_size(size)
    use_language(page, base_url, language)
    for screen in SCREENS:
        open_screen(page, base_url, screen, seeded)
        shot(screen)
        yield screen


@pytest.mark.parametrize("language", LANGUAGES)
# sandbox_settings first: the builder fixture's first page already asks
# Altcraft for the picker lists.
def test_no_page_scrolls_sideways_on_a_phone(
        sandbox_settings, builder, live_server, editor, shot, language):
    page = builder
    seeded = seed(editor, sandbox_settings)
    too_wide = {}
    for screen in every_screen(page, live_server.url, seeded, shot, language=language,
                               size=PHONE):
        if screen in NUMBERED:  # a submission's number is written one way throughout
            expect(page.locator(NUMBERED[screen]).first).to_contain_text(NUMBER_SIGN[language])
        if overflow := sideways_overflow(page):
            too_wide[screen] = overflow
    assert too_wide == {}, f"pixels wider than a {WIDTHS['narrow']} px screen: {too_wide}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_laptop_shows_the_whole_navigation_and_no_page_scrolls_sideways(
        sandbox_settings, builder, live_server, editor, shot, language):
    page = builder
    seeded = seed(editor, sandbox_settings)
    for screen in every_screen(page, live_server.url, seeded, shot, language=language,
                               size=LAPTOP):
        if screen == "history":
            assert placeholder_fits(page.locator("#id_q")), "the search hint is cut"
        if screen != "admin-list":  # Django's admin has a header of its own
            expect(page.locator("#main-nav-toggle")).to_be_hidden()
            expect(page.locator("#language-select")).to_be_visible()
        assert sideways_overflow(page) is None, screen


def test_on_a_phone_the_navigation_folds_behind_its_toggler_which_opens_it(
        builder, live_server):
    page = builder
    page.set_viewport_size(PHONE)
    nav = page.get_by_role("navigation", name="Main")
    history = nav.get_by_role("link", name="History", exact=True)
    toggler = nav.get_by_role("button", name="Menu")
    expect(history).to_be_hidden()
    expect(page.get_by_role("combobox", name="Language")).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("combobox", name="Language")).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    history.click()
    expect(page).to_have_url(f"{live_server.url}/history/")

    toggler.click()
    expect(history).to_be_visible()
    toggler.click()
    expect(history).to_be_hidden()


def test_on_a_phone_the_builders_action_bar_is_one_line_and_undo_redo_keep_their_names(
        builder, shot):
    page = builder
    page.set_viewport_size({"width": WIDTHS["narrow"], "height": 844})
    page.locator("#builder[data-undo-ready]").wait_for(state="attached")
    bar = page.locator(".sticky-actions")
    buttons = [bar.get_by_role("button", name=name, exact=True)
               for name in ("Preview payload", "Send to Altcraft", "Undo", "Redo")]
    for button in buttons:
        expect(button).to_be_visible()
    # One line: every button's middle at the same height, the bar one button high.
    middles = {round(box["y"] + box["height"] / 2) for box in
               (button.bounding_box() for button in buttons)}
    assert len(middles) == 1, middles
    assert bar.bounding_box()["height"] < 2 * buttons[0].bounding_box()["height"]
    # The arrows alone show; the words are still what a screen reader says.
    expect(bar.get_by_role("button", name="Undo", exact=True)).to_have_text("↶ Undo")
    assert bar.locator(".bar-word").first.bounding_box()["width"] <= 1
    shot("action-bar")
