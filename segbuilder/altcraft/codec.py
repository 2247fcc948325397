"""Payload dicts to and from the two body formats Altcraft speaks: JSON and XML.

The XML shape follows the "XML conventions" of shared/altcraft/API.md: root
`<xml>`, one child element per key, a list written as its element repeated with
`array="true"`. This module is the only place that knows that vocabulary: which
elements are always arrays, and which leaves are read back as booleans or
integers (XML text cannot say whether "1" was a number).

The same functions read Altcraft's answers (`data`, `error`, `error_text`, ...).

Untrusted input is capped at MAX_BODY_BYTES, and XML is parsed by lxml with
entities, DTDs and the network switched off; any document with a DOCTYPE is
refused outright.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from segbuilder.altcraft.messages import filled, gettext_noop

MAX_BODY_BYTES: int = 10 * 1024 * 1024

CONTENT_TYPES = {"json": "application/json", "xml": "application/xml"}

# --- the XML vocabulary -----------------------------------------------------------

ROOT_TAG = "xml"
ARRAY_ATTRIBUTE = "array"
ARRAY_MARK = "true"
# Arrays even when they hold one item and carry no `array` attribute, as the
# docs' dynamic XML example writes `queries`.
ALWAYS_ARRAYS = frozenset({"segment", "queries", "child"})
# `value` is both a rule's array of params (an element with children) and, inside
# one param, that param's scalar value (a leaf).
PARAMS_TAG = "value"
PARAM_VALUE_TAG = "value"
BOOLEAN_FIELDS = frozenset({"is_static", "is_refresh_daily"})
BOOLEAN_TEXTS = {"true": True, "false": False}
INTEGER_FIELDS = frozenset(
    {
        "list_id",
        "limit",
        "percent_from",
        "percent_to",
        "saved_id",
        "id",
        "error",
        "from_id",
        "next_from_id",
        "total_count",
        "count",
        "resource_id",
    }
)
_CANONICAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DTD_REFUSED = gettext_noop("XML with a DTD (DOCTYPE) is not accepted")

# A DOCTYPE can only stand in the prolog: after an optional BOM, XML declaration,
# whitespace, comments and processing instructions. Looking for it before lxml
# runs matters because libxml2 reports a billion-laughs document as a syntax
# error ("amplification factor exceeded") even with entities off.
# Atomic groups keep the scan linear: a matched comment is never re-tried longer.
_PROLOG_DOCTYPE = re.compile(rb"\A(?:\xef\xbb\xbf)?(?>\s|<\?.*?\?>|<!--.*?-->)*+<!DOCTYPE", re.S)
_LOOKS_LIKE_XML = re.compile(r"\A\ufeff?\s*<")
_LOOKS_LIKE_XML_BYTES = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<")
_LXML_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


class CodecError(ValueError):
    """A body that cannot be read or a payload that cannot be written: why, as
    an English `template` (marked for translation where it is ours) and its
    `params`, and for syntax errors where (`line`, `column`). `reason` is why
    in English; str() starts with where ("line 3, column 5: ...")."""

    def __init__(self, template: str, params: Mapping[str, Any] | None = None, *,
                 line: int | None = None, column: int | None = None):
        self.template = template
        self.params = dict(params or {})
        self.reason = filled(template, self.params)
        self.line = line
        self.column = column
        super().__init__(_located(self.reason, line, column))


def _located(message: str, line: int | None, column: int | None) -> str:
    if line is None:
        return message
    if column is None:
        return f"line {line}: {message}"
    return f"line {line}, column {column}: {message}"


# --- formats --------------------------------------------------------------------------


def encode(payload: dict, fmt: str) -> bytes:
    """The payload as a request body in `fmt` ("json" or "xml")."""
    if fmt == "json":
        try:
            return payload_to_json(payload).encode("utf-8")
        except UnicodeEncodeError:
            raise CodecError("the payload holds text that is not valid Unicode") from None
    if fmt == "xml":
        return payload_to_xml(payload)
    raise _unknown_format(fmt)


def decode(body: str | bytes, fmt: str | None = None) -> dict:
    """The payload dict of a body in `fmt`; with no `fmt`, a body whose first
    non-blank character is `<` is read as XML, anything else as JSON."""
    _refuse_too_big(body)
    fmt = fmt or _sniff_format(body)
    if fmt == "json":
        return payload_from_json(body)
    if fmt == "xml":
        return payload_from_xml(body)
    raise _unknown_format(fmt)


def _sniff_format(body: str | bytes) -> str:
    pattern = _LOOKS_LIKE_XML_BYTES if isinstance(body, bytes) else _LOOKS_LIKE_XML
    return "xml" if pattern.match(body) else "json"


def _unknown_format(fmt: str) -> CodecError:
    return CodecError(gettext_noop("unknown format %(format)s: use one of %(formats)s"),
                      {"format": repr(fmt), "formats": ", ".join(CONTENT_TYPES)})


def _refuse_too_big(body: str | bytes) -> None:
    if not isinstance(body, str | bytes):
        raise CodecError(gettext_noop("a body must be text or bytes, not %(type)s"),
                         {"type": type(body).__name__})
    # A str is never shorter in characters than in UTF-8 bytes, so a long one
    # is refused before paying for its encoding.
    size = len(body)
    if isinstance(body, str) and size <= MAX_BODY_BYTES:
        size = len(body.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise CodecError(gettext_noop("the body is larger than %(number)s bytes"),
                         {"number": MAX_BODY_BYTES})


# --- JSON -----------------------------------------------------------------------------


def payload_to_json(payload: dict) -> str:
    """The payload as pretty JSON text (indent 2, non-ASCII kept as is)."""
    try:
        return _pretty_json(payload)
    except (_NotPlainJSON, RecursionError):
        pass  # json.dumps writes it, or says why it cannot
    try:
        return json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise CodecError(f"the payload cannot be written as JSON: {error}") from None
    except RecursionError:
        raise CodecError("the payload is nested too deeply") from None


class _NotPlainJSON(Exception):
    """A value _pretty_json leaves to json.dumps (a float, a key that is not text...)."""


def _pretty_json(payload: Any) -> str:
    """What json.dumps(payload, indent=2, ensure_ascii=False) returns, for
    payloads of dicts with text keys, lists, text, whole numbers, booleans and
    null; anything else raises _NotPlainJSON.

    json.dumps has no C encoder for indented output (before Python 3.14): its
    pure-Python one made a 1,000-rule payload six times slower to write than
    json.dumps of the same dict. Writing the known shapes directly is three
    times faster, byte for byte the same (tests/altcraft/test_codec.py)."""
    parts: list[str] = []
    _write_json(payload, parts.append, "\n")
    return "".join(parts)


def _write_json(value: Any, write: Any, newline: str) -> None:
    # Few, larger pieces: a key and its text or number value are one piece.
    if isinstance(value, str):
        write(_json_string(value))
    elif isinstance(value, dict):
        if not value:
            write("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            key_text = _JSON_KEYS.get(key) if type(key) is str else None
            if key_text is None:
                key_text = _json_key(key)
            kind = type(item)
            if kind is str:
                write(f"{separator}{key_text}{_json_string(item)}")
            elif kind is int:
                write(f"{separator}{key_text}{int.__repr__(item)}")
            else:
                write(separator + key_text)
                _write_json(item, write, inner)
            separator = "," + inner
        write(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            write("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            write(separator)
            _write_json(item, write, inner)
            separator = "," + inner
        write(newline + "]")
    elif value is True:
        write("true")
    elif value is False:
        write("false")
    elif value is None:
        write("null")
    elif isinstance(value, int):
        write(int.__repr__(value))
    else:
        raise _NotPlainJSON


# A key as written before its value ('"name": '), kept for the payload's
# few field names.
_JSON_KEYS: dict[str, str] = {}
_JSON_KEYS_KEPT = 256


def _json_key(key: Any) -> str:
    if not isinstance(key, str):
        raise _NotPlainJSON
    text = f"{_json_string(key)}: "
    if type(key) is str and len(_JSON_KEYS) < _JSON_KEYS_KEPT:
        _JSON_KEYS[key] = text
    return text


# json's own string writer (its C one where there is one), as json.dumps uses
# it with ensure_ascii=False.
_json_string = json.encoder.encode_basestring


def payload_from_json(text: str | bytes) -> dict:
    """The payload dict of a JSON body; it must be one JSON object."""
    _refuse_too_big(text)
    if isinstance(text, str):
        # Files saved by some editors start with a BOM, which json.loads refuses in a str.
        text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:  # json's own words, passed on as the template
        raise CodecError(error.msg, line=error.lineno, column=error.colno) from None
    except UnicodeDecodeError:
        raise CodecError(gettext_noop("the JSON body is not valid UTF-8")) from None
    except RecursionError:
        raise CodecError(gettext_noop("the JSON is nested too deeply")) from None
    except CodecError:  # NaN or Infinity
        raise
    except ValueError as error:  # a number too long to convert
        raise CodecError(str(error)) from None
    if not isinstance(value, dict):
        raise CodecError(_not_an_object(value))
    return value


def _refuse_constant(name: str) -> Any:
    raise CodecError(gettext_noop("%(value)s is not a number that JSON allows"), {"value": name})


def _not_an_object(value: Any) -> str:
    if isinstance(value, list):
        return gettext_noop("the payload must be a JSON object, not an array")
    if isinstance(value, str):
        return gettext_noop("the payload must be a JSON object, not a string")
    if isinstance(value, bool):
        return gettext_noop("the payload must be a JSON object, not true or false")
    if value is None:
        return gettext_noop("the payload must be a JSON object, not null")
    return gettext_noop("the payload must be a JSON object, not a number")


# --- dict -> XML ----------------------------------------------------------------------


def payload_to_xml(payload: dict) -> bytes:
    """The payload as a pretty-printed UTF-8 XML document with root `<xml>`."""
    if not isinstance(payload, dict):
        raise CodecError(f"the payload must be a dict, not {type(payload).__name__}")
    try:
        return _plain_xml(payload)
    except (_NotPlainXML, RecursionError):
        pass  # lxml writes it, or says why it cannot
    root = etree.Element(ROOT_TAG)
    try:
        _append_fields(root, payload)
    except RecursionError:
        raise CodecError("the payload is nested too deeply") from None
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


class _NotPlainXML(Exception):
    """A value _plain_xml leaves to lxml (a float, an odd key or character...)."""


def _plain_xml(payload: dict) -> bytes:
    """What the lxml path below writes, for payloads of dicts with plain keys,
    lists, text, whole numbers, booleans and None; anything else raises
    _NotPlainXML. Building an lxml tree cost eight times json.dumps of the
    same payload and grew faster than the payload; writing the text directly
    costs a third of that (tests/altcraft/test_pretty_json.py compares the
    two, byte for byte)."""
    fields: list[str] = []
    _write_xml_fields(payload, fields.append, "\n  ")
    body = f"<{ROOT_TAG}>{''.join(fields)}\n</{ROOT_TAG}>\n" if fields else f"<{ROOT_TAG}/>\n"
    return XML_DECLARATION + body.encode("utf-8")


def _write_xml_fields(data: dict, write: Any, indent: str) -> None:
    for key, value in data.items():
        if value is None:
            continue
        tag = _xml_tag(key)
        if isinstance(value, list):
            items = [item for item in value if item is not None]
            if not items:
                write(f'{indent}<{tag} {ARRAY_ATTRIBUTE}="{ARRAY_MARK}"/>')
            for item in items:
                if isinstance(item, list):
                    raise _NotPlainXML
                _write_xml_element(f'{tag} {ARRAY_ATTRIBUTE}="{ARRAY_MARK}"', tag, item, write,
                                   indent)
        else:
            _write_xml_element(tag, tag, value, write, indent)


def _write_xml_element(opening: str, tag: str, value: Any, write: Any, indent: str) -> None:
    if isinstance(value, dict):
        children: list[str] = []
        _write_xml_fields(value, children.append, indent + "  ")
        if children:
            write(f"{indent}<{opening}>{''.join(children)}{indent}</{tag}>")
        else:
            write(f"{indent}<{opening}/>")
        return
    if value is True:
        text = "true"
    elif value is False:
        text = "false"
    elif type(value) is int:
        text = int.__repr__(value)
    elif type(value) is str:
        if _NOT_PLAIN_XML_TEXT.search(value):
            raise _NotPlainXML
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    else:
        raise _NotPlainXML
    write(f"{indent}<{opening}>{text}</{tag}>")


def _xml_tag(key: Any) -> str:
    tag = _XML_TAGS.get(key) if type(key) is str else None
    if tag is None:
        if type(key) is not str or not _PLAIN_XML_TAG.fullmatch(key):
            raise _NotPlainXML
        tag = key
        if len(_XML_TAGS) < _XML_TAGS_KEPT:
            _XML_TAGS[key] = tag
    return tag


# Names lxml takes as they are, and characters it writes as they are (a
# carriage return it writes as &#13;, and it refuses control characters).
_PLAIN_XML_TAG = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_NOT_PLAIN_XML_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_XML_TAGS: dict[str, str] = {}
_XML_TAGS_KEPT = 256


def _append_fields(parent: etree._Element, data: dict) -> None:
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            _append_items(parent, key, value)
        else:
            _fill(_new_element(parent, key), value)


def _append_items(parent: etree._Element, key: str, items: list) -> None:
    items = [item for item in items if item is not None]
    if not items:
        _new_element(parent, key, array=True)
        return
    for item in items:
        if isinstance(item, list):
            raise CodecError(f"{_where(parent)}/{key}: a list inside a list cannot be XML")
        _fill(_new_element(parent, key, array=True), item)


def _new_element(parent: etree._Element, key: Any, *, array: bool = False) -> etree._Element:
    if not isinstance(key, str):
        raise CodecError(f"{_where(parent)}: key {key!r} is not text")
    try:
        element = etree.SubElement(parent, key)
    except ValueError:
        raise CodecError(f"{_where(parent)}: {key!r} cannot be an XML element name") from None
    if array:
        element.set(ARRAY_ATTRIBUTE, ARRAY_MARK)
    return element


def _fill(element: etree._Element, value: Any) -> None:
    if isinstance(value, dict):
        _append_fields(element, value)
        return
    text = _as_text(value)
    try:
        element.text = text
    except ValueError:  # lxml refuses NUL and most control characters
        raise CodecError(f"{_where(element)}: text with characters XML cannot carry") from None


def _as_text(value: Any) -> str:
    """The one place a payload value becomes XML text (lxml takes only str)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise CodecError(f"a {type(value).__name__} value cannot be written as XML text")


