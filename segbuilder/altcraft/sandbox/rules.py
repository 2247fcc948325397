"""The sandbox's own check of what a request carries, from
shared/altcraft/API.md and the docs' page: at least as strict as the docs,
every problem of a request at once, each with where it is
(`segment[1].queries[2]: operator is required`, positions from 1).

It deliberately does not reuse the application's validation (segment.py):
it is the independent check of what the application sends."""

from __future__ import annotations

import json
from typing import Any, TypeGuard

CONDITIONS = ("and", "or")

# Fields each object of a `segments/add/` request may have (besides token/format).
SEGMENT_FIELDS = frozenset({"name", "is_static", "is_refresh_daily", "list_id", "segment"})
SELECTION_FIELDS = frozenset(
    {"condition", "limit", "list_id", "percent_from", "percent_to", "queries"}
)
RULE_FIELDS = frozenset({"compo", "name", "type", "operator", "value", "condition", "child"})
RULE_TEXT_FIELDS = ("compo", "name", "type", "operator")
PARAM_FIELDS = frozenset({"name", "value"})
UPDATE_FIELDS = SEGMENT_FIELDS | {"id"}


class Refusal(Exception):
    """An error answer: the envelope's `error` code and `error_text`."""

    def __init__(self, code: int, text: str):
        super().__init__(text)
        self.code = code
        self.text = text


