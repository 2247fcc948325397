"""The builder's forms: the segment form, and nested formsets of selections ->
rules -> params (a rule may hold sub-rules one level deep).

Forms stop at clean data: `BuilderForms.segment()` gives the plain Segment.
They never build payloads or talk HTTP (DESIGN.md, data flow).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.forms import BaseFormSet, formset_factory
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from segbuilder.altcraft.rulekinds import CUSTOM, ParamSpec
from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection
from segbuilder.catalogue.loader import Catalogue, catalogue, current_label
from segbuilder.segments.build.edits import EditForm
from segbuilder.segments.build.row_budget import (
    ABSOLUTE_MAX_FACTOR,
    MAX_PARAMS_IN_RULE,
    MAX_RULES_IN_SELECTION,
    MAX_SELECTIONS,
    MAX_SUB_RULES_IN_GROUP,
    is_ticked,
)

# Rows per level (row_budget.py also caps the whole segment, before any form
# is built).
MAX_RULES = MAX_RULES_IN_SELECTION
MAX_SUB_RULES = MAX_SUB_RULES_IN_GROUP
MAX_PARAMS = MAX_PARAMS_IN_RULE

GROUP = "group"
# Ids and counts are stored as 64-bit integers.
MAX_INT = 2**63 - 1
# Texts are lazy: module-level forms are built once, at import, but shown in
# the language of each request.
TAMPERED_MESSAGE = _(
    "Part of this form arrived incomplete or altered (its row counts are missing or wrong), "
    "so its rows could not be read. Add them again, or start from a fresh builder page."
)
OWN_RULE_FIELDS = ("compo", "name", "type", "operator")
CONDITION_CHOICES = [("and", _("All (AND)")), ("or", _("Any (OR)"))]
KIND_CHOICES = [
    (Kind.STATIC.value, pgettext_lazy("segment kind", "Static")),
    (Kind.DYNAMIC.value, pgettext_lazy("segment kind", "Dynamic")),
    (Kind.UPDATABLE.value, pgettext_lazy("segment kind", "Updatable")),
]
KIND_HELP = {
    Kind.STATIC: _("a fixed list: every profile of one database, taken once."),
    Kind.DYNAMIC: _("profiles that match the rules at the moment the segment is used."),
    Kind.UPDATABLE: _("a static segment whose rules are applied again every day."),
}
FORMAT_CHOICES = [("json", "JSON"), ("xml", "XML")]
VALUE_TYPE_CHOICES = [("text", _("Text")), ("number", _("Number"))]


# Id params that offer one of Altcraft's lists (segments/pickers.py): by the
# param's type in the catalogue.
PICKED_PARAMS = {"segment": "segments", "database": "databases", "resource": "resources"}


def picker_widget(picker: str) -> forms.TextInput:
    """An id input for Altcraft's list `picker`, which static/js/combobox.js
    turns into a combobox that shows names and posts this input (without
    script, <datalist id="picker-{picker}"> of templates/segments/_pickers.html
    offers the list). Text, not number: a name may be typed in it.
    inputmode brings up the digits keyboard; cleaning is the field's own."""
    return forms.TextInput(attrs={"inputmode": "numeric", "list": f"picker-{picker}",
                                  "data-picker": picker})


# Characters XML 1.0 cannot carry (control characters but tab, newline and
# carriage return; lone surrogates; U+FFFE/U+FFFF): Altcraft could not be sent
# them in an XML request, so they are refused in both formats.
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def validate_xml_text(value: str) -> None:
    if _NOT_XML_TEXT.search(value):
        raise forms.ValidationError(
            _("This text holds an invisible control character, which Altcraft cannot "
              "take. Retype it, or remove what was pasted with it."), code="control_character")


class TextField(forms.CharField):
    """A CharField for text sent to Altcraft."""

    default_validators = [validate_xml_text]


def kind_param_field_name(kind_key: str, param_name: str) -> str:
    return f"{kind_key}__{param_name}"


# --- formset machinery ------------------------------------------------------------


