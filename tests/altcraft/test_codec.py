from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from segbuilder.altcraft import codec
from segbuilder.altcraft.codec import (
    CONTENT_TYPES,
    MAX_BODY_BYTES,
    CodecError,
    decode,
    encode,
    payload_from_json,
    payload_from_xml,
    payload_to_json,
    payload_to_xml,
)
from tests.examples import EXAMPLE_NAMES, example_text

TOKEN = "abcdefghijklmnqrstuvwxyz"
TRICKY_NAMES = [
    'A & B <test> "q"',
    "it's > 'that' & </xml>",
    "Сегмент «Москва» 🎉",
    "  spaces around  ",
    "line\nbreak\ttab\r\nwindows",
    "]]> <![CDATA[ x ]]>",
]


def statseg(segment_id: int | str) -> dict:
    return {
        "compo": "default",
        "name": "statseg",
        "operator": "once",
        "type": "statseg",
        "value": [{"name": "segment_id", "value": segment_id}],
    }


def selection(*queries: dict, list_id: int = 1) -> dict:
    return {
        "condition": "and",
        "limit": 0,
        "list_id": list_id,
        "percent_from": 0,
        "percent_to": 99,
        "queries": list(queries),
    }


def json_example(name: str) -> dict:
    return json.loads(example_text(name, "json"))


def xml_example(name: str) -> bytes:
    return example_text(name, "xml").encode("utf-8")


def xml_round_trip(payload: dict) -> dict:
    return payload_from_xml(payload_to_xml(payload))


def json_round_trip(payload: dict) -> dict:
    return payload_from_json(payload_to_json(payload))