class _Problems:
    """Collects problems, each as "location: message"."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}" if where else message)


def segment_problems(params: dict) -> list[str]:
    """Every problem of a `segments/add/` request (token and format removed)."""
    problems = _Problems()
    _check_segment(params, problems)
    return problems.items


def update_problems(params: dict, stored: dict) -> list[str]:
    """Every problem of a `segments/update/` request for the segment whose
    create request was `stored`: the rules are checked as for a create of
    the stored kind, and neither the kind nor a database may change."""
    problems = _Problems()
    kind = segment_kind(stored)
    given = {"is_static": stored.get("is_static", False),
             "is_refresh_daily": stored.get("is_refresh_daily", False), **params}
    given.pop("id", None)
    if kind == "static":
        given.setdefault("list_id", stored.get("list_id"))
    _check_segment(given, problems, UPDATE_FIELDS)
    if not problems.items and segment_kind(given) != kind:
        problems.add("", f"the kind of a segment cannot change (it is {kind})")
    databases = _databases(stored)
    for list_id in sorted(_databases(given) - databases):
        problems.add("", f"database {list_id} is not this segment's (its database cannot change)")
    return problems.items


def _databases(params: dict) -> set[int]:
    found = {params["list_id"]} if _is_int(params.get("list_id")) else set()
    for selection in params.get("segment") or []:
        if isinstance(selection, dict) and _is_int(selection.get("list_id")):
            found.add(selection["list_id"])
    return found


def segment_kind(params: dict) -> str:
    """The kind of a valid request, as API.md's table names it (a missing
    is_static means false: a dynamic segment, as the docs say)."""
    if not params.get("is_static", False):
        return "dynamic"
    return "updatable" if params.get("is_refresh_daily") else "static"


def _check_segment(params: dict, problems: _Problems,
                   known: frozenset[str] = SEGMENT_FIELDS) -> None:
    _check_unknown("", params, known, problems)
    name = params.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add("", "name is required (non-empty text)")
    if "list_id" in params:
        _check_id("", "list_id", params["list_id"], problems)
    kind = _check_kind(params, problems)
    if kind == "static":
        _check_static(params, problems)
    elif kind is not None:
        _check_selections(params, kind, problems)


def _check_kind(params: dict, problems: _Problems) -> str | None:
    is_static = params.get("is_static", False)
    refresh = params.get("is_refresh_daily", False)
    known = True
    if not isinstance(is_static, bool):
        problems.add("", f"is_static must be true or false, not {_shown(is_static)}")
        known = False
    if not isinstance(refresh, bool):
        problems.add("", f"is_refresh_daily must be true or false, not {_shown(refresh)}")
        known = False
    if not known:
        return None
    if not is_static and refresh:
        problems.add("", "is_refresh_daily must be false or absent for a dynamic segment")
        return None
    return segment_kind(params)


def _check_static(params: dict, problems: _Problems) -> None:
    if "list_id" not in params:
        problems.add("", "list_id is required for a static segment (its database id)")
    if params.get("segment") not in (None, [], ""):
        problems.add(
            "segment",
            "a static segment takes no rules (use is_refresh_daily true for an updatable one)",
        )


def _check_selections(params: dict, kind: str, problems: _Problems) -> None:
    selections = params.get("segment")
    if not isinstance(selections, list) or not selections:
        problems.add("segment", f"a {kind} segment needs rules: at least one selection")
        return
    for number, selection in enumerate(selections, start=1):
        _check_selection(f"segment[{number}]", selection, problems)


def _check_selection(where: str, selection: Any, problems: _Problems) -> None:
    if not isinstance(selection, dict):
        problems.add(where, "must be an object")
        return
    _check_unknown(where, selection, SELECTION_FIELDS, problems)
    _check_id(where, "list_id", selection.get("list_id"), problems)
    _check_condition(where, selection, problems)
    _check_int(where, selection, "limit", 0, None, problems)
    low = _check_int(where, selection, "percent_from", 0, 99, problems)
    high = _check_int(where, selection, "percent_to", 1, 100, problems)
    if low is not None and high is not None and low >= high:
        problems.add(where, f"percent_from ({low}) must be less than percent_to ({high})")
    queries = selection.get("queries")
    if not isinstance(queries, list) or not queries:
        problems.add(where, "queries is required: at least one rule")
        return
    for number, rule in enumerate(queries, start=1):
        _check_rule(f"{where}.queries[{number}]", rule, problems, depth=0)


def _check_rule(where: str, rule: Any, problems: _Problems, *, depth: int) -> None:
    if not isinstance(rule, dict):
        problems.add(where, "must be an object")
        return
    _check_unknown(where, rule, RULE_FIELDS, problems)
    is_group = _check_group(where, rule, problems, depth=depth)
    for field in RULE_TEXT_FIELDS:
        value = rule.get(field)
        if not is_group and (not isinstance(value, str) or not value.strip()):
            problems.add(where, f"{field} is required")
        elif is_group and value is not None and not isinstance(value, str):
            problems.add(where, f"{field} must be text")
    if not is_group or "value" in rule:
        _check_params(where, rule.get("value"), problems)
    if is_group and depth == 0:
        for number, child in enumerate(rule["child"], start=1):
            _check_rule(f"{where}.child[{number}]", child, problems, depth=depth + 1)


def _check_group(where: str, rule: dict, problems: _Problems, *, depth: int) -> bool:
    """Check `condition` + `child`, which come together; True for a rule group."""
    has_child, has_condition = "child" in rule, "condition" in rule
    if not has_child and not has_condition:
        return False
    if not has_child:
        problems.add(where, "condition is given without child (omit both for a plain rule)")
        return False
    child = rule["child"]
    if not isinstance(child, list) or not child:
        problems.add(
            where, "child must be a non-empty list (omit condition and child for a plain rule)"
        )
        return False
    if depth > 0:
        problems.add(where, "a rule inside a group cannot have child rules (one level deep only)")
        return False
    if not has_condition:
        problems.add(where, "condition is required with child (and/or)")
    else:
        _check_condition(where, rule, problems)
    return True


def _check_params(where: str, params: Any, problems: _Problems) -> None:
    if not isinstance(params, list):
        problems.add(where, "value is required: a list of {name, value} parameters")
        return
    for number, param in enumerate(params, start=1):
        here = f"{where}.value[{number}]"
        if not isinstance(param, dict):
            problems.add(here, "must be an object with name and value")
            continue
        _check_unknown(here, param, PARAM_FIELDS, problems)
        name = param.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.add(here, "name is required")
        value = param.get("value")
        if "value" not in param:
            problems.add(here, "value is required")
        elif isinstance(value, bool) or not isinstance(value, str | int):
            problems.add(here, f"value must be text or a whole number, not {_shown(value)}")


def _check_condition(where: str, data: dict, problems: _Problems) -> None:
    value = data.get("condition")
    if value is None:
        problems.add(where, 'condition is required ("and" or "or")')
    elif value not in CONDITIONS:
        problems.add(where, f'condition must be "and" or "or", not {_shown(value)}')


def _check_id(where: str, field: str, value: Any, problems: _Problems) -> None:
    if value is None:
        problems.add(where, f"{field} is required (a database id)")
    elif not _is_int(value) or value < 1:
        problems.add(where, f"{field} must be a whole number of 1 or more, not {_shown(value)}")


def _check_int(
    where: str, data: dict, field: str, low: int, high: int | None, problems: _Problems
) -> int | None:
    """Check a required integer in [low, high]; return it if it is fine."""
    value = data.get(field)
    if value is None:
        problems.add(where, f"{field} is required")
        return None
    if not _is_int(value) or value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
        problems.add(where, f"{field} must be a whole number {bounds}, not {_shown(value)}")
        return None
    return value


def _check_unknown(where: str, data: dict, known: frozenset[str], problems: _Problems) -> None:
    for key in data:
        if key not in known:
            problems.add(where, f"unknown field {key!r}")


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A value as JSON would write it, shortened: messages quote what was sent."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- demo data ------------------------------------------------------------------------
