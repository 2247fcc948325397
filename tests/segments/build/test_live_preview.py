"""The live preview's endpoint (static/js/preview.js) and the import box's
check (static/js/import_box.js): the builder URL, asked with the header
X-Builder-Part, answers with a part of the page, on the same forms and codec
road as the full page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.segments.models import Submission
from tests.examples import example_payload
from tests.formdata import DOCUMENTED, builder_data, custom, param, selection, statseg

pytestmark = pytest.mark.django_db

PART = {"HTTP_X_BUILDER_PART": "preview"}


def preview_part(client, data, **headers):
    return client.post(reverse("builder"), {**data, "action": "preview"}, **(headers or PART))


def test_a_valid_form_answers_the_preview_panel_alone_with_the_payload_sent(editor):
    response = preview_part(editor, builder_data(**DOCUMENTED["dynamic"]))
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    # Only the part: no page around it, no builder form.
    assert not page.xpath("//form") and not page.xpath("//nav")
    shown = page.get_element_by_id("preview-json").text_content()
    assert json.loads(shown) == example_payload("dynamic", "json") | {"token": "***"}
    assert page.get_element_by_id("preview-xml").text_content().startswith("<")
    assert not page.xpath('//*[@id="error-summary"]')
    assert Submission.objects.count() == 0


def test_the_part_is_the_same_preview_as_the_full_page(editor):
    data = builder_data(**DOCUMENTED["updatable"])
    part = lxml_html.fromstring(preview_part(editor, data).content)
    full = lxml_html.fromstring(
        editor.post(reverse("builder"), {**data, "action": "preview"}).content)
    for box in ("preview-json", "preview-xml"):
        assert part.get_element_by_id(box).text_content() == \
            full.get_element_by_id(box).text_content()


def test_an_invalid_form_answers_its_problems_with_links_to_their_fields(editor):
    response = preview_part(editor, builder_data(
        name="", selections=[selection(custom("default", "age", "int", "between"))]))
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    assert not page.xpath('//*[@id="preview-json"]')
    summary = page.get_element_by_id("error-summary")
    assert "problem" in summary.text_content()
    problems = page.get_element_by_id("preview-problems")
    links = problems.xpath(".//a/@href")
    assert "#id_name" in links
    assert links == summary.xpath(".//a/@href")


def marks_of(page) -> dict[str, lxml_html.HtmlElement]:
    """The part's marks: each invalid field's posted name and its error line."""
    (marks,) = page.xpath('//template[@data-part="field-errors"]')
    return {entry.get("data-field"): entry for entry in marks.xpath(".//*[@data-field]")}


def test_the_part_marks_each_invalid_field_with_the_full_pages_own_error_line(editor):
    data = builder_data(name="", list_id="abc", selections=[selection(
        statseg("x"), custom("default", "age", "int", "between", param("from", "zz")))])
    part = lxml_html.fromstring(preview_part(editor, data).content)
    full = lxml_html.fromstring(
        editor.post(reverse("builder"), {**data, "action": "preview"}).content)
    marks = marks_of(part)
    assert set(marks) == {"name", "list_id", "selections-0-rules-0-statseg__segment_id",
                          "selections-0-rules-1-params-0-value"}
    for name, entry in marks.items():
        control = full.xpath(f'//form[@id="builder"]//*[@name="{name}"]')[0]
        assert entry.get("data-control") == control.get("id")
        (line,) = entry
        # The same line, id and words, as the page writes under the field;
        # and the page's field refers to it.
        shown = full.get_element_by_id(line.get("id"))
        assert lxml_html.tostring(line, with_tail=False) == lxml_html.tostring(
            shown, with_tail=False)
        assert line.get("id") in control.get("aria-describedby").split()
        assert "invalid-feedback" in line.get("class").split()
    assert "whole number" in marks["list_id"].text_content()


def test_a_valid_form_marks_no_field_and_a_post_over_budget_leaves_the_marks_alone(editor):
    valid = lxml_html.fromstring(
        preview_part(editor, builder_data(**DOCUMENTED["dynamic"])).content)
    assert marks_of(valid) == {}
    data = builder_data(name="", selections=[selection(statseg(1))])
    data["selections-TOTAL_FORMS"] = 100_000
    over = lxml_html.fromstring(preview_part(editor, data).content)
    assert not over.xpath('//template[@data-part="field-errors"]')


def test_a_post_over_the_row_budgets_answers_400_with_the_counts_and_builds_nothing(editor):
    data = builder_data(selections=[selection(statseg(1))])
    data["selections-TOTAL_FORMS"] = 100_000
    response = preview_part(editor, data)
    assert response.status_code == 400
    page = lxml_html.fromstring(response.content)
    assert not page.xpath('//*[@id="preview-json"]')
    assert "at least 21 selections" in page.get_element_by_id("preview-problems").text_content()


def test_the_header_never_sends(editor, sandbox_settings):
    data = {**builder_data(**DOCUMENTED["static"]), "action": "send"}
    response = editor.post(reverse("builder"), data, **PART)
    # Not a part: the header asks for one for a preview only; this is a real send.
    assert response.status_code == 302
    assert Submission.objects.count() == 1


def test_without_the_header_preview_still_posts_the_whole_page(editor):
    response = editor.post(reverse("builder"),
                           {**builder_data(**DOCUMENTED["dynamic"]), "action": "preview"})
    page = lxml_html.fromstring(response.content)
    assert page.xpath('//form[@id="builder"]')
    assert page.get_element_by_id("preview-panel").get("data-previewed") is not None


def test_a_viewer_may_use_the_live_preview(viewer):
    response = preview_part(viewer, builder_data(**DOCUMENTED["dynamic"]))
    assert response.status_code == 200
    assert b'id="preview-json"' in response.content


IMPORT = {"HTTP_X_BUILDER_PART": "import"}


def test_an_unreadable_paste_answers_the_import_box_with_its_error_and_text(editor):
    response = editor.post(reverse("builder"), {"action": "import", "payload": "{nope"},
                           **IMPORT)
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    assert page.get_element_by_id("import-error").text_content().strip()
    assert page.get_element_by_id("import-payload").text_content().strip() == "{nope"
    assert not page.xpath('//form[@id="builder"]')


def test_a_readable_paste_answers_204_and_changes_nothing(editor):
    response = editor.post(reverse("builder"), {
        "action": "import", "payload": json.dumps(example_payload("dynamic", "json"))}, **IMPORT)
    assert response.status_code == 204
    assert Submission.objects.count() == 0