def canonical_xml(body: bytes) -> bytes:
    """The document without the whitespace that only lays it out."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, huge_tree=True)
    return etree.tostring(etree.fromstring(body, parser), method="c14n")


EXPECTED_DYNAMIC_XML = {
    "name": "Dynamic segment",
    "is_static": False,
    "segment": [selection(statseg(1), statseg(2))],
    "token": TOKEN,
}

EXPECTED_UPDATABLE_XML = {
    "name": "New segment 2",
    "is_static": True,
    "is_refresh_daily": True,
    "list_id": 1,
    "segment": [
        selection(
            {
                "compo": "domaingroup",
                "name": "email",
                "operator": "equal",
                "type": "email",
                "value": [{"name": "domaingroup", "value": "Yahoo! (US)"}],
            }
        )
    ],
    "token": TOKEN,
}

EXPECTED_STATIC_XML = {
    "list_id": 2,
    "name": "New segment 2",
    "is_static": True,
    "is_refresh_daily": False,
    "token": TOKEN,
}


# --- the documented examples ------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_json_example_reads_as_its_dict(name):
    assert payload_from_json(example_text(name, "json")) == json_example(name)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_json_example_survives_a_json_round_trip(name):
    payload = json_example(name)
    assert json_round_trip(payload) == payload


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_json_example_survives_an_xml_round_trip(name):
    payload = json_example(name)
    assert xml_round_trip(payload) == payload


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("static", EXPECTED_STATIC_XML),
        ("dynamic", EXPECTED_DYNAMIC_XML),
        ("updatable", EXPECTED_UPDATABLE_XML),
    ],
)
def test_each_xml_example_reads_as_the_expected_dict(name, expected):
    assert payload_from_xml(xml_example(name)) == expected


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_xml_example_is_stable_when_written_again_and_read_back(name):
    payload = payload_from_xml(xml_example(name))
    assert xml_round_trip(payload) == payload
    assert json_round_trip(payload) == payload


def test_the_dynamic_xml_example_carries_the_same_data_as_the_json_one():
    assert payload_from_xml(xml_example("dynamic")) == json_example("dynamic")


def test_the_xml_example_read_as_text_equals_the_one_read_as_bytes():
    assert payload_from_xml(example_text("updatable", "xml")) == EXPECTED_UPDATABLE_XML


# --- writing XML ----------------------------------------------------------------------


def test_it_writes_a_utf8_declaration_and_an_xml_root():
    for body in (payload_to_xml({"name": "x"}), encode({"name": "x"}, "xml")):
        tree = etree.fromstring(body).getroottree()
        assert body.startswith(b"<?xml ")
        assert (tree.docinfo.xml_version, tree.docinfo.encoding) == ("1.0", "UTF-8")
        assert (tree.getroot().tag, tree.getroot().findtext("name")) == ("xml", "x")


def test_it_writes_one_element_a_line_indented_by_depth_for_people():
    lines = payload_to_xml({"name": "x", "segment": [{"list_id": 1}]}).decode().splitlines()
    assert [line.strip() for line in lines[1:]] == [
        "<xml>", "<name>x</name>", '<segment array="true">', "<list_id>1</list_id>",
        "</segment>", "</xml>"]
    indents = [len(line) - len(line.lstrip()) for line in lines[1:]]
    assert indents[0] < indents[1] == indents[2] < indents[3]


def test_it_writes_keys_in_dict_order():
    root = etree.fromstring(payload_to_xml({"token": "t", "name": "n", "is_static": True}))
    assert [child.tag for child in root] == ["token", "name", "is_static"]


def test_it_marks_every_array_element_with_array_true():
    root = etree.fromstring(payload_to_xml(json_example("dynamic")))
    for tag in ("segment", "queries", "value"):
        elements = root.xpath(f"//{tag}[*]")
        assert elements
        assert all(element.get("array") == "true" for element in elements)
    assert root.xpath("//value[not(*)]")[0].get("array") is None


def test_it_writes_booleans_and_integers_as_plain_text():
    body = payload_to_xml({"is_static": True, "is_refresh_daily": False, "list_id": 5})
    assert b"<is_static>true</is_static>" in body
    assert b"<is_refresh_daily>false</is_refresh_daily>" in body
    assert b"<list_id>5</list_id>" in body


def test_it_writes_an_empty_list_as_one_self_closing_array_element():
    body = payload_to_xml({"name": "x", "segment": []})
    assert b'<segment array="true"/>' in body
    assert payload_from_xml(body) == {"name": "x", "segment": []}


def test_it_skips_keys_whose_value_is_none():
    body = payload_to_xml({"name": "x", "list_id": None})
    assert b"list_id" not in body
    assert payload_from_xml(body) == {"name": "x"}


def test_it_refuses_a_list_inside_a_list():
    with pytest.raises(CodecError, match="list inside a list"):
        payload_to_xml({"segment": [[1, 2]]})


def test_it_refuses_a_key_that_cannot_be_an_element_name():
    with pytest.raises(CodecError, match="element name"):
        payload_to_xml({"segment": [{"bad key": 1}]})


def test_it_refuses_text_with_characters_xml_cannot_carry():
    with pytest.raises(CodecError, match="/xml/name"):
        payload_to_xml({"name": "nul\x00byte"})


def test_it_refuses_values_that_are_not_text_numbers_or_booleans():
    with pytest.raises(CodecError, match="/xml/name: a set value"):
        payload_to_xml({"name": {1, 2}})


def test_it_refuses_a_key_that_is_not_text():
    with pytest.raises(CodecError, match=re.escape("/xml/segment[1]: key 1 is not text")):
        encode({"segment": [{1: "one"}]}, "xml")


def test_it_says_where_in_the_payload_a_value_xml_cannot_carry_is():
    payload = {"segment": [{"list_id": 1}, {"queries": [{"name": "ok"}, {"name": "bad\x01"}]}]}
    for write in (payload_to_xml, lambda payload: encode(payload, "xml")):
        with pytest.raises(CodecError, match=re.escape("/xml/segment[2]/queries[2]/name: text")):
            write(payload)


def test_it_shows_a_deeply_nested_payload_indented():
    payload: dict = {"child": "leaf"}
    for _ in range(300):  # deeper than lxml reads by default
        payload = {"child": payload}
    assert canonical_xml(payload_to_xml(payload)) == canonical_xml(encode(payload, "xml"))


def test_it_refuses_to_write_a_payload_that_is_not_a_dict():
    with pytest.raises(CodecError):
        payload_to_xml([1, 2])  # type: ignore[arg-type]


# --- reading XML ------------------------------------------------------------------------


@pytest.mark.parametrize("mark", ['array="true"', 'array=""', "array='true'"])
def test_it_reads_a_single_marked_element_as_a_one_item_list(mark):
    body = f"<xml><segment {mark}><list_id>3</list_id></segment><data {mark}>x</data></xml>"
    assert payload_from_xml(body) == {"segment": [{"list_id": 3}], "data": ["x"]}


def test_it_reads_a_one_item_queries_without_attribute_as_a_list():
    body = "<xml><segment><queries><compo>default</compo></queries></segment></xml>"
    assert payload_from_xml(body) == {"segment": [{"queries": [{"compo": "default"}]}]}


def test_it_reads_repeated_unmarked_elements_as_a_list():
    body = "<xml><tag>a</tag><other>b</other><tag>c</tag></xml>"
    assert payload_from_xml(body) == {"tag": ["a", "c"], "other": "b"}


def test_it_reads_an_empty_marked_value_as_an_empty_list():
    body = '<xml><queries><name>x</name><value array="true"/></queries></xml>'
    assert payload_from_xml(body) == {"queries": [{"name": "x", "value": []}]}


def test_it_reads_an_unmarked_value_with_children_as_the_params_array():
    body = "<xml><queries><value><name>segment_id</name><value>7</value></value></queries></xml>"
    assert payload_from_xml(body) == {"queries": [{"value": [{"name": "segment_id", "value": 7}]}]}


def test_it_reads_a_rule_group_with_its_child_rules():
    group = {"condition": "or", "child": [statseg(1), statseg(2)]}
    payload = {"segment": [selection(group)]}
    assert xml_round_trip(payload) == payload


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("0", 0),
        ("-3", -3),
        ("007", "007"),
        ("1.5", "1.5"),
        (" 1", " 1"),
        ("Yahoo! (US)", "Yahoo! (US)"),
    ],
)
def test_it_reads_a_param_value_as_an_integer_only_when_canonical(text, expected):
    body = f'<xml><value array="true"><name>p</name><value>{text}</value></value></xml>'
    assert payload_from_xml(body) == {"value": [{"name": "p", "value": expected}]}


def test_it_reads_known_integer_fields_as_integers_and_others_as_text():
    body = "<xml><list_id>5</list_id><limit>007</limit><name>5</name><id>-1</id></xml>"
    assert payload_from_xml(body) == {"list_id": 5, "limit": "007", "name": "5", "id": -1}


def test_it_reads_known_boolean_fields_as_booleans_and_keeps_other_spellings():
    body = "<xml><is_static>true</is_static><is_refresh_daily>yes</is_refresh_daily></xml>"
    assert payload_from_xml(body) == {"is_static": True, "is_refresh_daily": "yes"}


def test_it_keeps_leaf_text_exactly_but_reads_blank_leaves_as_empty_text():
    body = "<xml><name>  padded  </name><blank>  \n </blank><empty/></xml>"
    assert payload_from_xml(body) == {"name": "  padded  ", "blank": "", "empty": ""}


def test_it_ignores_junk_text_comments_and_instructions_beside_elements():
    body = "<xml>junk<!-- note --><name>n<!-- in -->ame</name><?pi x?>more</xml>"
    assert payload_from_xml(body) == {"name": "name"}


def test_it_reads_cdata_as_text():
    assert payload_from_xml("<xml><name><![CDATA[A & B <c>]]></name></xml>") == {
        "name": "A & B <c>"
    }


def test_it_reads_a_text_body_whatever_encoding_its_declaration_names():
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><xml><name>Ёж é</name></xml>'
    assert payload_from_xml(body) == {"name": "Ёж é"}


def test_it_refuses_a_root_other_than_xml():
    with pytest.raises(CodecError, match="root element must be <xml>, not <segment>"):
        payload_from_xml("<segment><name>x</name></segment>")


def test_it_says_where_an_xml_syntax_error_is():
    with pytest.raises(CodecError) as caught:
        payload_from_xml(b"<xml>\n<name>x</name>\n<list_id>1</lst_id>\n</xml>")
    assert caught.value.line == 3
    assert caught.value.column is not None
    assert str(caught.value).startswith(f"line 3, column {caught.value.column}: ")
    assert "mismatch" in str(caught.value)


def test_it_refuses_an_empty_xml_body():
    with pytest.raises(CodecError, match="line 1"):
        payload_from_xml(b"")


# --- XML safety -----------------------------------------------------------------------

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><name>&secret;</name></xml>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xml [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><name>&lol9;</name></xml>
"""


