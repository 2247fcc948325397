"""What differs between two segments, rule by rule, and between their JSON
payloads, line by line.

Plain Python on the `Segment` values (Django only translates): `segment_diff()`
builds a small tree of changes (segment fields, then each selection's fields and
rules), `payload_line_diff()` a plain line diff of the pretty JSON, and
`payloads_compare()` does both for two stored payloads, either of which may be
unreadable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum
from itertools import zip_longest
from typing import Any

from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from segbuilder.altcraft.codec import payload_to_json
from segbuilder.altcraft.messages import Where
from segbuilder.altcraft.segment import Param, ParamValue, PayloadError, Rule, Segment, Selection
from segbuilder.catalogue.loader import current_label, rule_kind_of
from segbuilder.segments.problems import field_text, problem_text


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"

    @property
    def label(self) -> str:
        """The change in the current language, for its badge."""
        return str(CHANGE_LABELS[self])


CHANGE_LABELS = {
    Change.ADDED: pgettext_lazy("change", "added"),
    Change.REMOVED: pgettext_lazy("change", "removed"),
    Change.CHANGED: pgettext_lazy("change", "changed"),
}


# Field names, as the tables of changes show them: the builder's own labels
# (the same words, so the same translations; see build/forms.py).
FIELD_LABELS = {
    "name": _("Segment name"),
    "kind": _("Kind"),
    "list_id": _("Database id"),
    "condition": _("Rules combine with"),
    "limit": _("Profile limit"),
    "range": _("Percent range"),
    "rule kind": _("Rule kind"),
    "sub-rule condition": _("Sub-rules combine with"),
    "params": _("Parameters"),
    "param order": _("Order of parameters"),
    "rule compo": _("Source (compo)"),
    "rule name": _("Field (name)"),
    "rule type": _("Data type (type)"),
    "rule operator": _("Operator"),
}
RULE_FIELDS = ("compo", "name", "type", "operator")
# The same four inside a sentence ("Custom rule (source default, field _age, …)").
CUSTOM_FIELD_WORDS = {"compo": _("source"), "name": _("field"), "type": _("data type"),
                      "operator": _("operator")}
# Values shown by their builder words, not Altcraft's keys.
CONDITION_LABELS = {"and": _("All (AND)"), "or": _("Any (OR)")}
KIND_LABELS = {"static": pgettext_lazy("segment kind", "Static"),
               "dynamic": pgettext_lazy("segment kind", "Dynamic"),
               "updatable": pgettext_lazy("segment kind", "Updatable")}
PARAM_PREFIX = "param "
CUSTOM_RULE = "custom rule"


@dataclass(frozen=True)
class FieldChange:
    """One field whose shown value differs; None where the field is absent."""

    name: str
    old: str | None
    new: str | None
    # A param's friendly name from its rule kind, when the kind is known.
    shown_name: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        if self.shown_name is not None:
            return self.shown_name
        if self.name in FIELD_LABELS:
            return str(FIELD_LABELS[self.name])
        if self.name.startswith(PARAM_PREFIX):
            return gettext("Parameter %(name)s") % {"name": self.name[len(PARAM_PREFIX):]}
        return self.name

    @property
    def change(self) -> Change:
        if self.old is None:
            return Change.ADDED
        if self.new is None:
            return Change.REMOVED
        return Change.CHANGED


@dataclass
class RuleDiff:
    """One rule (or sub-rule) added, removed or changed, described in plain words.
    Positions are 1-based within the rule's list, None on the side it is absent."""

    change: Change
    old_position: int | None
    new_position: int | None
    old: str | None
    new: str | None
    fields: list[FieldChange] = field(default_factory=list)
    # Differences between the sub-rules of two rule groups paired as changed.
    children: list[RuleDiff] = field(default_factory=list)
    unchanged_children: int = 0
    depth: int = 0

    @property
    def title(self) -> str:
        if self.old_position is None or self.new_position is None:
            position = str(self.new_position or self.old_position)
        elif self.old_position == self.new_position:
            position = str(self.new_position)
        else:
            position = f"{self.old_position} → {self.new_position}"
        if self.depth:
            return gettext("Sub-rule %(position)s") % {"position": position}
        return gettext("Rule %(position)s") % {"position": position}


@dataclass
class SelectionDiff:
    """One selection, matched with the other segment's by position."""

    position: int
    change: Change
    fields: list[FieldChange] = field(default_factory=list)
    rules: list[RuleDiff] = field(default_factory=list)
    unchanged_rules: int = 0

    def rule_rows(self) -> Iterator[RuleDiff]:
        """Every rule difference, each followed by its sub-rule differences:
        a flat list for templates (which cannot recurse without a partial)."""
        yield from _flatten(self.rules)


