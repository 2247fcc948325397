"""Import what Altcraft prints: an update payload and a segments/get answer
(JSON and XML) fill the builder; the id is offered to edit, read-only fields
are shown, not sent; an error answer is an import error."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.altcraft.printed import GET_ANSWER
from segbuilder.segments.build import imports
from tests.examples import example_payload

pytestmark = pytest.mark.django_db

RULES = example_payload("dynamic", "json")["segment"]
GET_ANSWER_JSON = {"data": {"id": 5, "name": "Got", "count": 1234, "segment": RULES},
                   "error": 0, "error_text": "Successful operation"}
GET_ANSWER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<xml><data><id>4</id><name>"Test segment1"</name><count>0</count>
<segment><condition>and</condition><limit>0</limit><list_id>1</list_id>
<percent_from>0</percent_from><percent_to>100</percent_to>
<queries><compo>default</compo><name>custom_tags</name><type>subscription_email</type>
<operator>in_data</operator>
<value><name>url</name><value>"https://example.com/list"</value></value>
<child/><condition></condition></queries></segment></data>
<error>0</error><error_text>Successful operation</error_text></xml>"""


def test_an_update_payload_gives_its_id_and_the_rules():
    text = json.dumps({"id": 17, "name": "Renamed", "segment": RULES})
    result = imports.segment_import(text=text)
    assert result.segment_id == 17
    assert result.segment.name == "Renamed"
    assert result.segment.to_payload()["segment"] == RULES
    assert result.not_imported == []


def test_a_json_get_answer_gives_the_id_the_rules_and_the_count_aside():
    result = imports.segment_import(text=json.dumps(GET_ANSWER_JSON))
    assert (result.segment_id, result.read_only) == (5, {"count": 1234})
    assert result.notes == [GET_ANSWER]
    assert "count" not in result.segment.to_payload()


def test_an_xml_get_answer_imports_with_its_quotes_taken_off():
    result = imports.segment_import(text=GET_ANSWER_XML)
    assert (result.segment_id, result.read_only, result.fmt) == (4, {"count": 0}, "xml")
    assert result.segment.name == "Test segment1"
    assert len(result.notes) == 2


def test_an_error_answer_is_an_import_error_with_its_message():
    text = json.dumps({"error": 400, "error_text": "Incorrect request", "data": {}})
    with pytest.raises(imports.PayloadUnreadable, match="error 400: Incorrect request"):
        imports.segment_import(text=text)


def page(response):
    return lxml_html.fromstring(response.content)


def test_the_builder_shows_the_count_and_offers_to_edit_the_segment(editor):
    response = editor.post(reverse("builder"),
                           {"action": "import", "payload": json.dumps(GET_ANSWER_JSON)})
    assert response.status_code == 200
    shown = page(response)
    (read_only,) = shown.xpath('//*[@id="import-read-only"]')
    assert "count" in read_only.text_content() and "1234" in read_only.text_content()
    (offer,) = shown.xpath('//*[@id="import-segment-id"]//a')
    assert offer.get("href") == reverse("builder") + "?altcraft=5"
    assert shown.xpath('//input[@name="name"]')[0].get("value") == "Got"


def test_an_error_answer_is_shown_as_an_import_error_in_russian(editor):
    text = json.dumps({"error": 400, "error_text": "Incorrect request", "data": {}})
    response = editor.post(reverse("builder"), {"action": "import", "payload": text},
                           HTTP_ACCEPT_LANGUAGE="ru")
    (error,) = page(response).xpath('//*[@id="import-error"]')
    assert "Incorrect request" in error.text_content()
    assert "Altcraft" in error.text_content() and "error 400" not in error.text_content()


def test_the_offer_to_edit_is_worded_in_russian(editor):
    response = editor.post(reverse("builder"),
                           {"action": "import", "payload": json.dumps(GET_ANSWER_JSON)},
                           HTTP_ACCEPT_LANGUAGE="ru")
    (offer,) = page(response).xpath('//*[@id="import-segment-id"]')
    assert "изменить сегмент 5 в Altcraft" in offer.text_content()
    assert "показано, не отправляется" in page(response).xpath(
        '//*[@id="import-read-only"]')[0].text_content()
