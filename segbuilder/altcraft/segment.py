"""The segment as plain values, and the exact Altcraft payload dict it maps to.

`Segment.from_payload()` and `Segment.to_payload()` are the one road between the
payload of `segments/add/` (see shared/altcraft/API.md) and the values the rest
of the application works with. The token and the `format` parameter are
transport, not segment, so they are never part of these values.

`Segment.problems()` checks what the docs require and reports every problem at
once, each with where it is ("selection 2, rule 3: operator is required"), as
data that the app words in the user's language (see messages.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, overload

from segbuilder.altcraft.codec import LongInteger
from segbuilder.altcraft.messages import Where, filled, gettext_noop, where_text


class Kind(StrEnum):
    STATIC = "static"
    DYNAMIC = "dynamic"
    UPDATABLE = "updatable"

    @classmethod
    def from_flags(cls, *, is_static: bool, is_refresh_daily: bool) -> Kind:
        if not is_static:
            return cls.DYNAMIC
        return cls.UPDATABLE if is_refresh_daily else cls.STATIC


CONDITIONS = ("and", "or")
# Fields of the payload that are transport, not segment: never kept.
TRANSPORT_FIELDS = frozenset({"token", "format"})

ParamValue = str | int


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is (a path of 1-based positions), the
    field it is about, and what is wrong: an English template marked for
    translation and its parameters, which read after the location."""

    where: Where
    field: str | None
    template: str
    # dataclasses.field: the name `field` is this class's own attribute.
    params: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        """What is wrong, in English."""
        return filled(self.template, self.params)

    def __str__(self) -> str:
        location = where_text(self.where)
        return f"{location}: {self.message}" if location else self.message


class PayloadError(ValueError):
    """A payload whose shape or types cannot be read into a Segment."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass
class Param:
    name: str
    value: ParamValue

    def to_payload(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value}


@dataclass
class Rule:
    """One item of `queries`. With `children` it is a rule group: the children
    are combined by `condition`, and its own compo/name/type/operator may be blank."""

    compo: str = ""
    name: str = ""
    type: str = ""
    operator: str = ""
    params: list[Param] = field(default_factory=list)
    condition: str = ""
    children: list[Rule] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return bool(self.children)

    @property
    def has_own_fields(self) -> bool:
        return any((self.compo, self.name, self.type, self.operator, self.params))

    def to_payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.has_own_fields or not self.is_group:
            data = {
                "compo": self.compo,
                "name": self.name,
                "operator": self.operator,
                "type": self.type,
                "value": [param.to_payload() for param in self.params],
            }
        if self.is_group:
            # Altcraft wants both or neither: omit them for a plain rule.
            data["condition"] = self.condition
            data["child"] = [child.to_payload() for child in self.children]
        return data


@dataclass
class Selection:
    """One item of the payload's `segment` array: one database and its rules."""

    list_id: int | None = None
    condition: str = "and"
    limit: int = 0
    percent_from: int = 0
    percent_to: int = 100
    rules: list[Rule] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        return {
            "condition": self.condition,
            "limit": self.limit,
            "list_id": self.list_id,
            "percent_from": self.percent_from,
            "percent_to": self.percent_to,
            "queries": [rule.to_payload() for rule in self.rules],
        }


@dataclass
class Segment:
    name: str
    kind: Kind
    # Required for static segments; optional for the others (the docs'
    # updatable XML example carries one beside its selection's).
    list_id: int | None = None
    selections: list[Selection] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        """The `segments/add/` payload without token, keys in the docs' order."""
        payload: dict[str, Any] = {
            "name": self.name,
            "is_static": self.kind is not Kind.DYNAMIC,
        }
        if self.kind is not Kind.DYNAMIC:
            payload["is_refresh_daily"] = self.kind is Kind.UPDATABLE
        if self.list_id is not None:
            payload["list_id"] = self.list_id
        if self.kind is not Kind.STATIC:
            payload["segment"] = [selection.to_payload() for selection in self.selections]
        return payload

    @classmethod
    def from_payload(
        cls, payload: Any, *, ignored: list[tuple[Where, str]] | None = None
    ) -> Segment:
        """Read a payload dict. Raises PayloadError listing every shape or type
        problem; appends each unknown field to `ignored` if given, as (where, key)."""
        return _PayloadReader(ignored).segment(payload)

    def problems(self) -> list[Problem]:
        return list(_segment_problems(self))

    @property
    def rule_count(self) -> int:
        return sum(
            1 + len(rule.children) for selection in self.selections for rule in selection.rules
        )


# --- validation ---------------------------------------------------------------


NOT_A_PARAM_VALUE = gettext_noop("parameter value must be text or a whole number")
TOO_LARGE = gettext_noop("%(field)s is too large: at most %(max)s")
NOT_UNICODE = gettext_noop("%(field)s holds a character that is not valid Unicode "
                           "(a lone surrogate); retype it")
