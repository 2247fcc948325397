"""One helper to build the builder's nested formset POST data, as a browser
would post it, from plain nested dicts and lists."""

from __future__ import annotations

from typing import Any

NESTED = ("rules", "children", "params")


def builder_data(*, name: str = "Segment", kind: str = "dynamic", format: str = "json",
                 list_id: Any = "", selections: list[dict] | None = None,
                 action: str = "preview") -> dict[str, Any]:
    """POST data of the builder: the segment fields, then the selections."""
    data = {"name": name, "kind": kind, "format": format, "list_id": list_id, "action": action}
    data.update(formset_data("selections", selections or []))
    return data


def formset_data(prefix: str, rows: list[dict], *, initial: int = 0) -> dict[str, Any]:
    """A formset's management form and rows; a row's "rules", "children" and
    "params" lists become its nested formsets. `DELETE: True` deletes a row."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        row_prefix = f"{prefix}-{index}"
        for key, value in row.items():
            if key in NESTED:
                data.update(formset_data(f"{row_prefix}-{key}", value))
            elif key == "DELETE":
                if value:
                    data[f"{row_prefix}-DELETE"] = "on"
            else:
                data[f"{row_prefix}-{key}"] = value
        # As the page posts it: a custom rule carries its params formset and a
        # top-level rule its children formset, even when empty.
        if "kind" in row:
            nested = ("params",) if row["kind"] == "custom" else ()
            if not prefix.endswith("-children"):
                nested += ("children",)
            for key in nested:
                data.setdefault(f"{row_prefix}-{key}-TOTAL_FORMS", 0)
                data.setdefault(f"{row_prefix}-{key}-INITIAL_FORMS", 0)
    return data


def selection(*rules: dict, list_id: Any = 1, condition: str = "and", limit: Any = 0,
              percent_from: Any = 0, percent_to: Any = 100, **extra) -> dict:
    return {"list_id": list_id, "condition": condition, "limit": limit,
            "percent_from": percent_from, "percent_to": percent_to, "rules": list(rules), **extra}


def statseg(segment_id: Any = 1, **extra) -> dict:
    return {"kind": "statseg", "statseg__segment_id": segment_id, **extra}


def domaingroup(group: str, **extra) -> dict:
    return {"kind": "domaingroup", "domaingroup__domaingroup": group, **extra}


def custom(compo: str, name: str, type: str, operator: str, *params: dict, **extra) -> dict:
    return {"kind": "custom", "compo": compo, "name": name, "type": type,
            "operator": operator, "params": list(params), **extra}


def param(name: str, value: Any, value_type: str = "text", **extra) -> dict:
    return {"name": name, "value": value, "value_type": value_type, **extra}


def group(*children: dict, condition: str = "or", **extra) -> dict:
    return {"kind": "group", "condition": condition, "children": list(children), **extra}


# The builder POST data that produces each documented example (typos corrected).
DOCUMENTED = {
    "static": dict(name="Segment 2", kind="static", list_id=5),
    "dynamic": dict(name="Dynamic segment", kind="dynamic",
                    selections=[selection(statseg(1), statseg(2), percent_to=99)]),
    "updatable": dict(name="New segment 2", kind="updatable", list_id=1,
                      selections=[selection(domaingroup("Yahoo! (US)"), percent_to=99)]),
}
