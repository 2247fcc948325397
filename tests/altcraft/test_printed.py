"""What Altcraft prints, read as a segment: create and update payloads and
segments/get answers, in JSON and XML."""

from __future__ import annotations

import pytest

from segbuilder.altcraft import codec
from segbuilder.altcraft.printed import GET_ANSWER, UNQUOTED, NotASegment, printed_segment
from segbuilder.altcraft.segment import Kind, Segment
from tests.examples import example_payload

RULES = example_payload("dynamic", "json")["segment"]


def read(text: str, fmt: str):
    return printed_segment(codec.decode(text, fmt), fmt=fmt)


def test_a_create_payload_is_read_as_it_is():
    printed = printed_segment(example_payload("dynamic", "json"), fmt="json")
    assert printed.payload == example_payload("dynamic", "json")
    assert (printed.segment_id, printed.read_only, printed.notes) == (None, {}, [])


def test_an_update_payload_gives_its_id_and_the_rules():
    printed = printed_segment({"id": 17, "name": "Renamed", "segment": RULES}, fmt="json")
    assert printed.segment_id == 17
    assert printed.payload == {"name": "Renamed", "segment": RULES}
    assert Segment.from_payload(printed.payload).kind is Kind.DYNAMIC


def test_a_get_answer_in_json_gives_the_id_the_rules_and_the_count_aside():
    rules = [{**selection, "queries": [{**rule, "child": [], "condition": ""}
                                       for rule in selection["queries"]]}
             for selection in RULES]
    answer = {"data": {"id": 5, "name": "Got", "count": 1234, "segment": rules},
              "error": 0, "error_text": "Successful operation"}
    printed = printed_segment(answer, fmt="json")
    assert (printed.segment_id, printed.read_only, printed.notes) == (5, {"count": 1234},
                                                                     [GET_ANSWER])
    segment = Segment.from_payload(printed.payload)
    assert segment.to_payload()["segment"] == RULES


def test_the_data_of_a_get_answer_alone_reads_the_same():
    printed = printed_segment({"id": 5, "name": "Got", "count": 3, "segment": RULES}, fmt="json")
    assert (printed.segment_id, printed.read_only) == (5, {"count": 3})


def test_altcraft_s_xml_get_example_with_quoted_values_is_read_and_says_so():
    text = """<?xml version="1.0" encoding="UTF-8"?>
<xml><data><id>4</id><name>"Test segment1"</name><count>0</count><description></description>
<segment><condition>and</condition><limit>0</limit><list_id>1</list_id>
<percent_from>0</percent_from><percent_to>100</percent_to>
<queries><compo>default</compo><name>custom_tags</name><type>subscription_email</type>
<operator>in_data</operator><object_path></object_path><object_type></object_type>
<value><name>url</name><value>"https://example.com/list"</value></value>
<value><name>resource_id</name><value>"1"</value></value>
<child/><condition></condition></queries></segment></data>
<error>0</error><error_text>Successful operation</error_text></xml>"""
    printed = read(text, "xml")
    assert printed.segment_id == 4
    assert printed.read_only == {"count": 0, "description": ""}
    assert printed.notes == [GET_ANSWER, UNQUOTED]
    assert printed.payload["name"] == "Test segment1"
    params = printed.payload["segment"][0]["queries"][0]["value"]
    assert params == [{"name": "url", "value": "https://example.com/list"},
                      {"name": "resource_id", "value": 1}]


def test_json_quotes_inside_a_value_are_the_user_s_and_stay():
    printed = printed_segment({"name": '"Quoted"', "is_static": True, "list_id": 1}, fmt="json")
    assert printed.payload["name"] == '"Quoted"' and printed.notes == []


def test_an_error_answer_is_no_segment():
    with pytest.raises(NotASegment, match="error 400: Incorrect request"):
        printed_segment({"error": 400, "error_text": "Incorrect request", "data": {}}, fmt="json")


@pytest.mark.parametrize("segment_id", [0, -3, "abc", 2**63, True])
def test_an_id_no_segment_can_have_is_refused(segment_id):
    with pytest.raises(NotASegment, match="is not a whole number of 1 or more"):
        printed_segment({"id": segment_id, "name": "x", "segment": RULES}, fmt="json")