# Ids and counts are 64-bit integers in Altcraft and in the history.
MAX_INT = 2**63 - 1
# ASCII digits only: "²" and "--5" are text, not numbers.
_PLAIN_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _segment_problems(segment: Segment) -> Iterator[Problem]:
    if not segment.name.strip():
        yield Problem((), "name", gettext_noop("name is required"))
    if segment.list_id is not None:
        yield from _id_problems((), "list_id", segment.list_id)
    if segment.kind is Kind.STATIC:
        if segment.list_id is None:
            yield Problem((), "list_id",
                          gettext_noop("a static segment needs a database (list_id)"))
        if segment.selections:
            yield Problem((), "segment", gettext_noop("a static segment takes no rules"))
        return
    if not segment.selections:
        yield Problem((), "segment",
                      gettext_noop("a %(kind)s segment needs at least one selection"),
                      {"kind": segment.kind})
    for number, selection in enumerate(segment.selections, start=1):
        yield from _selection_problems((("selection", number),), selection)


def _selection_problems(where, selection: Selection) -> Iterator[Problem]:
    if selection.list_id is None:
        yield Problem(where, "list_id", gettext_noop("database (list_id) is required"))
    else:
        yield from _id_problems(where, "list_id", selection.list_id)
    yield from _condition_problems(where, "condition", selection.condition)
    if selection.limit < 0:
        yield Problem(where, "limit", gettext_noop("limit must be 0 (no limit) or more"))
    if not 0 <= selection.percent_from <= 99:
        yield Problem(where, "percent_from", gettext_noop("percent from must be between 0 and 99"))
    if not 1 <= selection.percent_to <= 100:
        yield Problem(where, "percent_to", gettext_noop("percent to must be between 1 and 100"))
    elif selection.percent_from >= selection.percent_to:
        yield Problem(where, "percent_to",
                      gettext_noop("percent to must be greater than percent from"))
    if not selection.rules:
        yield Problem(where, "queries", gettext_noop("a selection needs at least one rule"))
    for number, rule in enumerate(selection.rules, start=1):
        yield from _rule_problems((*where, ("rule", number)), rule, depth=0)


def _rule_problems(where, rule: Rule, *, depth: int) -> Iterator[Problem]:
    if rule.has_own_fields or not rule.is_group:
        for name in ("compo", "name", "type", "operator"):
            if not getattr(rule, name).strip():
                yield Problem(where, name, gettext_noop("%(field)s is required"), {"field": name})
    for number, param in enumerate(rule.params, start=1):
        yield from _param_problems((*where, ("param", number)), param)
    if rule.condition and not rule.is_group:
        yield Problem(where, "condition", gettext_noop("a rule with a condition needs sub-rules"))
    if not rule.is_group:
        return
    if depth > 0:
        yield Problem(where, "child", gettext_noop("sub-rules can be nested one level deep only"))
    yield from _condition_problems(where, "condition", rule.condition)
    for number, child in enumerate(rule.children, start=1):
        yield from _rule_problems((*where, ("sub-rule", number)), child, depth=depth + 1)


def _param_problems(where, param: Param) -> Iterator[Problem]:
    if not param.name.strip():
        yield Problem(where, "name", gettext_noop("parameter name is required"))
    if isinstance(param.value, bool) or not isinstance(param.value, str | int):
        yield Problem(where, "value", NOT_A_PARAM_VALUE)


def _condition_problems(where, name: str, value: str) -> Iterator[Problem]:
    if value not in CONDITIONS:
        yield Problem(where, name, gettext_noop('condition must be "and" or "or", not "%(value)s"'),
                      {"value": value})


def _id_problems(where, name: str, value: int) -> Iterator[Problem]:
    if value < 1:
        yield Problem(where, name, gettext_noop("%(field)s must be a positive whole number"),
                      {"field": name})


# --- reading a payload ------------------------------------------------------------

_SEGMENT_FIELDS = {"name", "is_static", "is_refresh_daily", "list_id", "segment"}
_SELECTION_FIELDS = {"condition", "limit", "list_id", "percent_from", "percent_to", "queries"}
_RULE_FIELDS = {"compo", "name", "type", "operator", "value", "condition", "child"}
_PARAM_FIELDS = {"name", "value"}