@dataclass
class SegmentDiff:
    fields: list[FieldChange] = field(default_factory=list)
    # Only selections that differ; equal ones are counted.
    selections: list[SelectionDiff] = field(default_factory=list)
    unchanged_selections: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.fields or self.selections)


def _flatten(rules: list[RuleDiff]) -> Iterator[RuleDiff]:
    for rule in rules:
        yield rule
        yield from _flatten(rule.children)


# --- segments ---------------------------------------------------------------------------


def segment_diff(old: Segment, new: Segment) -> SegmentDiff:
    """What changed from `old` to `new`: segment fields, then each selection
    (matched by position) with its fields and rules."""
    diff = SegmentDiff(
        fields=_field_changes(
            ("name", old.name, new.name),
            ("kind", _word(KIND_LABELS, str(old.kind)), _word(KIND_LABELS, str(new.kind))),
            ("list_id", _optional(old.list_id), _optional(new.list_id)),
        )
    )
    pairs = zip_longest(old.selections, new.selections)
    for position, (before, after) in enumerate(pairs, start=1):
        selection = _selection_diff(position, before, after)
        if selection.fields or selection.rules:
            diff.selections.append(selection)
        else:
            diff.unchanged_selections += 1
    return diff


def _selection_diff(position: int, old: Selection | None, new: Selection | None) -> SelectionDiff:
    if old is None or new is None:
        # A whole selection added or removed: every field and rule with it.
        present = new if old is None else old
        assert present is not None  # zip_longest pads one side only
        added = old is None
        return SelectionDiff(
            position=position,
            change=Change.ADDED if added else Change.REMOVED,
            fields=[
                FieldChange(name, None if added else value, value if added else None)
                for name, value in _selection_fields(present)
            ],
            rules=[
                _one_sided(rule, number, added=added, depth=0)
                for number, rule in enumerate(present.rules, start=1)
            ],
        )
    rules, unchanged = _rules_diff(old.rules, new.rules, depth=0)
    pairs = zip(_selection_fields(old), _selection_fields(new), strict=True)
    return SelectionDiff(
        position=position,
        change=Change.CHANGED,
        fields=_field_changes(*((name, before, after) for (name, before), (_, after) in pairs)),
        rules=rules,
        unchanged_rules=unchanged,
    )


def _selection_fields(selection: Selection) -> list[tuple[str, str]]:
    limit = gettext("0 (no limit)") if selection.limit == 0 else str(selection.limit)
    return [
        ("list_id", _optional(selection.list_id) or "—"),
        ("condition", _word(CONDITION_LABELS, selection.condition)),
        ("limit", limit),
        ("range", f"{selection.percent_from}–{selection.percent_to}%"),
    ]


# --- rules ----------------------------------------------------------------------------------


def _rules_diff(old: Sequence[Rule], new: Sequence[Rule], *,
                depth: int) -> tuple[list[RuleDiff], int]:
    """The differences between two rule lists, and how many rules are equal.

    Rules are aligned on their whole content, so one rule inserted in the middle
    is one addition, not a change of every later rule. Inside each block that
    differs, rules of the same kind at the same place are paired as changed."""
    matcher = SequenceMatcher(
        None, [_content_key(rule) for rule in old], [_content_key(rule) for rule in new],
        autojunk=False,
    )
    diffs: list[RuleDiff] = []
    unchanged = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            unchanged += i2 - i1
        else:
            diffs.extend(_block_diff(old, new, (i1, i2), (j1, j2), depth=depth))
    return diffs, unchanged


def _block_diff(old: Sequence[Rule], new: Sequence[Rule], old_span: tuple[int, int],
                new_span: tuple[int, int], *, depth: int) -> Iterator[RuleDiff]:
    (i1, i2), (j1, j2) = old_span, new_span
    matcher = SequenceMatcher(
        None, [_identity_key(rule) for rule in old[i1:i2]],
        [_identity_key(rule) for rule in new[j1:j2]], autojunk=False,
    )
    for _tag, a1, a2, b1, b2 in matcher.get_opcodes():
        olds = range(i1 + a1, i1 + a2)
        news = range(j1 + b1, j1 + b2)
        paired = min(len(olds), len(news))
        for i, j in zip(olds[:paired], news[:paired], strict=True):
            yield _rule_change(old[i], new[j], i + 1, j + 1, depth=depth)
        for i in olds[paired:]:
            yield _one_sided(old[i], i + 1, added=False, depth=depth)
        for j in news[paired:]:
            yield _one_sided(new[j], j + 1, added=True, depth=depth)


def _content_key(rule: Rule) -> str:
    # Every field, types included, so a value 2 and a value "2" differ.
    return json.dumps(asdict(rule), sort_keys=True, ensure_ascii=False)


def _identity_key(rule: Rule) -> tuple[str, ...]:
    if rule.is_group and not rule.has_own_fields:
        return ("group",)
    kind = rule_kind_of(rule)
    if kind is not None:
        return ("kind", kind.key)
    return (CUSTOM_RULE, rule.compo, rule.name, rule.type, rule.operator)


