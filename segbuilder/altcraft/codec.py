"""Payload dicts to and from the two body formats Altcraft speaks: JSON and XML.

The XML shape follows the "XML conventions" of shared/altcraft/API.md: root
`<xml>`, one child element per key, a list written as its element repeated with
`array="true"`. This module is the only place that knows that vocabulary: which
elements are always arrays, and which leaves are read back as booleans or
integers (XML text cannot say whether "1" was a number).

json.dumps writes the JSON and lxml's element API the XML, one writer each: a
request body compact, what people read (the preview, the history) the same
document indented.

The same functions read Altcraft's answers (`data`, `error`, `error_text`, ...).

Untrusted input is capped at MAX_BODY_BYTES, and XML is parsed by lxml with
entities, DTDs and the network switched off; any document with a DOCTYPE is
refused outright.
"""

from __future__ import annotations

import io
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
_ARRAY_ATTRIBUTES = {ARRAY_ATTRIBUTE: ARRAY_MARK}
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


class LongInteger(str):
    """The digits of a number too long for Python to convert (over 4,300):
    kept as text, so that the reader of the payload can say where it stands
    that it is too large, instead of the whole paste failing."""


def _json_integer(digits: str) -> int | str:
    try:
        return int(digits)
    except ValueError:
        return LongInteger(digits)


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
    """The payload as a request body in `fmt` ("json" or "xml"): compact, in
    the payload's key order (the client puts the token last)."""
    if fmt == "json":
        try:
            return payload_to_json(payload, pretty=False).encode("utf-8")
        except UnicodeEncodeError:
            raise CodecError("the payload holds text that is not valid Unicode") from None
    if fmt == "xml":
        return payload_to_xml(payload, pretty=False)
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
    if isinstance(body, bytes):
        return "xml" if _LOOKS_LIKE_XML_BYTES.match(body) else "json"
    return "xml" if _LOOKS_LIKE_XML.match(body) else "json"


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


def payload_to_json(payload: dict, *, pretty: bool = True) -> str:
    """The payload as JSON text, non-ASCII kept as is: indented by two spaces,
    or compact (`pretty=False`) as a request body carries it."""
    layout: dict[str, Any] = {"indent": 2} if pretty else {"separators": (",", ":")}
    try:
        return json.dumps(payload, ensure_ascii=False, allow_nan=False, **layout)
    except (TypeError, ValueError) as error:
        raise CodecError(f"the payload cannot be written as JSON: {error}") from None
    except RecursionError:
        raise CodecError("the payload is nested too deeply") from None


def payload_from_json(text: str | bytes) -> dict:
    """The payload dict of a JSON body; it must be one JSON object."""
    _refuse_too_big(text)
    if isinstance(text, str):
        # Files saved by some editors start with a BOM, which json.loads refuses in a str.
        text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_int=_json_integer)
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


def payload_to_xml(payload: dict, *, pretty: bool = True) -> bytes:
    """The payload as a UTF-8 XML document with root `<xml>`: indented, or
    compact (`pretty=False`) as a request body carries it."""
    body = _xml_body(payload)
    if not pretty:
        return body
    # The same document, indented: lxml lays out what it wrote (our own
    # document, so no cap on its depth).
    root = etree.fromstring(body, etree.XMLParser(huge_tree=True, resolve_entities=False))
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _xml_body(payload: dict) -> bytes:
    # lxml's incremental writer builds no tree: at 1,000 rules it measured a
    # little faster than the element API and closer to linear in rules
    # (benchmarks/bench_payload.py).
    if not isinstance(payload, dict):
        raise CodecError(f"the payload must be a dict, not {type(payload).__name__}")
    out = io.BytesIO()
    try:
        with etree.xmlfile(out, encoding="UTF-8") as xf:
            xf.write_declaration()
            with xf.element(ROOT_TAG):
                _write_fields(xf, payload, set())
    except _Unwritable as error:
        raise CodecError(f"/{ROOT_TAG}{''.join(reversed(error.steps))}: {error.reason}") from None
    except RecursionError:
        raise CodecError("the payload is nested too deeply") from None
    return out.getvalue()


class _Unwritable(Exception):
    """Why a value cannot be XML. Where it is gets added on the way out, one
    step per element from the value up, so a payload that can be written pays
    nothing for it."""

    def __init__(self, reason: str, *steps: str):
        super().__init__(reason)
        self.reason = reason
        self.steps = list(steps)


def _write_fields(xf: Any, data: dict, names: set[str]) -> None:
    for key, value in data.items():
        if isinstance(value, list):
            _write_items(xf, key, value, names)
        elif value is not None:
            _write(xf, key, value, names)


def _write_items(xf: Any, key: Any, items: list, names: set[str]) -> None:
    """One element per item, each marked as an array's; an empty list as one
    empty marked element."""
    written = 0
    for item in items:
        if isinstance(item, list):
            raise _Unwritable("a list inside a list cannot be XML", f"/{key}")
        if item is not None:
            written += 1
            try:
                _write(xf, key, item, names, _ARRAY_ATTRIBUTES)
            except _Unwritable as error:
                error.steps[-1] += f"[{written}]"
                raise
    if not written:
        _write(xf, key, {}, names, _ARRAY_ATTRIBUTES)


def _write(xf: Any, key: Any, value: Any, names: set[str],
           attributes: dict[str, str] | None = None) -> None:
    """An element `key` holding `value`: a dict's fields, or its text."""
    if key not in names:
        _check_name(key)
        names.add(key)
    try:
        with xf.element(key, attributes):
            if isinstance(value, dict):
                _write_fields(xf, value, names)
            else:
                xf.write(_as_text(value))
    except ValueError:  # lxml refuses NUL, most control characters and lone surrogates
        raise _Unwritable("text with characters XML cannot carry", f"/{key}") from None
    except _Unwritable as error:
        error.steps.append(f"/{key}")
        raise


def _check_name(key: Any) -> None:
    # The incremental writer writes any tag it is given; lxml's QName says
    # whether it is an element name. Checked once per name and document.
    if not isinstance(key, str):
        raise _Unwritable(f"key {key!r} is not text")
    try:
        etree.QName(key)
    except ValueError:
        raise _Unwritable(f"{key!r} cannot be an XML element name") from None


def _as_text(value: Any) -> str:
    """The one place a payload value becomes XML text (lxml takes only str)."""
    if type(value) is str:  # most values: checked first
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise _Unwritable(f"a {type(value).__name__} value cannot be written as XML text")


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
    doctype = docinfo.doctype  # type: ignore[attr-defined]  # missing from lxml-stubs
    if doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
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
    return _json_integer(text)


def _has_children(element: etree._Element) -> bool:
    return any(isinstance(child.tag, str) for child in element)


def _leaf_text(element: etree._Element) -> str:
    # Kept exactly (names may start or end with spaces), but a blank leaf is "".
    text = element.text or ""
    return text if text.strip() else ""


def _is_empty(element: etree._Element) -> bool:
    return not _has_children(element) and _leaf_text(element) == ""
