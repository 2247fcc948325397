"""The builder page carries undo.js's buttons and texts, in the page's language
(what the buttons do is tested in a browser: tests/e2e/test_undo.py)."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse


def shown_page(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def name_of(button: lxml.html.HtmlElement) -> str:
    """A button's name from its content: its text but what is aria-hidden."""
    return "".join(button.xpath(".//text()[not(ancestor::*[@aria-hidden='true'])]")).strip()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "undo", "redo", "undone"), [
    ("en", "Undo", "Redo", "Undone: {change}"),
    ("ru", "Отменить", "Повторить", "Отменено: {change}"),
])
def test_the_builder_has_undo_and_redo_buttons_that_wait_for_their_script(
        logged_in, language, undo, redo, undone):
    page = shown_page(logged_in.get(reverse("builder"), HTTP_ACCEPT_LANGUAGE=language))
    bar = page.get_element_by_id("undo-buttons")
    # Without undo.js they could do nothing: hidden until it shows them.
    assert bar.get("hidden") is not None
    assert bar.get("data-text-undone") == undone
    buttons = bar.findall(".//button")
    assert [(name_of(b), b.get("type"), b.get("disabled") is not None) for b in buttons] == [
        (undo, "button", True), (redo, "button", True)]
    # Their arrows (all a phone shows) are not read out: the word is the name.
    assert [b.xpath("string(.//*[@aria-hidden='true'])") for b in buttons] == ["↶", "↷"]
    # In the form, but no form button: builder.js acts on data-action only.
    assert next(bar.iterancestors("form")).get("id") == "builder"
    assert all(b.get("data-action") is None and b.get("name") is None for b in buttons)
    status = page.get_element_by_id("undo-status")
    assert (status.get("role"), status.get("aria-live")) == ("status", "polite")
    scripts = [s.get("src") for s in page.iter("script")]
    assert scripts.index("/static/js/undo.js") > scripts.index("/static/js/builder.js")