NEVER_MATCHES = re.compile(rb"(?!)")


@pytest.mark.parametrize("body", [XXE, XXE.decode(), XXE.decode().encode("utf-16")])
def test_it_refuses_an_external_entity_document_without_reading_the_file(body):
    with pytest.raises(CodecError) as caught:
        payload_from_xml(body)
    assert str(caught.value) == "XML with a DTD (DOCTYPE) is not accepted"
    assert "root:" not in str(caught.value)


def test_it_refuses_an_external_entity_document_even_past_the_prolog_scan(monkeypatch):
    monkeypatch.setattr(codec, "_PROLOG_DOCTYPE", NEVER_MATCHES)
    with pytest.raises(CodecError, match="DTD") as caught:
        payload_from_xml(XXE)
    assert "root:" not in str(caught.value)


def test_it_refuses_a_billion_laughs_document_quickly():
    with pytest.raises(CodecError, match="DTD"):
        payload_from_xml(BILLION_LAUGHS)


def test_it_refuses_a_billion_laughs_document_even_past_the_prolog_scan(monkeypatch):
    monkeypatch.setattr(codec, "_PROLOG_DOCTYPE", NEVER_MATCHES)
    with pytest.raises(CodecError) as caught:
        payload_from_xml(BILLION_LAUGHS)
    # Refused, not expanded: the entities' text appears nowhere.
    assert "lollollol" not in str(caught.value)