def _one_sided(rule: Rule, position: int, *, added: bool, depth: int) -> RuleDiff:
    description = describe_rule(rule)
    return RuleDiff(
        change=Change.ADDED if added else Change.REMOVED,
        old_position=None if added else position,
        new_position=position if added else None,
        old=None if added else description,
        new=description if added else None,
        depth=depth,
    )


def _rule_change(old: Rule, new: Rule, old_position: int, new_position: int, *,
                 depth: int) -> RuleDiff:
    fields = _field_changes(("rule kind", _kind_label(old), _kind_label(new)))
    if not fields or _is_custom(old) or _is_custom(new):
        # Between two known kinds, the kind says what compo/name/type/operator became.
        fields += _field_changes(
            *((f"rule {name}", getattr(old, name) or None, getattr(new, name) or None)
              for name in RULE_FIELDS)
        )
    fields += _param_changes(old.params, new.params, _param_labels(old, new))
    fields += _field_changes(("sub-rule condition", _condition_word(old.condition),
                              _condition_word(new.condition)))
    children, unchanged = _rules_diff(old.children, new.children, depth=depth + 1)
    return RuleDiff(
        change=Change.CHANGED,
        old_position=old_position,
        new_position=new_position,
        old=describe_rule(old),
        new=describe_rule(new),
        fields=fields,
        children=children,
        unchanged_children=unchanged,
        depth=depth,
    )


def _param_labels(*rules: Rule) -> dict[str, str]:
    """Param names in the current language, from the rules' known kinds."""
    labels: dict[str, str] = {}
    for rule in rules:
        kind = rule_kind_of(rule)
        for spec in kind.params if kind is not None else ():
            labels.setdefault(spec.name, current_label(spec))
    return labels


def _word(words: dict, value: str) -> str:
    """A key in the builder's words, or as it is when the builder has none."""
    return str(words[value]) if value in words else value


def _condition_word(condition: str) -> str | None:
    return _word(CONDITION_LABELS, condition) if condition else None


def _param_changes(old: list[Param], new: list[Param],
                   labels: dict[str, str]) -> list[FieldChange]:
    old_names = [param.name for param in old]
    new_names = [param.name for param in new]
    if len(set(old_names)) < len(old_names) or len(set(new_names)) < len(new_names):
        # A name given twice cannot be matched by name: compare the lists whole.
        return _field_changes(("params", params_text(old) or None, params_text(new) or None))
    before = {param.name: value_text(param.value) for param in old}
    after = {param.name: value_text(param.value) for param in new}
    names = old_names + [name for name in new_names if name not in before]
    changes = [
        FieldChange(change.name, change.old, change.new,
                    shown_name=labels.get(change.name[len(PARAM_PREFIX):]))
        for change in _field_changes(
            *((f"{PARAM_PREFIX}{name}", before.get(name), after.get(name)) for name in names))
    ]
    if not changes and old_names != new_names:
        changes = [FieldChange("param order", ", ".join(old_names), ", ".join(new_names))]
    return changes


def _is_custom(rule: Rule) -> bool:
    return _identity_key(rule)[0] == CUSTOM_RULE


def _kind_label(rule: Rule) -> str:
    if rule.is_group and not rule.has_own_fields:
        return gettext("rule group")
    kind = rule_kind_of(rule)
    return current_label(kind) if kind is not None else gettext("custom rule")


# --- plain words ---------------------------------------------------------------------------


def describe_rule(rule: Rule) -> str:
    """A rule in plain words: its rule kind and params ("Was in static segment:
    segment_id 2"), a custom rule by its fields, a group with its sub-rules."""
    if not rule.is_group:
        return _describe_own(rule)
    children = "; ".join(describe_rule(child) for child in rule.children)
    values = {"joined_by": _condition_word(rule.condition) or gettext("no condition"),
              "children": children}
    if rule.has_own_fields:
        values["rule"] = _describe_own(rule)
        return gettext("%(rule)s, with sub-rules combined by %(joined_by)s: %(children)s") % (
            values)
    return gettext("Rule group combined by %(joined_by)s: %(children)s") % values


def _describe_own(rule: Rule) -> str:
    kind = rule_kind_of(rule)
    if kind is not None:
        head = current_label(kind)
        labels = {spec.name: current_label(spec) for spec in kind.params}
    else:
        fields = ", ".join(
            f"{CUSTOM_FIELD_WORDS[name]} {getattr(rule, name) or '—'}" for name in RULE_FIELDS
        )
        head = gettext("Custom rule (%(fields)s)") % {"fields": fields}
        labels = {}
    params = params_text(rule.params, labels)
    return f"{head}: {params}" if params else head