class NestedForm(forms.Form):
    """A form that owns child formsets, built only while the row is live (a
    row marked for deletion is neither validated nor kept, so its children
    are not built). `has_changed()` looks at them too, so a row whose own
    fields are untouched but whose children are filled is kept; the form is
    valid when its children are."""

    def __init__(self, *args, **kwargs):
        # The rows write their labels without a suffix (templates/segments/rows.jinja).
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Read raw, as the formset's DELETE box will read it: the children
        # depend on it, and they are built before the formset adds the box.
        self.marked_deleted = self.is_bound and is_ticked(
            self.data, self.add_prefix(DELETION_FIELD_NAME))

    def child_formsets(self) -> list[NestedFormSet]:
        return []

    def has_changed(self) -> bool:
        return super().has_changed() or any(fs.has_changed() for fs in self.child_formsets())

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.empty_permitted and not self.has_changed():
            return valid  # an untouched extra row is dropped, children and all
        # Every child is validated (no short cut), so each shows its errors.
        children_valid = [formset.is_valid() for formset in self.child_formsets()]
        return valid and all(children_valid)


class NestedFormSet(BaseFormSet):
    """A formset of NestedForms: Django validates every row but deleted ones
    (NestedForm.is_valid takes in its children)."""

    forms: list[NestedForm]

    def live_forms(self) -> list[NestedForm]:
        """The rows that are part of the segment: neither deleted nor empty extras."""
        return [form for form in self.forms if self.is_live(form)]

    def is_live(self, form: NestedForm) -> bool:
        if form.empty_permitted and not form.has_changed():
            return False
        return not form.marked_deleted

    def non_form_errors(self):
        errors = super().non_form_errors()
        if self.is_bound and not self.management_form.is_valid():
            # Django adds "too few forms" to its own message; say what happened, once.
            return self.error_class([TAMPERED_MESSAGE], error_class="nonform",
                                    renderer=self.renderer)
        return errors

    def error_count(self) -> int:
        count = len(self.non_form_errors())
        for form in self.live_forms():
            count += sum(len(errors) for errors in form.errors.values())
            count += sum(child.error_count() for child in form.child_formsets())
        return count


def nested_formset(form, *, max_num: int, min_num: int, messages: dict,
                   formset: type[NestedFormSet] = NestedFormSet):
    made = formset_factory(
        form,
        formset=formset,
        extra=0,
        min_num=min_num,
        max_num=max_num,
        # Room for rows added then removed in the browser (indexes are never reused).
        absolute_max=max_num * ABSOLUTE_MAX_FACTOR,
        validate_min=min_num > 0,
        validate_max=True,
        can_delete=True,
    )
    made.default_error_messages = {**BaseFormSet.default_error_messages, **messages}
    return made


# --- params ---------------------------------------------------------------------


# A custom rule's data types (its `type` field) whose params are whole numbers.
NUMBER_DATA_TYPES = frozenset({"int", "integer", "number"})
_WHOLE_NUMBER = re.compile(r"-?\d+")


class ParamForm(NestedForm):
    """A custom rule's param. Its value's type is what the person set, or,
    in the browser, what was typed (static/js/param_types.js); a value that
    cannot be the rule's data type is refused here, before anything is sent."""

    name = TextField(label=_("Parameter"), max_length=255)
    value = TextField(label=_("Value"), required=False, strip=False, max_length=10_000)
    value_type = forms.ChoiceField(label=_("Type"), choices=VALUE_TYPE_CHOICES, initial="text")

    def clean(self):
        data = super().clean()
        if "value" not in data:
            return data
        if data.get("value_type") == "number":
            try:
                data["value"] = int(data["value"].strip())
            except ValueError:
                self.add_error("value", gettext("Enter a whole number, or set the type to Text."))
            else:
                if abs(data["value"]) > MAX_INT:
                    self.add_error("value", gettext("This number is too large."))
        elif self.rule_data_type() in NUMBER_DATA_TYPES and data["value"].strip() \
                and not _WHOLE_NUMBER.fullmatch(data["value"].strip()):
            # A number kept as text ("18") round-trips as it came; a word does not fit.
            self.add_error("value", gettext(
                "This rule's data type is %(type)s, which takes whole numbers: "
                "enter one, or change the data type.") % {"type": self.rule_data_type()})
        return data

    def rule_data_type(self) -> str:
        """The data type (`type`) of the custom rule this param belongs to, as
        posted: the param's prefix is its rule's prefix plus `-params-N`."""
        if not self.is_bound:
            return ""
        rule_prefix = (self.prefix or "").rpartition("-params-")[0]
        value = self.data.get(f"{rule_prefix}-type") if rule_prefix else None
        return value.strip().lower() if isinstance(value, str) else ""

    def to_param(self) -> Param:
        return Param(self.cleaned_data["name"], self.cleaned_data["value"])

    @staticmethod
    def initial_of(param: Param) -> dict:
        is_number = isinstance(param.value, int)
        return {"name": param.name, "value": param.value,
                "value_type": "number" if is_number else "text"}


