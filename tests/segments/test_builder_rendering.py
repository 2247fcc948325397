"""The builder's rows, and the history's rows and filters, are written in
Python for speed (templatetags/builder.py): they must write exactly what
the templates they replace wrote. The templates as they were are kept in
reference_rows/ and rendered here, with Django's own widget rendering, for
the same forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.http import QueryDict
from django.template import Context, Engine
from django.utils import translation

from segbuilder.segments.forms import BuilderForms, SegmentForm
from segbuilder.segments.templatetags import builder as tags
from tests.examples import example_payload
from tests.formdata import builder_data, custom, domaingroup, group, param, selection, statseg

REFERENCE = Engine(
    dirs=[Path(__file__).parent / "reference_rows"],
    libraries={"builder": "segbuilder.segments.templatetags.builder",
               "i18n": "django.templatetags.i18n"},
)
ODD = "a<b & \"c\" 'd' é"


def reference_formset(formset, row_template: str, template_id: str, add_label: str) -> str:
    return REFERENCE.get_template("segments/_formset.html").render(Context({
        "formset": formset, "row_template": row_template, "template_id": template_id,
        "add_label": add_label}))


def written_formset(formset, row_template: str, template_id: str, add_label: str) -> str:
    return tags.formset_block(formset, row_template, template_id, add_label) + "\n"


def builders() -> dict[str, BuilderForms]:
    """The builder in the states a page shows it in."""
    filled = builder_data(name=ODD, selections=[
        selection(custom("pro<file", ODD, "string", "eq&", param("value", ODD),
                         param("n", "12", value_type="number"),
                         param("bad", "x", value_type="number"), param("", "no name")),
                  statseg(5), statseg("abc"), domaingroup(""),
                  group(statseg(1), custom("a", "b", "c", "d"), condition="and"),
                  group(), {"kind": "nonsense"}, statseg(7, DELETE=True), list_id="x"),
        selection(statseg(2), list_id=3, percent_from=50, percent_to=20),
        selection(statseg(3), DELETE=True),
    ])
    tampered = dict(filled)
    del tampered["selections-0-rules-0-params-TOTAL_FORMS"]
    valid = builder_data(name="Valid", selections=[selection(statseg(2), custom(
        "profile", "email", "string", "contains", param("value", "@example.com")))])
    return {
        "fresh": BuilderForms(),
        "filled with errors": BuilderForms(QueryDict(_encode(filled))),
        "tampered": BuilderForms(QueryDict(_encode(tampered))),
        "valid": BuilderForms(QueryDict(_encode(valid))),
        "imported": BuilderForms.from_segment(_segment(example_payload("dynamic", "json"))),
    }


def _encode(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)


def _segment(payload):
    from segbuilder.altcraft.segment import Segment

    return Segment.from_payload(payload)


@pytest.fixture(params=["en", "ru"])
def language(request):
    with translation.override(request.param):
        yield request.param


@pytest.mark.parametrize("state", list(builders()))
def test_the_rows_are_written_as_the_row_templates_wrote_them(state, language):
    forms = builders()[state]
    forms.is_valid()
    written = written_formset(forms.selections, "segments/_selection.html", "tpl-selection",
                              "Add selection")
    if language == "en":  # the reference templates are in English
        assert written == reference_formset(forms.selections, "segments/_selection.html",
                                            "tpl-selection", "Add selection")
    assert 'data-prefix="selections"' in written and "TOTAL_FORMS" in written


def test_the_row_templates_are_written_as_the_page_wrote_them():
    forms = BuilderForms()
    reference = REFERENCE.from_string(
        "{% with sel=selections.empty_form %}{% with rule=sel.rules.empty_form %}"
        "{% with sub=rule.children.empty_form %}\n"
        '<template id="tpl-selection">{% include "segments/_selection.html" with form=sel %}'
        "</template>\n"
        '<template id="tpl-rule">{% include "segments/_rule.html" with form=rule %}</template>\n'
        '<template id="tpl-subrule">{% include "segments/_rule.html" with form=sub %}'
        "</template>\n"
        '<template id="tpl-param">{% include "segments/_param.html" with '
        "form=rule.params.empty_form %}</template>\n"
        '<template id="tpl-subparam">{% include "segments/_param.html" with '
        "form=sub.params.empty_form %}</template>\n"
        "{% endwith %}{% endwith %}{% endwith %}"
    ).render(Context({"selections": forms.selections}))
    with translation.override("en"):
        assert tags.row_templates(forms.selections) == reference
        assert tags.row_templates(BuilderForms().selections) is tags.row_templates(
            forms.selections)  # written once per language


def test_the_row_templates_follow_the_language():
    with translation.override("en"):
        english = tags.row_templates(BuilderForms().selections)
    with translation.override("ru"):
        russian = tags.row_templates(BuilderForms().selections)
    assert english != russian and ">Rule <" in english


@pytest.mark.parametrize("state", list(builders()))
def test_every_widget_is_written_as_django_writes_it(state):
    forms = builders()[state]
    forms.is_valid()
    fields = list(_bound_fields(forms))
    assert len(fields) > 20
    for bound_field in fields:
        for attrs in ({}, {"class": "form-control", "hidden": True},
                      {"aria-describedby": "x", "data-x": ODD}):
            assert tags.widget_html(bound_field, attrs) == bound_field.as_widget(attrs=attrs)


def _bound_fields(forms: BuilderForms):
    yield from forms.segment_form
    for selection_form in forms.selections.forms:
        yield from selection_form
        for rule in selection_form.rules.forms:
            yield from rule
            for child in (*rule.params.forms, *(rule.children.forms if rule.children else ())):
                yield from child


def test_a_management_form_with_errors_is_left_to_django():
    forms = builders()["tampered"]
    forms.is_valid()
    params = forms.selections.forms[0].rules.forms[0].params
    assert params.management_form.errors
    assert tags.management_form_html(params) == str(params.management_form)


def test_the_segment_fields_are_written_by_crispy_and_remembered_per_state():
    fresh = BuilderForms().segment_form
    first = tags.as_crispy_field_once(fresh["name"])
    assert first == as_crispy_field(fresh["name"])
    assert tags.as_crispy_field_once(BuilderForms().segment_form["name"]) is first
    bound = SegmentForm({"name": ODD, "kind": "dynamic", "format": "xml"})
    bound.is_valid()
    for name in ("name", "kind", "list_id", "format"):
        assert tags.as_crispy_field_once(bound[name]) == as_crispy_field(bound[name])
    with_error = SegmentForm({"name": "", "kind": "weekly"})
    with_error.is_valid()
    assert tags.as_crispy_field_once(with_error["kind"]) == as_crispy_field(with_error["kind"])
    assert "weekly" in str(with_error.errors) or with_error.errors["kind"]