def params_text(params: list[Param], labels: dict[str, str] | None = None) -> str:
    """Params as "name value", each name by its kind's label when known."""
    labels = labels or {}
    return ", ".join(f"{labels.get(param.name, param.name)} {value_text(param.value)}"
                     for param in params)


def value_text(value: ParamValue) -> str:
    """A param value as shown: a number bare, text in quotes (2 is not "2")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _optional(value: int | None) -> str | None:
    return None if value is None else str(value)


def _field_changes(*triples: tuple[str, str | None, str | None]) -> list[FieldChange]:
    return [FieldChange(name, old, new) for name, old, new in triples if old != new]


# --- payload lines ---------------------------------------------------------------------


class LineTag(StrEnum):
    EQUAL = "equal"
    ADDED = "added"
    REMOVED = "removed"
    # Stands for a run of equal lines left out between two hunks.
    SKIPPED = "skipped"


LINE_MARKERS = {LineTag.EQUAL: " ", LineTag.ADDED: "+", LineTag.REMOVED: "-", LineTag.SKIPPED: "…"}


@dataclass(frozen=True)
class DiffLine:
    tag: LineTag
    text: str
    old_number: int | None = None
    new_number: int | None = None

    @property
    def marker(self) -> str:
        return LINE_MARKERS[self.tag]


def payload_line_diff(old: Any, new: Any, *, context: int | None = 3) -> list[DiffLine]:
    """A unified line diff of the two payloads as pretty JSON: `context` equal
    lines around each change, the rest as SKIPPED lines; context None, or equal
    payloads, give every line."""
    old_lines = payload_to_json(old).splitlines()
    new_lines = payload_to_json(new).splitlines()
    matcher = SequenceMatcher(None, old_lines, new_lines)
    groups: list[list[tuple[str, int, int, int, int]]]
    if context is None or old_lines == new_lines:
        groups = [list(matcher.get_opcodes())]
    else:
        groups = list(matcher.get_grouped_opcodes(context))
    lines: list[DiffLine] = []
    shown_to = 0  # old lines before this index are shown or skipped already
    for group in groups:
        lines.extend(_skipped(group[0][1] - shown_to))
        for tag, i1, i2, j1, j2 in group:
            lines.extend(_group_lines(tag, old_lines, new_lines, (i1, i2), (j1, j2)))
        shown_to = group[-1][2]
    lines.extend(_skipped(len(old_lines) - shown_to))
    return lines


def _group_lines(tag: str, old_lines: list[str], new_lines: list[str],
                 old_span: tuple[int, int], new_span: tuple[int, int]) -> Iterator[DiffLine]:
    (i1, i2), (j1, j2) = old_span, new_span
    if tag == "equal":
        for offset, text in enumerate(old_lines[i1:i2]):
            yield DiffLine(LineTag.EQUAL, text, i1 + offset + 1, j1 + offset + 1)
        return
    for i in range(i1, i2):
        yield DiffLine(LineTag.REMOVED, old_lines[i], old_number=i + 1)
    for j in range(j1, j2):
        yield DiffLine(LineTag.ADDED, new_lines[j], new_number=j + 1)


def _skipped(count: int) -> list[DiffLine]:
    if count <= 0:
        return []
    text = ngettext("%(count)d unchanged line", "%(count)d unchanged lines", count)
    return [DiffLine(LineTag.SKIPPED, text % {"count": count})]


# --- two stored payloads ------------------------------------------------------------------


@dataclass
class PayloadComparison:
    """Two payloads compared: the segment diff when both can be read, else the
    reason each cannot; the line diff always."""

    segments: SegmentDiff | None
    lines: list[DiffLine]
    old_problem: str | None = None
    new_problem: str | None = None
    # Fields the segment diff cannot see (only the line diff shows them).
    old_ignored: list[str] = field(default_factory=list)
    new_ignored: list[str] = field(default_factory=list)


def payloads_compare(*, old: Any, new: Any) -> PayloadComparison:
    old_segment, old_problem, old_ignored = _read(old)
    new_segment, new_problem, new_ignored = _read(new)
    segments = None
    if old_segment is not None and new_segment is not None:
        segments = segment_diff(old_segment, new_segment)
    return PayloadComparison(
        segments=segments,
        lines=payload_line_diff(old, new),
        old_problem=old_problem,
        new_problem=new_problem,
        old_ignored=old_ignored,
        new_ignored=new_ignored,
    )


def _read(payload: Any) -> tuple[Segment | None, str | None, list[str]]:
    ignored: list[tuple[Where, str]] = []
    try:
        segment = Segment.from_payload(payload, ignored=ignored)
    except PayloadError as error:
        problems = "; ".join(problem_text(problem) for problem in error.problems)
        return None, problems, [field_text(*where) for where in ignored]
    return segment, None, [field_text(*where) for where in ignored]