class _PayloadReader:
    """Reads a payload dict into a Segment, collecting every type problem."""

    def __init__(self, ignored: list[tuple[Where, str]] | None):
        self.problems: list[Problem] = []
        self.ignored = ignored if ignored is not None else []

    def segment(self, payload: Any) -> Segment:
        if not isinstance(payload, dict):
            raise PayloadError([Problem((), None, gettext_noop("the payload must be an object"))])
        self._note_unknown((), payload, _SEGMENT_FIELDS | TRANSPORT_FIELDS)
        is_static = self._bool((), payload, "is_static", default=False)
        is_refresh_daily = self._bool((), payload, "is_refresh_daily", default=False)
        segment = Segment(
            name=self._text((), payload, "name"),
            kind=Kind.from_flags(is_static=is_static, is_refresh_daily=is_refresh_daily),
            list_id=self._int((), payload, "list_id", default=None),
            selections=[
                self.selection((("selection", number),), item)
                for number, item in self._items((), payload, "segment")
            ],
        )
        # A missing is_static is false, a dynamic segment: the docs say so, and
        # several of Altcraft's own examples omit it.
        if self.problems:
            raise PayloadError(self.problems)
        return segment

    def selection(self, where, data: dict) -> Selection:
        self._note_unknown(where, data, _SELECTION_FIELDS)
        return Selection(
            list_id=self._int(where, data, "list_id", default=None),
            condition=self._text(where, data, "condition", default="and"),
            limit=self._int(where, data, "limit", default=0),
            percent_from=self._int(where, data, "percent_from", default=0),
            percent_to=self._int(where, data, "percent_to", default=100),
            rules=[
                self.rule((*where, ("rule", number)), item)
                for number, item in self._items(where, data, "queries")
            ],
        )

    def rule(self, where, data: dict) -> Rule:
        self._note_unknown(where, data, _RULE_FIELDS)
        return Rule(
            compo=self._text(where, data, "compo"),
            name=self._text(where, data, "name"),
            type=self._text(where, data, "type"),
            operator=self._text(where, data, "operator"),
            params=[
                self.param((*where, ("param", number)), item)
                for number, item in self._items(where, data, "value")
            ],
            condition=self._text(where, data, "condition"),
            children=[
                self.rule((*where, ("sub-rule", number)), item)
                for number, item in self._items(where, data, "child")
            ],
        )

    def param(self, where, data: dict) -> Param:
        self._note_unknown(where, data, _PARAM_FIELDS)
        value = data.get("value", "")
        if isinstance(value, LongInteger) or (type(value) is int and abs(value) > MAX_INT):
            self._problem(where, "value", TOO_LARGE, field="value", max=MAX_INT)
            value = 0
        elif isinstance(value, bool) or not isinstance(value, str | int):
            self._problem(where, "value", NOT_A_PARAM_VALUE)
            value = str(value)
        elif isinstance(value, str) and _LONE_SURROGATE.search(value):
            self._problem(where, "value", NOT_UNICODE, field="value")
            value = ""
        return Param(name=self._text(where, data, "name"), value=value)

    # Typed field readers: each records a problem and returns a harmless value.

    def _text(self, where, data: dict, name: str, default: str = "") -> str:
        value = data.get(name, default)
        if value is None:
            return default
        if isinstance(value, str) and _LONE_SURROGATE.search(value):
            # JSON's \ud800 escapes read as text no database can store.
            self._problem(where, name, NOT_UNICODE, field=name)
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        self._problem(where, name, gettext_noop("%(field)s must be text"), field=name)
        return default

    @overload
    def _int(self, where, data: dict, name: str, *, default: int) -> int: ...

    @overload
    def _int(self, where, data: dict, name: str, *, default: None) -> int | None: ...

    def _int(self, where, data: dict, name: str, *, default: int | None) -> int | None:
        value = data.get(name)
        if value is None:
            return default
        if isinstance(value, LongInteger):
            self._problem(where, name, TOO_LARGE, field=name, max=MAX_INT)
            return default
        if isinstance(value, str) and _PLAIN_INTEGER.fullmatch(value.strip()):
            value = int(value.strip()) if len(value.strip()) <= 20 else MAX_INT + 1
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > MAX_INT:
                self._problem(where, name, TOO_LARGE, field=name, max=MAX_INT)
                return default
            return value
        self._problem(where, name, gettext_noop("%(field)s must be a whole number, not %(value)s"),
                      field=name, value=repr(value))
        return default

    def _bool(self, where, data: dict, name: str, *, default: bool) -> bool:
        value = data.get(name, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self._problem(where, name, gettext_noop("%(field)s must be true or false, not %(value)s"),
                      field=name, value=repr(value))
        return default

    def _items(self, where, data: dict, name: str) -> Iterator[tuple[int, dict]]:
        value = data.get(name)
        if value in (None, ""):
            return
        if not isinstance(value, list):
            self._problem(where, name, gettext_noop("%(field)s must be a list"), field=name)
            return
        for number, item in enumerate(value, start=1):
            if isinstance(item, dict):
                yield number, item
            else:
                self._problem(where, name,
                              gettext_noop("item %(number)s of %(field)s must be an object"),
                              number=number, field=name)

    def _note_unknown(self, where, data: dict, known: set[str]) -> None:
        self.ignored.extend((where, key) for key in data if key not in known)

    def _problem(self, where, name: str, template: str, **params: Any) -> None:
        self.problems.append(Problem(where, name, template, params))
