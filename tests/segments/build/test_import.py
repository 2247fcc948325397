"""Import: a pasted payload, JSON or XML, fills the builder; sent unchanged it
reaches Altcraft as the same payload."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.altcraft.sandbox import DOCS_TOKEN
from segbuilder.segments.models import Submission
from tests.examples import EXAMPLE_NAMES, EXAMPLES_DIR, example_payload, example_text
from tests.shown_form import rendered_value, send_as_shown

pytestmark = pytest.mark.django_db

DOCS_PAGE = EXAMPLES_DIR.parent / "create-segment.txt"


def import_text(client, text: str):
    return client.post(reverse("builder"), {"action": "import", "payload": text})


def page_of(response):
    return lxml_html.fromstring(response.content)


def textarea_text(response) -> str:
    (textarea,) = page_of(response).xpath('//textarea[@name="payload"]')
    # Browsers drop the newline that follows <textarea>; lxml keeps it.
    return (textarea.text or "").removeprefix("\n")


def import_error(response) -> str:
    (error,) = page_of(response).xpath('//*[@id="import-error"]')
    return " ".join(" ".join(error.itertext()).split())


def not_imported(response) -> list[str]:
    return [item.text_content() for item in page_of(response).xpath(
        '//*[@id="import-not-imported"]//li')]


def import_problems(response) -> list[str]:
    return [item.text_content() for item in page_of(response).xpath(
        '//*[@id="import-problems"]//li')]


def selected(response, name: str) -> str:
    return rendered_value(response.content, name)


def raw_docs_block(start: str, end: str) -> str:
    """A request example exactly as the docs page prints it, typos included."""
    page = DOCS_PAGE.read_text(encoding="utf-8")
    begin = page.index(start)
    return page[begin:page.index(end, begin) + len(end)]


# --- the documented examples round trip --------------------------------------------


@pytest.mark.parametrize("include_templates", [False, True], ids=["form", "with-templates"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_documented_example_imported_then_sent_unchanged_reaches_altcraft_unchanged(
        editor, sandbox_settings, name, fmt, include_templates):
    text = example_text(name, fmt)
    assert DOCS_TOKEN in text
    filled = import_text(editor, text)
    assert filled.status_code == 200
    assert DOCS_TOKEN not in filled.content.decode()
    assert not_imported(filled) == [] and import_problems(filled) == []
    assert selected(filled, "format") == fmt

    sent = send_as_shown(editor, filled, include_templates=include_templates)

    submission = Submission.objects.get()
    assert sent.status_code == 302
    assert sent.url == reverse("submission_detail", args=[submission.pk])
    (received,) = sandbox_settings.received
    assert received.params == example_payload(name, fmt)
    assert received.content_type.startswith(f"application/{fmt}")
    assert (submission.status, submission.format) == (Submission.Status.CREATED, fmt)


def test_the_filled_builder_says_what_was_imported_and_that_the_token_was_not_kept(editor):
    html = import_text(editor, example_text("updatable", "xml")).content.decode()
    assert "Imported the pasted XML payload: an updatable segment with 1 selection and 1 rule." \
        in html
    assert "The pasted token was not kept" in html
    assert DOCS_TOKEN not in html


def test_a_payload_without_token_or_with_format_imports_the_same(editor, sandbox_settings):
    payload = {**example_payload("dynamic", "json"), "format": "xml"}
    filled = import_text(editor, json.dumps(payload))
    assert selected(filled, "format") == "json"  # the pasted text's format, not `format`
    assert "The pasted format was not kept" in filled.content.decode()
    send_as_shown(editor, filled)
    assert sandbox_settings.received[-1].params == example_payload("dynamic", "json")


# --- rule kinds, groups, formats -------------------------------------------------------

MIXED = {
    "name": "Лояльные <клиенты> & co",
    "is_static": False,
    "list_id": 3,
    "segment": [{
        "condition": "or", "limit": 500, "list_id": 2, "percent_from": 10, "percent_to": 90,
        "queries": [
            {"compo": "default", "name": "statseg", "operator": "once", "type": "statseg",
             "value": [{"name": "segment_id", "value": 11}]},
            {"compo": "default", "name": "_city", "operator": "equal", "type": "string",
             "value": [{"name": "value", "value": "Moscow"}, {"name": "code", "value": 77},
                       {"name": "zip", "value": "007"}]},
            {"condition": "and", "child": [
                {"compo": "domaingroup", "name": "email", "operator": "equal", "type": "email",
                 "value": [{"name": "domaingroup", "value": "Yahoo! (US)"}]},
                {"compo": "dataurl", "name": "subscription_email", "operator": "in_data",
                 "type": "subscription_email",
                 "value": [{"name": "field", "value": "email"},
                           {"name": "resource_id", "value": 3},
                           {"name": "url", "value": "https://example.com/x?a=1&b=2"}]},
                # statseg by its fields, but its segment_id is text: a custom rule
                {"compo": "default", "name": "statseg", "operator": "once", "type": "statseg",
                 "value": [{"name": "segment_id", "value": "12"}]},
            ]},
            {"compo": "default", "name": "_sex", "operator": "equal", "type": "string",
             "value": [], "condition": "or", "child": [
                 {"compo": "default", "name": "custom_tags", "operator": "in", "type": "tags",
                  "value": []}]},
        ],
    }],
}


def test_known_rule_kinds_are_shown_as_that_kind_and_others_as_custom_rules(editor):
    filled = import_text(editor, json.dumps(MIXED))
    rule = "selections-0-rules-{}-kind"
    sub = "selections-0-rules-2-children-{}-kind"
    assert [selected(filled, rule.format(i)) for i in range(4)] == [
        "statseg", "custom", "group", "custom"]
    assert [selected(filled, sub.format(i)) for i in range(3)] == [
        "domaingroup", "dataurl", "custom"]
    assert selected(filled, "selections-0-rules-0-statseg__segment_id") == "11"
    assert selected(filled, "selections-0-rules-1-compo") == "default"
    assert selected(filled, "selections-0-rules-1-params-1-value_type") == "number"
    assert selected(filled, "selections-0-rules-1-params-2-value_type") == "text"
    assert selected(filled, "selections-0-rules-3-children-0-name") == "custom_tags"
    assert not_imported(filled) == [] and import_problems(filled) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_groups_custom_rules_and_typed_params_round_trip_in_either_format(
        editor, sandbox_settings, fmt):
    from segbuilder.altcraft.codec import payload_to_xml

    text = json.dumps(MIXED) if fmt == "json" else payload_to_xml(MIXED).decode()
    send_as_shown(editor, import_text(editor, text))
    received = sandbox_settings.received[-1]
    expected = MIXED
    if fmt == "xml":  # XML text cannot tell "12" from 12: the codec reads a number
        expected = json.loads(json.dumps(MIXED).replace('"value": "12"', '"value": 12'))
    assert received.params == expected
    assert received.content_type.startswith(f"application/{fmt}")


@pytest.mark.parametrize(("pasted", "setting"), [("xml", "json"), ("json", "xml")])
def test_the_request_format_follows_the_pasted_format(editor, settings, pasted, setting):
    settings.ALTCRAFT_FORMAT = setting
    filled = import_text(editor, example_text("dynamic", pasted))
    assert selected(filled, "format") == pasted
    assert selected(editor.get(reverse("builder")), "format") == setting


# --- nothing is dropped silently ---------------------------------------------------


def test_unknown_fields_are_listed_as_not_imported_and_the_rest_round_trips(
        editor, sandbox_settings):
    payload = example_payload("dynamic", "json")
    payload["colour"] = "blue"
    payload["segment"][0]["note"] = "x"
    payload["segment"][0]["queries"][1]["weight"] = 3
    payload["segment"][0]["queries"][1]["value"][0]["unit"] = "days"
    filled = import_text(editor, json.dumps(payload))
    assert not_imported(filled) == [
        "colour", "selection 1: note", "selection 1, rule 2: weight",
        "selection 1, rule 2, param 1: unit"]
    assert "These fields were not imported" in filled.content.decode()
    send_as_shown(editor, filled)
    assert sandbox_settings.received[-1].params == example_payload("dynamic", "json")


def test_what_the_builder_cannot_hold_is_listed_not_silently_lost(editor, sandbox_settings):
    payload = example_payload("dynamic", "json")
    first, second = payload["segment"][0]["queries"]
    first.update(condition="", child=[])  # an empty group, as segments/get prints every rule
    second["condition"] = "or"  # a condition without sub-rules
    payload["segment"][0]["queries"].append({"condition": "and", "child": [
        {**first, "condition": "and", "child": [dict(second)]}]})  # sub-rules two deep
    payload["is_refresh_daily"] = False
    filled = import_text(editor, json.dumps(payload))
    assert not_imported(filled) == [
        "selection 1, rule 1: condition (empty)",
        "selection 1, rule 1: child (empty)",
        "selection 1, rule 2: condition (only a rule with sub-rules has one)",
        "selection 1, rule 3, sub-rule 1: condition (it combined those sub-rules)",
        "selection 1, rule 3, sub-rule 1: child (sub-rules nest one level deep only)",
        "is_refresh_daily (not used by a dynamic segment)",
    ]
    assert import_problems(filled) == []
    send_as_shown(editor, filled)
    queries = sandbox_settings.received[-1].params["segment"][0]["queries"]
    assert len(queries) == 3 and "condition" not in queries[1]
    assert "child" not in queries[2]["child"][0]


def test_a_segment_with_problems_still_fills_the_builder_and_lists_them(editor, sandbox_settings):
    payload = {"name": "No rules yet", "is_static": False, "segment": []}
    filled = import_text(editor, json.dumps(payload))
    assert filled.status_code == 200
    assert selected(filled, "name") == "No rules yet"
    assert selected(filled, "kind") == "dynamic"
    assert import_problems(filled) == ["a dynamic segment needs at least one selection"]
    sent = send_as_shown(editor, filled)
    assert sent.status_code == 200 and sent.context["error_count"] >= 1
    assert sandbox_settings.received == []


# --- payloads that cannot be read ----------------------------------------------------


def test_the_docs_static_json_with_its_missing_comma_gets_the_line_and_stays_in_the_box(editor):
    raw = raw_docs_block('{\n"name": "Segment 2"', "\n}")
    response = import_text(editor, raw)
    assert response.status_code == 200
    message = import_error(response)
    assert message.startswith("The pasted JSON could not be read at line 5, column 1:")
    assert "A comma is probably missing at the end of line 4." in message
    assert 'Line 5 reads: "is_refresh_daily": false,' in message
    assert textarea_text(response) == raw
    assert selected(response, "name") == ""  # the builder was not filled


def test_the_docs_dynamic_json_with_its_comma_slips_gets_the_first_line(editor):
    raw = raw_docs_block('{\n"token"', "\n}\n<xml>").removesuffix("\n<xml>")
    message = import_error(import_text(editor, raw))
    assert "at line 3, column 1" in message and "end of line 2" in message
    fixed = raw.replace(f'"{DOCS_TOKEN}"', f'"{DOCS_TOKEN}",')
    message = import_error(import_text(editor, fixed))
    assert "There is a comma too many just before this point." in message


def test_the_docs_updatable_xml_without_its_opening_tag_says_so(editor):
    raw = raw_docs_block("  <name>New segment 2</name>\n<is_static>true</is_static>\n"
                         "<is_refresh_daily>true", "</xml>")
    response = import_text(editor, raw)
    message = import_error(response)
    assert message.startswith("The pasted XML could not be read at line 2")
    assert "is the opening <xml> missing?" in message
    assert textarea_text(response) == raw


@pytest.mark.parametrize(("text", "expected"), [
    ("", "The box is empty: paste a JSON or XML payload first."),
    ("  \n\t", "The box is empty: paste a JSON or XML payload first."),
    ("[1, 2]", "The pasted JSON could not be read: the payload must be a JSON object, "
               "not an array"),
    ('"Segment 2"', "The pasted JSON could not be read: the payload must be a JSON object, "
                    "not a string"),
    ("Segment 2", "The pasted JSON could not be read at line 1, column 1: Expecting value. "
                  "A payload is a JSON object { … } or an XML document <xml> … </xml>. "
                  "Line 1 reads: Segment 2"),
    ('<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY x "boom">]>\n<xml><name>&x;</name></xml>',
     "The pasted XML could not be read: XML with a DTD (DOCTYPE) is not accepted"),
    ("<segment><name>x</name></segment>",
     "The pasted XML could not be read: the root element must be <xml>, not <segment>"),
    ('{"name": "x", "is_static": "maybe", "segment": [{"list_id": "one", "queries": 5}]}',
     "The payload could not be read into a segment: "
     "is_static must be true or false, not 'maybe' "
     "selection 1: list_id must be a whole number, not 'one' "
     "selection 1: queries must be a list"),
])
def test_an_unreadable_payload_gets_a_clear_message_and_stays_in_the_box(
        editor, sandbox_settings, text, expected):
    response = import_text(editor, text)
    assert response.status_code == 200
    assert import_error(response) == expected
    assert textarea_text(response) == text
    assert 'id="import-box"' in response.content.decode()
    assert page_of(response).xpath('//*[@id="import-box"]')[0].get("class") == "collapse show"
    assert page_of(response).xpath('//*[@id="import-result"]') == []
    assert sandbox_settings.received == [] and Submission.objects.count() == 0


def test_a_payload_larger_than_the_builder_holds_is_refused_with_the_limit(editor):
    payload = example_payload("dynamic", "json")
    rule = payload["segment"][0]["queries"][0]
    payload["segment"][0]["queries"] = [rule] * 1001
    message = import_error(import_text(editor, json.dumps(payload)))
    assert message == ("The payload is larger than the builder holds: "
                       "Selection 1 has 1,001 rules; a selection holds at most 1,000.")


def test_a_rule_with_more_params_than_the_builder_holds_is_refused_with_the_limit(editor):
    payload = example_payload("dynamic", "json")
    rule = payload["segment"][0]["queries"][0]
    rule["value"] = [{"name": f"p{n}", "value": n} for n in range(21)]
    message = import_error(import_text(editor, json.dumps(payload)))
    assert message == ("The payload is larger than the builder holds: "
                       "selection 1, rule 1: 21 parameters, at most 20")


def test_a_missing_payload_field_is_an_empty_box(editor):
    response = editor.post(reverse("builder"), {"action": "import"})
    assert import_error(response) == "The box is empty: paste a JSON or XML payload first."


# --- the page and who may use it -------------------------------------------------------


def test_the_builder_offers_a_labelled_import_box_in_its_own_form(editor):
    page = page_of(editor.get(reverse("builder")))
    (form,) = page.xpath('//form[@id="import-form"]')
    assert form.get("method") == "post" and form.get("action") == reverse("builder")
    (textarea,) = form.xpath('.//textarea[@name="payload"]')
    (label,) = page.xpath(f'//label[@for="{textarea.get("id")}"]')
    assert label.text_content() == "Paste a payload (JSON or XML)"
    assert [(b.text_content(), b.get("name"), b.get("value"))
            for b in form.xpath(".//button")] == [("Import", "action", "import")]
    assert page.xpath('//form[@id="builder"]//textarea[@name="payload"]') == []
    assert page.xpath('//*[@id="import-box"]')[0].get("class") == "collapse"


def test_the_import_box_posts_the_paste_as_multipart_so_megabytes_are_read_at_once(editor):
    page = page_of(editor.get(reverse("builder")))
    (form,) = page.xpath('//form[@id="import-form"]')
    assert form.get("enctype") == "multipart/form-data"


def test_anonymous_users_cannot_import(client):
    response = import_text(client, example_text("static", "json"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_viewers_may_import_but_not_send_the_result(viewer, sandbox_settings):
    filled = import_text(viewer, example_text("dynamic", "json"))
    assert filled.status_code == 200 and selected(filled, "name") == "Dynamic segment"
    assert 'value="send"' not in filled.content.decode()
    assert send_as_shown(viewer, filled).status_code == 403
    assert sandbox_settings.received == [] and Submission.objects.count() == 0


def test_a_payload_without_is_static_fills_the_builder_as_a_dynamic_segment(editor):
    payload = example_payload("dynamic", "json")
    del payload["is_static"]
    response = import_text(editor, json.dumps(payload))
    assert response.status_code == 200
    assert rendered_value(response.content, "kind") == "dynamic"
    list_id = str(payload["segment"][0]["list_id"])
    assert rendered_value(response.content, "selections-0-list_id") == list_id
