"""The builder's forms: the segment form, and nested formsets of selections ->
rules -> params (a rule may hold sub-rules one level deep).

Forms stop at clean data: `BuilderForms.segment()` gives the plain Segment.
They never build payloads or talk HTTP (DESIGN.md, data flow).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

from django import forms
from django.conf import settings
from django.forms import BaseFormSet, formset_factory
from django.forms.formsets import (
    DELETION_FIELD_NAME,
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.forms.widgets import ChoiceWidget
from django.utils.functional import cached_property, lazy
from django.utils.translation import get_language, gettext, ngettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from segbuilder.altcraft.rulekinds import CUSTOM, RULE_KINDS, RULE_KINDS_BY_KEY, rule_kind_of
from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection

# Limits per level; the issue asks for at least 20 x 50 x 20 to be accepted.
MAX_SELECTIONS = 20
MAX_RULES = 50
MAX_PARAMS = 20

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


# Id fields that offer one of Altcraft's lists (segments/pickers.py): by rule
# kind and param.
PICKED_PARAMS = {("statseg", "segment_id"): "segments", ("dataurl", "resource_id"): "resources"}


def picker_widget(picker: str) -> forms.TextInput:
    """An id input offering Altcraft's list `picker` from <datalist
    id="picker-{picker}"> (templates/segments/_pickers.html, static/js/pickers.js).
    Text, not number: Chromium then matches what is typed against the names
    too. inputmode brings up the digits keyboard; cleaning is the field's own."""
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


def generic_prefix(prefix: str) -> str:
    """A formset prefix with every row index replaced by __prefix__, e.g.
    selections-3-rules -> selections-__prefix__-rules: the prefix its
    page-level <template> row was rendered with."""
    return re.sub(r"(?<=-)\d+(?=-|$)", "__prefix__", prefix)


# --- formset machinery ------------------------------------------------------------


def is_marked_deleted(form: forms.Form) -> bool:
    """The row's DELETE box as posted (read raw: it needs no cleaning)."""
    return DELETION_FIELD_NAME in form.fields and bool(form[DELETION_FIELD_NAME].data)


class NestedForm(forms.Form):
    """A form that owns child formsets; `has_changed()` looks at them too, so a
    row whose own fields are untouched but whose children are filled is kept."""

    def active_formsets(self) -> list[NestedFormSet]:
        """The child formsets that count for this form's current values."""
        return []

    def has_changed(self) -> bool:
        return super().has_changed() or any(fs.has_changed() for fs in self.active_formsets())


class NestedFormSet(BaseFormSet):
    """Validation recurses into child formsets, except for deleted rows and
    untouched extra rows."""

    # Room for rows added then removed in the browser (indexes are never reused).
    absolute_max_factor = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.absolute_max = self.max_num * self.absolute_max_factor
        if self.initial:
            self.extra = 0

    @cached_property
    def management_form(self) -> ManagementForm:
        """Django's (BaseFormSet.management_form, Django 5.2), of a class whose
        fields are copied cheaply: a builder has two formsets per rule, and
        their management forms took a quarter of the time to validate one."""
        if self.is_bound:
            form = _ManagementForm(self.data, auto_id=self.auto_id, prefix=self.prefix,
                                   renderer=self.renderer)
            form.full_clean()
            return form
        return _ManagementForm(auto_id=self.auto_id, prefix=self.prefix, renderer=self.renderer,
                               initial={
                                   TOTAL_FORM_COUNT: self.total_form_count(),
                                   INITIAL_FORM_COUNT: self.initial_form_count(),
                                   MIN_NUM_FORM_COUNT: self.min_num,
                                   MAX_NUM_FORM_COUNT: self.max_num,
                               })

    def live_forms(self) -> list[forms.Form]:
        """The rows that are part of the segment: neither deleted nor empty extras."""
        return [form for form in self.forms if self.is_live(form)]

    def is_live(self, form: forms.Form) -> bool:
        if form.empty_permitted and not form.has_changed():
            return False
        return not is_marked_deleted(form)

    def full_clean(self):
        self._cleaning = True
        try:
            super().full_clean()
        finally:
            self._cleaning = False
        if self.is_bound and not self.management_form.is_valid():
            # Django replaces this error with "too few forms"; say what happened.
            self._non_form_errors = self.error_class(
                [TAMPERED_MESSAGE], error_class="nonform", renderer=self.renderer
            )

    def is_valid(self) -> bool:
        # Asked again and again up the tree (Django's full_clean asks too, for
        # deleted_forms): once this formset is clean the answer is kept, so a
        # 1,000-rule builder is walked a few times, not once per ancestor.
        if getattr(self, "_valid", None) is not None:
            return self._valid
        valid = super().is_valid()
        for form in self.live_forms():
            for child in form.active_formsets():
                valid = child.is_valid() and valid
        if not getattr(self, "_cleaning", False):
            self._valid = valid
        return valid

    def error_count(self) -> int:
        count = len(self.non_form_errors())
        for form in self.live_forms():
            count += sum(len(errors) for errors in form.errors.values())
            count += sum(child.error_count() for child in form.active_formsets())
        return count

    @property
    def generic_prefix(self) -> str:
        return generic_prefix(self.prefix)