def _where(element: etree._Element) -> str:
    return element.getroottree().getpath(element)


# --- XML -> dict ----------------------------------------------------------------------


def payload_from_xml(data: str | bytes) -> dict:
    """The payload dict of an XML body whose root is `<xml>`."""
    _refuse_too_big(data)
    raw, parser = _raw_and_parser(data)
    if _PROLOG_DOCTYPE.match(raw):
        raise CodecError(DTD_REFUSED)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error) from None
    _refuse_dtd(root.getroottree().docinfo)
    if root.tag != ROOT_TAG:
        raise CodecError(gettext_noop("the root element must be <xml>, not <%(value)s>"),
                         {"value": root.tag})
    return _read_fields(root)


def _raw_and_parser(data: str | bytes) -> tuple[bytes, etree.XMLParser]:
    if isinstance(data, bytes):
        return data, _safe_parser()
    try:
        raw = data.encode("utf-8")
    except UnicodeEncodeError:
        raise CodecError(gettext_noop("the XML text is not valid Unicode")) from None
    # The text is already decoded: whatever encoding its declaration names,
    # the bytes handed to lxml are UTF-8.
    return raw, _safe_parser(encoding="utf-8")


def _safe_parser(encoding: str | None = None) -> etree.XMLParser:
    # A new parser per document: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _syntax_error(error: etree.XMLSyntaxError) -> CodecError:
    line, column = error.position
    # lxml's own words, passed on as the template (they stay English).
    reason = _LXML_POSITION_SUFFIX.sub("", error.msg or "not well-formed XML")
    return CodecError(reason, line=line or None, column=column or None)