def test_it_refuses_a_dtd():
    with pytest.raises(CodecError, match="DTD"):
        payload_from_xml('<!-- a --><!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml/>')


def test_it_refuses_an_entity_reference_without_a_dtd():
    with pytest.raises(CodecError, match="line 1"):
        payload_from_xml("<xml><name>&nope;</name></xml>")


# --- JSON ---------------------------------------------------------------------------------


def test_it_writes_json_indented_for_people_keeping_non_ascii_text():
    assert payload_to_json({"name": "Ёж", "list_id": 1}) == '{\n  "name": "Ёж",\n  "list_id": 1\n}'


def test_it_says_on_which_line_json_is_invalid():
    with pytest.raises(CodecError) as caught:
        payload_from_json('{\n"name": "x"\n"list_id": 5\n}')
    assert caught.value.line == 3
    assert str(caught.value) == "line 3, column 1: Expecting ',' delimiter"


def test_it_refuses_a_json_array_at_the_top_level():
    with pytest.raises(CodecError, match="must be a JSON object, not an array"):
        payload_from_json("[1, 2]")


@pytest.mark.parametrize("body", ['{"limit": NaN}', '{"limit": Infinity}'])
def test_it_refuses_json_numbers_that_json_does_not_allow(body):
    with pytest.raises(CodecError, match="not a number"):
        payload_from_json(body)


def test_it_refuses_json_bytes_that_are_not_utf8():
    with pytest.raises(CodecError, match="UTF-8"):
        payload_from_json(b'{"name": "\xff"}')


def test_it_refuses_json_nested_too_deeply():
    with pytest.raises(CodecError, match="nested too deeply"):
        payload_from_json('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")


def test_it_reads_json_text_that_starts_with_a_bom():
    assert payload_from_json('\ufeff{"name": "x"}') == {"name": "x"}


def test_it_refuses_to_write_a_payload_json_cannot_carry_saying_why():
    looped: dict = {"name": "loop"}
    looped["self"] = looped
    for payload, reason in (({"limit": float("nan")}, "Out of range float"),
                            ({"when": object()}, "not JSON serializable"),
                            (looped, "Circular reference")):
        for write in (payload_to_json, lambda payload: encode(payload, "json")):
            with pytest.raises(CodecError, match=f"cannot be written as JSON: .*{reason}"):
                write(payload)


def test_it_refuses_a_json_body_with_text_that_is_not_unicode():
    with pytest.raises(CodecError, match="not valid Unicode"):
        encode({"name": "half \ud800 a pair"}, "json")


@pytest.mark.parametrize("write", [payload_to_json, payload_to_xml,
                                   lambda payload: encode(payload, "json"),
                                   lambda payload: encode(payload, "xml")])
def test_it_refuses_a_payload_nested_too_deeply_rather_than_crash(write):
    payload: dict = {}
    for _ in range(100_000):
        payload = {"child": payload}
    with pytest.raises(CodecError, match="nested too deeply"):
        write(payload)


# --- both codecs ------------------------------------------------------------------------


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_tricky_names_survive_both_codecs(name):
    payload = {"name": name, "segment": [selection(statseg(name))]}
    assert xml_round_trip(payload) == payload
    assert json_round_trip(payload) == payload


def test_a_tricky_name_is_escaped_in_the_xml_body_and_preview():
    for body in (encode({"name": 'A & B <test> "q"'}, "xml"),
                 payload_to_xml({"name": 'A & B <test> "q"'})):
        assert b'<name>A &amp; B &lt;test&gt; "q"</name>' in body


# --- Altcraft answers ---------------------------------------------------------------------


def test_it_reads_the_create_answer():
    body = (
        "<xml><data><saved_id>14</saved_id></data><error>0</error>"
        "<error_text>Successful operation</error_text></xml>"
    )
    assert payload_from_xml(body) == {
        "data": {"saved_id": 14},
        "error": 0,
        "error_text": "Successful operation",
    }


def test_it_reads_a_list_answer_as_a_list_of_dicts():
    body = (
        '<xml><data array="true"><id>1</id><name>A</name></data>'
        '<data array="true"><id>2</id><name>B</name></data>'
        "<next_from_id>3</next_from_id><total_count>2</total_count>"
        "<error>0</error><error_text>Successful operation</error_text></xml>"
    )
    assert payload_from_xml(body) == {
        "data": [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}],
        "next_from_id": 3,
        "total_count": 2,
        "error": 0,
        "error_text": "Successful operation",
    }