ParamFormSet = nested_formset(
    ParamForm, max_num=MAX_PARAMS, min_num=0,
    # Django fills in %(num)d (the formset's max_num) when it reports the error.
    messages={"too_many_forms": ngettext_lazy("A rule takes at most %(num)d parameter.",
                                              "A rule takes at most %(num)d parameters.", "num")},
)


# --- rules ----------------------------------------------------------------------


# A kind's or param's name in the current language, evaluated each time it
# is shown.
_lazy_label = lazy(current_label, str)


def _kind_choices(known: Catalogue, depth: int) -> list[tuple[str, Any]]:
    """The catalogue's kinds, then a custom rule (and a group, for a rule)."""
    choices: list[tuple[str, Any]] = [(kind.key, _lazy_label(kind)) for kind in known.kinds]
    choices.append((CUSTOM, _("Custom rule (enter its fields)")))
    if depth == 0:
        choices.append((GROUP, _("Group of sub-rules only")))
    return choices


def _kind_param_field(kind_key: str, spec: ParamSpec) -> forms.Field:
    """A known kind's param as a typed field, by its type in the catalogue: a
    number input for a number, an id input offering Altcraft's list for a
    picked id, a select for a fixed list, else a text input offering the
    values known for it (<datalist>s of templates/segments/_known_values.html)."""
    if spec.type is int:
        picker = PICKED_PARAMS.get(spec.input)
        return forms.IntegerField(label=_lazy_label(spec), required=False, min_value=1,
                                  max_value=MAX_INT,
                                  widget=picker_widget(picker) if picker else None)
    if spec.choices:
        return forms.ChoiceField(label=_lazy_label(spec), required=False,
                                 choices=[("", "—"), *((value, value) for value in spec.choices)])
    return TextField(label=_lazy_label(spec), required=False, max_length=10_000,
                     widget=forms.TextInput(attrs={
                         "list": known_values_id(kind_key, spec.name), "autocomplete": "off"}))


def known_values_id(kind_key: str, param_name: str) -> str:
    """The id of the <datalist> of a known kind's text param."""
    return "known-" + kind_param_field_name(kind_key, param_name)


# A custom rule's own fields, copied into a rule that holds that kind (as
# Django copies a form's base fields). strip=False: what was typed or
# imported is sent exactly (API.md: values are text and must round-trip).
CUSTOM_FIELDS: dict[str, forms.Field] = {
    "compo": TextField(label=_("Source (compo)"), required=False, max_length=255, strip=False),
    "name": TextField(label=_("Field (name)"), required=False, max_length=255, strip=False),
    "type": TextField(label=_("Data type (type)"), required=False, max_length=255, strip=False),
    "operator": TextField(label=_("Operator"), required=False, max_length=255, strip=False),
}


def kind_fields(known: Catalogue, kind_key: str) -> dict[str, forms.Field]:
    """New fields for a rule of `kind_key`: a known kind's params (built
    from the catalogue, so an edit in the admin shows at once), a custom
    rule's own fields, or none (a group)."""
    if kind_key == CUSTOM:
        return {name: copy.deepcopy(field) for name, field in CUSTOM_FIELDS.items()}
    kind = known.by_key.get(kind_key)
    if kind is None:
        return {}
    return {kind_param_field_name(kind.key, spec.name): _kind_param_field(kind.key, spec)
            for spec in kind.params}


def panel_kinds(known: Catalogue) -> list[str]:
    """The kinds with a param panel of their own (a group has none)."""
    return [*(kind.key for kind in known.kinds), CUSTOM]


