"""codec writes plain payloads' JSON and XML itself, for speed: byte for
byte what json.dumps(indent=2, ensure_ascii=False) and lxml write, which
still write (or refuse) everything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from benchmarks.shapes import payload_segment
from segbuilder.altcraft import codec
from segbuilder.altcraft.codec import CodecError, payload_to_json, payload_to_xml
from segbuilder.altcraft.segment import Kind
from tests.examples import EXAMPLE_NAMES, example_payload

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
plain = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children,
                                                                       max_size=4),
    max_leaves=25,
)


@given(payload=st.dictionaries(text, plain, max_size=6))
def test_plain_payloads_are_written_as_json_dumps_writes_them(payload):
    assert payload_to_json(payload) == json.dumps(payload, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("payload", [
    {"limit": 1.5},
    {"list": [1, 2.0]},
    {1: "a key that is a number", "b": None},
    {"tuple": (1, "two", [3])},
    {"nested": {"deep": [{"x": 1e100}]}},
])
def test_payloads_with_other_values_are_left_to_json_dumps(payload):
    assert payload_to_json(payload) == json.dumps(payload, indent=2, ensure_ascii=False)


def test_values_json_refuses_are_refused_with_the_same_message():
    looped: dict = {"name": "loop"}
    looped["self"] = looped
    for payload, message in (({"limit": float("nan")}, "Out of range float"),
                             ({"when": object()}, "not JSON serializable"),
                             (looped, "Circular reference")):
        with pytest.raises(CodecError, match=message):
            payload_to_json(payload)


def test_a_payload_nested_too_deeply_is_refused_not_a_crash():
    payload: dict = {}
    for _ in range(100_000):
        payload = {"child": payload}
    with pytest.raises(CodecError, match="nested too deeply"):
        payload_to_json(payload)


def test_field_names_kept_for_reuse_stay_few(monkeypatch):
    monkeypatch.setattr(codec, "_JSON_KEYS", {})
    payload_to_json({f"key {number}": number for number in range(1000)})
    assert len(codec._JSON_KEYS) == codec._JSON_KEYS_KEPT
    assert payload_to_json({"key 999": 1}) == '{\n  "key 999": 1\n}'


# --- XML ---------------------------------------------------------------------------------


def lxml_written(payload: dict) -> bytes:
    """What payload_to_xml wrote before it had its own writer."""
    root = etree.Element(codec.ROOT_TAG)
    codec._append_fields(root, payload)
    return codec.XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


xml_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                   max_size=12)
xml_key = st.sampled_from(["name", "value", "child", "list_id", "queries", "a.b-c_d", "x1"])
xml_plain = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | xml_text,
    lambda children: st.lists(st.none() | st.booleans() | st.integers() | xml_text
                              | st.dictionaries(xml_key, children, max_size=3), max_size=3)
    | st.dictionaries(xml_key, children, max_size=4),
    max_leaves=20,
)


@given(payload=st.dictionaries(xml_key, xml_plain, max_size=5))
def test_plain_payloads_are_written_as_lxml_writes_them(payload):
    try:
        expected = lxml_written(payload)
    except (CodecError, ValueError):
        with pytest.raises(CodecError):
            payload_to_xml(payload)
    else:
        assert payload_to_xml(payload) == expected


@pytest.mark.parametrize("payload", [
    *(example_payload(name, fmt) for name in EXAMPLE_NAMES for fmt in ("json", "xml")),
    *(payload_segment(size).to_payload() for size in (1, 10, 100)),
    {}, {"empty": {}, "none": None, "list": [], "nones": [None, None]},
    {"text": "a & b < c > d \"e\" 'f' \r\n\t é 😀", "blank": "", "spaces": "  "},
    {"kind": Kind.DYNAMIC},
    {"float": 1.5, "other": "x"}, {"bad key": 1}, {"xml": {"ns:tag": 1}}, {"control": "a\x01"},
])
def test_known_and_odd_payloads_are_written_as_lxml_writes_them(payload):
    try:
        expected = lxml_written(payload)
    except (CodecError, ValueError):
        with pytest.raises(CodecError):
            payload_to_xml(payload)
    else:
        assert payload_to_xml(payload) == expected