class FieldsCopiedCheaply(dict):
    """A form class's base_fields, copied for each form the way Django's
    deepcopy does (a field, its widget, their attrs, error messages,
    validators and choices are the form's own) but without copy.deepcopy's
    generic machinery, which took a third of the time to validate a
    1,000-rule builder (3,000 forms). Fields and widgets of other kinds are
    deep-copied as usual."""

    def __deepcopy__(self, memo: dict) -> dict:
        return {name: _copy_field(field, memo) for name, field in self.items()}


_PLAIN_FIELD_COPIES = (forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__)
_PLAIN_WIDGET_COPIES = (forms.Widget.__deepcopy__, ChoiceWidget.__deepcopy__)


def _copy_field(field: forms.Field, memo: dict) -> forms.Field:
    widget = field.widget
    choices = getattr(field, "_choices", ())
    if not _is_plain(field):
        return copy.deepcopy(field, memo)
    copied = object.__new__(type(field))
    copied.__dict__.update(field.__dict__)
    copied.widget = object.__new__(type(widget))
    copied.widget.__dict__.update(widget.__dict__)
    copied.widget.attrs = widget.attrs.copy()
    if isinstance(widget, ChoiceWidget):
        copied.widget.choices = copy.copy(widget.choices)
    if isinstance(field, forms.ChoiceField):
        copied._choices = list(choices)
    copied.error_messages = field.error_messages.copy()
    copied.validators = field.validators[:]
    return copied


def _is_plain(field: forms.Field) -> bool:
    """Whether _copy_field copies `field` as Django would: a field and widget
    of the kinds it knows, with flat choices (asked once per class field)."""
    plain = _PLAIN_FIELDS.get(id(field))
    if plain is None:
        plain = _PLAIN_FIELDS[id(field)] = (
            type(field).__deepcopy__ in _PLAIN_FIELD_COPIES
            and type(field.widget).__deepcopy__ in _PLAIN_WIDGET_COPIES
            and not any(isinstance(choice[1], list | tuple)
                        for choice in getattr(field, "_choices", ())))
    return plain


# Keyed by id(): the fields asked about are base fields, alive as long as their class.
_PLAIN_FIELDS: dict[int, bool] = {}


class _ManagementForm(ManagementForm):
    pass


_ManagementForm.base_fields = FieldsCopiedCheaply(ManagementForm.base_fields)


def nested_formset(form, *, max_num: int, min_num: int, extra: int, messages: dict):
    form.base_fields = FieldsCopiedCheaply(form.base_fields)
    formset = formset_factory(
        form,
        formset=NestedFormSet,
        extra=extra,
        min_num=min_num,
        max_num=max_num,
        validate_min=min_num > 0,
        validate_max=True,
        can_delete=True,
    )
    formset.default_error_messages = {**BaseFormSet.default_error_messages, **messages}
    return formset


# --- params ---------------------------------------------------------------------


class ParamForm(NestedForm):
    name = TextField(label=_("Parameter"), max_length=255)
    value = TextField(label=_("Value"), required=False, strip=False, max_length=10_000)
    value_type = forms.ChoiceField(label=_("Type"), choices=VALUE_TYPE_CHOICES, initial="text")

    def clean(self):
        data = super().clean()
        if data.get("value_type") == "number" and "value" in data:
            try:
                data["value"] = int(data["value"].strip())
            except ValueError:
                self.add_error("value", gettext("Enter a whole number, or set the type to Text."))
            else:
                if abs(data["value"]) > MAX_INT:
                    self.add_error("value", gettext("This number is too large."))
        return data

    def to_param(self) -> Param:
        return Param(self.cleaned_data["name"], self.cleaned_data["value"])

    @staticmethod
    def initial_of(param: Param) -> dict:
        is_number = isinstance(param.value, int)
        return {"name": param.name, "value": param.value,
                "value_type": "number" if is_number else "text"}