def _refuse_dtd(docinfo: etree.DocInfo) -> None:
    # Catches what the prolog scan cannot see, such as a UTF-16 document.
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise CodecError(DTD_REFUSED)


def _read_fields(element: etree._Element) -> dict:
    """An element's child elements as a dict, in order of first appearance."""
    groups: dict[str, list[etree._Element]] = {}
    for child in element:
        if isinstance(child.tag, str):  # skip anything that is not an element
            groups.setdefault(child.tag, []).append(child)
    return {tag: _read_group(tag, members) for tag, members in groups.items()}


def _read_group(tag: str, members: list[etree._Element]) -> Any:
    if not _is_array(tag, members):
        return _read_value(members[0])
    if len(members) == 1 and _is_empty(members[0]):
        return []
    return [_read_value(member) for member in members]


def _is_array(tag: str, members: list[etree._Element]) -> bool:
    return (
        len(members) > 1
        or tag in ALWAYS_ARRAYS
        or any(ARRAY_ATTRIBUTE in member.attrib for member in members)
        or (tag == PARAMS_TAG and _has_children(members[0]))
    )


def _read_value(element: etree._Element) -> Any:
    if _has_children(element):
        return _read_fields(element)
    return _typed(element, _leaf_text(element))


def _typed(element: etree._Element, text: str) -> Any:
    """A leaf's text as the type the docs give its field."""
    tag = element.tag
    if tag in BOOLEAN_FIELDS and text in BOOLEAN_TEXTS:
        return BOOLEAN_TEXTS[text]
    if tag in INTEGER_FIELDS or _is_param_value(element):
        return _integer_or_text(text)
    return text


def _is_param_value(element: etree._Element) -> bool:
    # XML cannot tell the text "1" from the number 1. Every numeric param in the
    # docs (segment_id, resource_id) is an integer, so a param's value that is a
    # canonical integer is read as one; "007" or "1.5" stay text.
    parent = element.getparent()
    return element.tag == PARAM_VALUE_TAG and parent is not None and parent.tag == PARAMS_TAG


def _integer_or_text(text: str) -> int | str:
    if not _CANONICAL_INTEGER.fullmatch(text):
        return text
    try:
        return int(text)
    except ValueError:  # more digits than Python converts
        return text


def _has_children(element: etree._Element) -> bool:
    return any(isinstance(child.tag, str) for child in element)


def _leaf_text(element: etree._Element) -> str:
    # Kept exactly (names may start or end with spaces), but a blank leaf is "".
    text = element.text or ""
    return text if text.strip() else ""


def _is_empty(element: etree._Element) -> bool:
    return not _has_children(element) and _leaf_text(element) == ""