class RuleForm(NestedForm):
    """A rule (depth 0) or a sub-rule (depth 1): a known rule kind with its
    named params, a custom rule with free fields and params, and, at depth 0,
    sub-rules combined by `condition`.

    Only the fields of the kind the rule holds (as posted, or as its initial
    data says) are built, shown and validated: the page swaps in another
    kind's panel when the kind changes (static/js/builder.js)."""

    kind = forms.ChoiceField(label=_("Rule kind"))
    condition = forms.ChoiceField(
        label=_("Sub-rules combine with"), choices=CONDITION_CHOICES, initial="and",
        required=False,
    )

    def __init__(self, *args, depth: int = 0, **kwargs):
        initial = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.depth = depth
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        # The catalogue's kinds as they are now (the admin may have changed them).
        # Read once per row: the cache hands out a fresh copy each time.
        self.catalogue = catalogue()
        kind_field.choices = _kind_choices(self.catalogue, depth)
        kind_field.initial = kind_field.choices[0][0]
        if depth:
            del self.fields["condition"]
        self.held_kind = self["kind"].value() or ""
        held_fields = kind_fields(self.catalogue, self.held_kind)
        self.fields.update(held_fields)
        self.held_field_names = list(held_fields)
        data = self.data if self.is_bound else None
        live = not self.marked_deleted
        self.params = None
        if live and self.held_kind == CUSTOM:
            self.params = ParamFormSet(data, prefix=f"{self.prefix}-params",
                                       initial=initial.get("params"))
        self.children = None
        if live and depth == 0:
            self.children = SubRuleFormSet(data, prefix=f"{self.prefix}-children",
                                           initial=initial.get("children"),
                                           form_kwargs={"depth": 1})

    def kind_fields(self) -> list[forms.BoundField]:
        """The bound fields of the kind this rule holds."""
        return [self[name] for name in self.held_field_names]

    def child_formsets(self) -> list[NestedFormSet]:
        return [formset for formset in (self.params, self.children) if formset is not None]

    def has_sub_rules(self) -> bool:
        return self.children is not None and bool(self.children.live_forms())

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == GROUP and not self.has_sub_rules():
            self.add_error("kind", gettext(
                "A group needs at least one sub-rule: add one, or pick a rule."))
        elif kind == CUSTOM:
            own = any(data.get(name) for name in OWN_RULE_FIELDS) or self.params.live_forms()
            if own or not self.has_sub_rules():
                for name in OWN_RULE_FIELDS:
                    if not data.get(name, "").strip():
                        self.add_error(name, gettext(
                            "Enter the %(field)s of this custom rule.") % {"field": name})
        elif kind in self.catalogue.by_key:
            for spec in self.catalogue.by_key[kind].params:
                field = kind_param_field_name(kind, spec.name)
                if data.get(field) in (None, "") and field not in self.errors:
                    self.add_error(field, gettext("Enter the %(field)s.") % {
                        "field": current_label(spec).lower()})
        return data

    def to_rule(self) -> Rule:
        data = self.cleaned_data
        kind = data["kind"]
        if kind in self.catalogue.by_key:
            rule_kind = self.catalogue.by_key[kind]
            rule = rule_kind.build({
                spec.name: data[kind_param_field_name(kind, spec.name)] for spec in rule_kind.params
            })
        elif kind == CUSTOM:
            assert self.params is not None  # a custom rule has its params formset
            rule = Rule(**{name: data[name] for name in OWN_RULE_FIELDS},
                        params=[form.to_param() for form in self.params.live_forms()])
        else:
            rule = Rule()
        if self.children is not None:
            rule.children = [form.to_rule() for form in self.children.live_forms()]
            if rule.children:
                rule.condition = data.get("condition") or "and"
        return rule

    @staticmethod
    def initial_of(rule: Rule, *, depth: int = 0) -> dict:
        known = catalogue().kind_of(rule)
        initial: dict = {"condition": rule.condition or "and"}
        if known is not None:
            initial["kind"] = known.key
            for param in rule.params:
                initial[kind_param_field_name(known.key, param.name)] = param.value
        elif depth == 0 and rule.is_group and not rule.has_own_fields:
            initial["kind"] = GROUP
        else:
            initial.update(kind=CUSTOM, compo=rule.compo, name=rule.name, type=rule.type,
                           operator=rule.operator,
                           params=[ParamForm.initial_of(param) for param in rule.params])
        if depth == 0:
            initial["children"] = [RuleForm.initial_of(child, depth=1) for child in rule.children]
        return initial