def test_it_reads_a_one_item_list_answer_as_a_list():
    body = '<xml><data array="true"><id>1</id></data><total_count>1</total_count></xml>'
    assert payload_from_xml(body)["data"] == [{"id": 1}]


# --- encode, decode, sniffing ---------------------------------------------------------------


def test_encode_gives_a_compact_json_body_as_json_dumps_writes_it():
    payload = {"name": "Ёж", "is_static": True, "list_id": 5, "token": TOKEN}
    body = encode(payload, "json")
    assert body == json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert "Ёж".encode() in body


def test_encode_gives_a_compact_utf8_xml_body():
    body = encode({"name": "Ёж", "segment": [{"list_id": 1}]}, "xml")
    declaration, document = body.split(b"\n")
    assert declaration.startswith(b"<?xml ") and not re.search(rb">\s+<", document)
    assert b"<name>\xd0\x81\xd0\xb6</name>" in document


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_preview_shows_the_same_json_value_as_the_body(name):
    payload = {**json_example(name), "token": TOKEN}
    assert list(json.loads(encode(payload, "json"))) == list(payload)
    assert json.loads(encode(payload, "json")) == json.loads(payload_to_json(payload)) == payload


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_preview_shows_the_same_xml_document_as_the_body(name):
    payload = {**json_example(name), "token": TOKEN}
    assert canonical_xml(encode(payload, "xml")) == canonical_xml(payload_to_xml(payload))
    assert payload_from_xml(encode(payload, "xml")) == payload


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_decode_reads_what_encode_wrote(fmt):
    payload = json_example("dynamic")
    assert decode(encode(payload, fmt), fmt) == payload
    assert decode(encode(payload, fmt)) == payload


@pytest.mark.parametrize(
    "body",
    [
        "  \n <xml><name>x</name></xml>",
        b'\xef\xbb\xbf<?xml version="1.0"?><xml><name>x</name></xml>',
        "\ufeff<xml><name>x</name></xml>",
        ' {"name": "x"}',
        b'{"name": "x"}',
    ],
)
def test_decode_sniffs_the_format_from_the_first_character(body):
    assert decode(body) == {"name": "x"}


def test_decode_reports_a_body_that_is_neither_format_as_invalid_json():
    with pytest.raises(CodecError, match="line 1, column 1"):
        decode("name=x")


@pytest.mark.parametrize("call", [lambda: encode({}, "yaml"), lambda: decode("{}", "yaml")])
def test_it_refuses_an_unknown_format(call):
    with pytest.raises(CodecError, match="unknown format 'yaml'"):
        call()


def test_content_types_name_both_formats():
    assert CONTENT_TYPES == {"json": "application/json", "xml": "application/xml"}


# --- size cap -----------------------------------------------------------------------------------


@pytest.mark.parametrize("read", [payload_from_json, payload_from_xml, decode])
def test_it_refuses_a_body_over_the_size_cap(read):
    assert MAX_BODY_BYTES == 10 * 1024 * 1024
    with pytest.raises(CodecError, match="larger than"):
        read(b" " * (MAX_BODY_BYTES + 1))


@pytest.mark.parametrize("read", [payload_from_json, payload_from_xml, decode])
def test_it_counts_the_utf8_bytes_of_text_against_the_cap(read, monkeypatch):
    monkeypatch.setattr(codec, "MAX_BODY_BYTES", 100)
    within = '{"name": "' + "ж" * 40 + '"}'
    over = '{"name": "' + "ж" * 50 + '"}'  # 62 characters, 112 bytes
    assert decode(within) == {"name": "ж" * 40}
    with pytest.raises(CodecError, match="larger than 100 bytes"):
        read(over)


def test_codec_errors_are_value_errors():
    assert issubclass(CodecError, ValueError)
    assert CodecError("plain").line is None