ParamFormSet = nested_formset(
    ParamForm, max_num=MAX_PARAMS, min_num=0, extra=0,
    # Django fills in %(num)d (the formset's max_num) when it reports the error.
    messages={"too_many_forms": ngettext_lazy("A rule takes at most %(num)d parameter.",
                                              "A rule takes at most %(num)d parameters.", "num")},
)


# --- rules ----------------------------------------------------------------------


def _current_label(labelled) -> str:
    """A rule kind's or param's name in the current language (rulekinds.py
    carries both languages, and stays free of Django)."""
    return labelled.label(get_language() or "en")


# The same, evaluated each time it is shown.
_lazy_label = lazy(_current_label, str)


def _kind_choices(depth: int) -> list[tuple[str, str]]:
    choices = [(kind.key, _lazy_label(kind)) for kind in RULE_KINDS]
    choices.append((CUSTOM, _("Custom rule (enter its fields)")))
    if depth == 0:
        choices.append((GROUP, _("Group of sub-rules only")))
    return choices


# Made once: the labels are lazy, so one list serves every language, and
# the rows' writer (templatetags/builder.py) translates each label once.
KIND_CHOICES_AT = {0: _kind_choices(0), 1: _kind_choices(1)}


class RuleForm(NestedForm):
    """A rule (depth 0) or a sub-rule (depth 1): a known rule kind with its
    named params, a custom rule with free fields and params, and, at depth 0,
    sub-rules combined by `condition`."""

    kind = forms.ChoiceField(label=_("Rule kind"), choices=_kind_choices(0),
                             initial=RULE_KINDS[0].key)
    # strip=False: what was typed or imported is sent exactly (API.md: values
    # are text and must round-trip unchanged).
    compo = TextField(label=_("Source (compo)"), required=False, max_length=255,
                            strip=False)
    name = TextField(label=_("Field (name)"), required=False, max_length=255, strip=False)
    type = TextField(label=_("Data type (type)"), required=False, max_length=255,
                           strip=False)
    operator = TextField(label=_("Operator"), required=False, max_length=255, strip=False)
    condition = forms.ChoiceField(
        label=_("Sub-rules combine with"), choices=CONDITION_CHOICES, initial="and",
        required=False,
    )

    def __init__(self, *args, depth: int = 0, **kwargs):
        initial = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.depth = depth
        data = self.data if self.is_bound else None
        self.params = ParamFormSet(data, prefix=f"{self.prefix}-params",
                                   initial=initial.get("params"))
        self.children = None
        if depth == 0:
            # The class's choices are depth 0's already.
            self.children = SubRuleFormSet(data, prefix=f"{self.prefix}-children",
                                           initial=initial.get("children"),
                                           form_kwargs={"depth": 1})
        else:
            self.fields["kind"].choices = KIND_CHOICES_AT[1]
            del self.fields["condition"]

    def kind_param_fields(self) -> Iterator[tuple[str, list[forms.BoundField]]]:
        """(kind key, bound fields of its params) for each known kind."""
        for kind in RULE_KINDS:
            yield kind.key, [self[kind_param_field_name(kind.key, p.name)] for p in kind.params]

    def active_formsets(self) -> list[NestedFormSet]:
        kind = self._current_kind()
        active = [self.params] if kind == CUSTOM else []
        if self.children is not None:
            active.append(self.children)
        return active

    def _current_kind(self) -> str:
        if hasattr(self, "cleaned_data"):
            return self.cleaned_data.get("kind", "")
        return self["kind"].value() or ""

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        has_children = self.children is not None and bool(self.children.live_forms())
        if kind == GROUP and not has_children:
            self.add_error("kind", gettext(
                "A group needs at least one sub-rule: add one, or pick a rule."))
        elif kind == CUSTOM:
            own = any(data.get(name) for name in OWN_RULE_FIELDS) or self.params.live_forms()
            if own or not has_children:
                for name in OWN_RULE_FIELDS:
                    if not data.get(name, "").strip():
                        self.add_error(name, gettext(
                            "Enter the %(field)s of this custom rule.") % {"field": name})
        elif kind in RULE_KINDS_BY_KEY:
            for spec in RULE_KINDS_BY_KEY[kind].params:
                field = kind_param_field_name(kind, spec.name)
                if data.get(field) in (None, "") and field not in self.errors:
                    self.add_error(field, gettext("Enter the %(field)s.") % {
                        "field": _current_label(spec).lower()})
        return data

    def to_rule(self) -> Rule:
        data = self.cleaned_data
        kind = data["kind"]
        if kind in RULE_KINDS_BY_KEY:
            rule_kind = RULE_KINDS_BY_KEY[kind]
            rule = rule_kind.build({
                spec.name: data[kind_param_field_name(kind, spec.name)] for spec in rule_kind.params
            })
        elif kind == CUSTOM:
            rule = Rule(*(data[name] for name in OWN_RULE_FIELDS),
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
        known = rule_kind_of(rule)
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


def _add_kind_param_fields() -> None:
    """Each known kind's params become typed fields of RuleForm (a number
    input for an int param), shown when that kind is picked."""
    for kind in RULE_KINDS:
        for spec in kind.params:
            if spec.type is int:
                picker = PICKED_PARAMS.get((kind.key, spec.name))
                field = forms.IntegerField(label=_lazy_label(spec), required=False, min_value=1,
                                           max_value=MAX_INT,
                                           widget=picker_widget(picker) if picker else None)
            else:
                field = TextField(label=_lazy_label(spec), required=False,
                                        max_length=10_000)
            RuleForm.base_fields[kind_param_field_name(kind.key, spec.name)] = field


_add_kind_param_fields()

SubRuleFormSet = nested_formset(
    RuleForm, max_num=MAX_RULES, min_num=0, extra=0,
    messages={"too_many_forms": ngettext_lazy("A group holds at most %(num)d sub-rule.",
                                              "A group holds at most %(num)d sub-rules.", "num")},
)
RuleFormSet = nested_formset(
    RuleForm, max_num=MAX_RULES, min_num=1, extra=0,
    messages={
        "too_few_forms": _("Add at least one rule to this selection."),
        "too_many_forms": ngettext_lazy("A selection holds at most %(num)d rule.",
                                        "A selection holds at most %(num)d rules.", "num"),
    },
)


# --- selections -----------------------------------------------------------------


class SelectionForm(NestedForm):
    list_id = forms.IntegerField(label=_("Database id"), min_value=1, max_value=MAX_INT,
                                 widget=picker_widget("databases"))
    condition = forms.ChoiceField(label=_("Rules combine with"), choices=CONDITION_CHOICES,
                                  initial="and")
    limit = forms.IntegerField(label=_("Profile limit"), min_value=0, max_value=MAX_INT,
                               initial=0, help_text=_("0 means no limit"))
    percent_from = forms.IntegerField(label=_("From %"), min_value=0, max_value=99, initial=0)
    percent_to = forms.IntegerField(label=_("To %"), min_value=1, max_value=100, initial=100)

    def __init__(self, *args, **kwargs):
        initial = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.rules = RuleFormSet(self.data if self.is_bound else None,
                                 prefix=f"{self.prefix}-rules", initial=initial.get("rules"))

    def active_formsets(self) -> list[NestedFormSet]:
        return [self.rules]

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
            self.extra = 0


SelectionForm.base_fields = FieldsCopiedCheaply(SelectionForm.base_fields)
SelectionFormSet = formset_factory(
    SelectionForm, formset=SelectionFormSetBase, extra=0, min_num=1, max_num=MAX_SELECTIONS,
    validate_min=True, validate_max=True, can_delete=True,
)
SelectionFormSet.default_error_messages = {
    **BaseFormSet.default_error_messages,
    "too_few_forms": _("Add at least one selection with its rules."),
    "too_many_forms": ngettext_lazy("A segment holds at most %(num)d selection.",
                                    "A segment holds at most %(num)d selections.", "num"),
}


# --- the whole builder ------------------------------------------------------------


class SegmentForm(forms.Form):
    name = TextField(label=_("Segment name"), max_length=255, strip=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial=Kind.DYNAMIC.value,
                             widget=forms.RadioSelect)
    format = forms.ChoiceField(label=_("Request format"), choices=FORMAT_CHOICES)
    list_id = forms.IntegerField(
        label=_("Database id"), min_value=1, max_value=MAX_INT, required=False,
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
            self.add_error("list_id", gettext("A static segment needs its database id."))
        return data


class BuilderForms:
    """The segment form and its selections, validated and read together."""

    def __init__(self, data=None, *, initial: dict | None = None):
        initial = initial or {}
        self.segment_form = SegmentForm(data, initial=initial.get("segment"))
        self.selections = SelectionFormSet(data, prefix="selections",
                                           initial=initial.get("selections"))

    @classmethod
    def from_segment(cls, segment: Segment, *, fmt: str | None = None) -> BuilderForms:
        segment_initial = {"name": segment.name, "kind": segment.kind.value,
                           "list_id": segment.list_id}
        if fmt:
            segment_initial["format"] = fmt
        selections = [SelectionForm.initial_of(selection) for selection in segment.selections]
        return cls(initial={"segment": segment_initial, "selections": selections or None})

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