class RuleFormSetBase(NestedFormSet):
    def kind_panels(self) -> list[tuple[str, RuleForm]]:
        """(kind, an empty row of that kind) for each kind with a param panel:
        the page's per-kind <template>s, with this formset's row prefix
        placeholder (`…-rules-__prefix__`), that builder.js swaps in."""
        return [(kind, self.form(prefix=self.add_prefix("__prefix__"), initial={"kind": kind},
                                 use_required_attribute=False, **self.form_kwargs))
                for kind in panel_kinds(catalogue())]


SubRuleFormSet = nested_formset(
    RuleForm, max_num=MAX_SUB_RULES, min_num=0, formset=RuleFormSetBase,
    messages={"too_many_forms": ngettext_lazy("A group holds at most %(num)d sub-rule.",
                                              "A group holds at most %(num)d sub-rules.", "num")},
)
RuleFormSet = nested_formset(
    RuleForm, max_num=MAX_RULES, min_num=1, formset=RuleFormSetBase,
    messages={
        "too_few_forms": _("Add at least one rule to this selection."),
        "too_many_forms": ngettext_lazy("A selection holds at most %(num)d rule.",
                                        "A selection holds at most %(num)d rules.", "num"),
    },
)


# --- selections -----------------------------------------------------------------


class SelectionForm(NestedForm):
    list_id = forms.IntegerField(label=_("Database of this selection"), min_value=1,
                                 max_value=MAX_INT, widget=picker_widget("databases"))
    condition = forms.ChoiceField(label=_("Rules combine with"), choices=CONDITION_CHOICES,
                                  initial="and")
    limit = forms.IntegerField(label=_("Profile limit"), min_value=0, max_value=MAX_INT,
                               initial=0, help_text=_("0 means no limit"))
    percent_from = forms.IntegerField(label=_("From %"), min_value=0, max_value=99, initial=0)
    percent_to = forms.IntegerField(label=_("To %"), min_value=1, max_value=100, initial=100)

    def __init__(self, *args, **kwargs):
        initial = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.rules = None
        if not self.marked_deleted:
            self.rules = RuleFormSet(self.data if self.is_bound else None,
                                     prefix=f"{self.prefix}-rules", initial=initial.get("rules"))

    def child_formsets(self) -> list[NestedFormSet]:
        return [self.rules] if self.rules is not None else []

    def clean(self):
        data = super().clean()
        low, high = data.get("percent_from"), data.get("percent_to")
        if low is not None and high is not None and low >= high:
            self.add_error("percent_to", gettext("Must be greater than From %."))
        return data

    def to_selection(self) -> Selection:
        data = self.cleaned_data
        return Selection(
            list_id=data["list_id"], condition=data["condition"], limit=data["limit"],
            percent_from=data["percent_from"], percent_to=data["percent_to"],
            rules=[form.to_rule() for form in self.rules.live_forms()],
        )

    @staticmethod
    def initial_of(selection: Selection) -> dict:
        return {
            "list_id": selection.list_id, "condition": selection.condition,
            "limit": selection.limit, "percent_from": selection.percent_from,
            "percent_to": selection.percent_to,
            "rules": [RuleForm.initial_of(rule) for rule in selection.rules],
        }


class SelectionFormSetBase(NestedFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new page starts with one selection holding one empty rule.
        if not self.is_bound and not self.initial:
            self.initial = [{"rules": [{}]}]


SelectionFormSet = nested_formset(
    SelectionForm, max_num=MAX_SELECTIONS, min_num=1, formset=SelectionFormSetBase,
    messages={
        "too_few_forms": _("Add at least one selection with its rules."),
        "too_many_forms": ngettext_lazy("A segment holds at most %(num)d selection.",
                                        "A segment holds at most %(num)d selections.", "num"),
    },
)


# --- the whole builder ------------------------------------------------------------


class SegmentForm(forms.Form):
    name = TextField(label=_("Segment name"), max_length=255, strip=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial=Kind.DYNAMIC.value,
                             widget=forms.RadioSelect)
    format = forms.ChoiceField(label=_("Request format"), choices=FORMAT_CHOICES)
    list_id = forms.IntegerField(
        label=_("Database"), min_value=1, max_value=MAX_INT, required=False,
        help_text=_("Required for a static segment; optional for the others."),
        widget=picker_widget("databases"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read at request time, not import time, so settings changes apply.
        self.fields["format"].initial = settings.ALTCRAFT_FORMAT

    def clean_name(self):
        name = self.cleaned_data["name"]
        if not name.strip():
            raise forms.ValidationError(gettext("Enter a name for the segment."))
        return name

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.STATIC and data.get("list_id") is None \
                and "list_id" not in self.errors:
            self.add_error("list_id", gettext("A static segment needs its database."))
        return data


class BuilderForms:
    """The segment form and its selections, validated and read together."""

    def __init__(self, data=None, *, initial: dict | None = None,
                 edit: EditForm | None = None):
        initial = initial or {}
        self.segment_form = SegmentForm(data, initial=initial.get("segment"))
        self.selections = SelectionFormSet(data, prefix="selections",
                                           initial=initial.get("selections"))
        # Edit mode (edits.py): a segment that exists in Altcraft.
        if data is not None and "altcraft_id" in data:
            edit = EditForm(data)
        self.edit = edit
        if edit is not None:
            self._lock()

    @classmethod
    def from_segment(cls, segment: Segment, *, fmt: str | None = None,
                     edit: EditForm | None = None) -> BuilderForms:
        segment_initial = {"name": segment.name, "kind": segment.kind.value,
                           "list_id": segment.list_id}
        if fmt:
            segment_initial["format"] = fmt
        selections = [SelectionForm.initial_of(selection) for selection in segment.selections]
        return cls(initial={"segment": segment_initial, "selections": selections or None},
                   edit=edit)

    def _lock(self) -> None:
        """What Altcraft cannot change in a segment it has: its kind (shown,
        posted by a hidden input) and its databases. The server checks them
        too (edits.edit_problems): these only say so on the page."""
        self.segment_form.fields["kind"].widget.attrs["disabled"] = True
        self.segment_form.fields["list_id"].widget.attrs["readonly"] = True
        for form in self.selections.forms:
            if "list_id" in form.fields:
                form.fields["list_id"].widget.attrs["readonly"] = True

    @property
    def kind(self) -> str:
        return self.segment_form["kind"].value() or ""

    def is_valid(self) -> bool:
        valid = self.segment_form.is_valid()
        if self.kind != Kind.STATIC:
            valid = self.selections.is_valid() and valid
        return valid

    def error_count(self) -> int:
        count = sum(len(errors) for errors in self.segment_form.errors.values())
        if self.kind != Kind.STATIC:
            count += self.selections.error_count()
        return count

    def segment(self) -> Segment:
        """The Segment the valid forms describe."""
        data = self.segment_form.cleaned_data
        kind = Kind(data["kind"])
        selections = []
        if kind is not Kind.STATIC:
            selections = [form.to_selection() for form in self.selections.live_forms()]
        return Segment(name=data["name"], kind=kind, list_id=data.get("list_id"),
                       selections=selections)

    @property
    def format(self) -> str:
        return self.segment_form.cleaned_data["format"]

    def row_templates(self) -> RowTemplates:
        """The empty rows the page keeps in <template>s for builder.js to copy."""
        selection = self.selections.empty_form
        rules = selection.rules
        rule = rules.empty_form
        rule_panels = rules.kind_panels()
        sub_rule_panels = rule.children.kind_panels()
        return RowTemplates(
            selection=selection, rule=rule, sub_rule=rule.children.empty_form,
            param=dict(rule_panels)[CUSTOM].params.empty_form,
            sub_param=dict(sub_rule_panels)[CUSTOM].params.empty_form,
            rule_panels=rule_panels, sub_rule_panels=sub_rule_panels,
        )


@dataclass(frozen=True)
class RowTemplates:
    """An empty row of each level, and an empty rule of each kind per depth
    (whose param panel is swapped in when a rule's kind changes)."""

    selection: SelectionForm
    rule: RuleForm
    sub_rule: RuleForm
    param: ParamForm
    sub_param: ParamForm
    rule_panels: list[tuple[str, RuleForm]]
    sub_rule_panels: list[tuple[str, RuleForm]]
