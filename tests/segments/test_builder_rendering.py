"""The history's rows and filters, and the builder's segment fields, are
written in Python for speed (templatetags/builder.py): they must write
exactly what the templates they replace wrote. The templates as they were
are kept in reference_rows/ and rendered here, for the same data. (The
builder's rows are templates themselves: tests/segments/test_rows.py.)"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.contrib.auth.models import Group
from django.template import Context, Engine
from django.utils import timezone, translation
from lxml import html as lxml_html

from segbuilder.segments import selectors
from segbuilder.segments.forms import BuilderForms, SegmentForm
from segbuilder.segments.history_forms import HistoryFilterForm
from segbuilder.segments.models import Submission
from segbuilder.segments.templatetags import builder as tags

REFERENCE = Engine(
    dirs=[Path(__file__).parent / "reference_rows"],
    libraries={"builder": "segbuilder.segments.templatetags.builder",
               "i18n": "django.templatetags.i18n"},
)
ODD = "a<b & \"c\" 'd' é"


@pytest.fixture(params=["en", "ru"])
def language(request):
    with translation.override(request.param):
        yield request.param


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


@pytest.mark.django_db
def test_a_filter_field_has_cripsys_ids_classes_and_help_or_crispys_errors():
    form = HistoryFilterForm({"q": ODD, "status": "created", "date_from": "2026-01-02"})
    assert form.is_valid()
    field = lxml_html.fragment_fromstring(tags.filter_field(form["q"]))
    assert field.get("id") == "div_id_q"
    (label,) = field.xpath("label")
    assert (label.get("for"), label.text_content()) == ("id_q", str(form["q"].label))
    (entry,) = field.xpath("input")
    assert (entry.get("value"), entry.get("class"), entry.get("type")) == (
        ODD, "textinput form-control", "search")
    assert field.xpath("div[@id='id_q_helptext']/text()") == [str(form["q"].help_text)]
    status = lxml_html.fragment_fromstring(tags.filter_field(form["status"]))
    assert status.xpath("select/@class") == ["select form-select"]
    assert status.xpath("select/option[@selected]/@value") == ["created"]
    attrs = {"class": "dateinput form-control"}
    assert tags.widget_html(form["date_from"], attrs) == form["date_from"].as_widget(attrs=attrs)
    bad = HistoryFilterForm({"date_from": "yesterday"})
    assert not bad.is_valid()
    assert tags.filter_field(bad["date_from"]) == as_crispy_field(bad["date_from"])


@pytest.mark.django_db
def test_the_history_rows_are_written_as_the_template_loop_wrote_them(django_user_model,
                                                                       settings, language):
    settings.TIME_ZONE = "Europe/Moscow"
    author = django_user_model.objects.create_user("ma<ria", password="pw-for-tests-1")
    author.groups.add(Group.objects.get(name="Segment editors"))
    when = datetime.datetime(2026, 3, 10, 21, 5, 7, tzinfo=datetime.UTC)
    rows = []
    for number, status in enumerate([*Submission.Status.values, "odd"]):
        rows.append(Submission.objects.create(
            author=author, name=f"{ODD} {number}", kind=["static", "dynamic", "weekly"][number % 3],
            format="json", payload=json.loads('{"name": "x"}'), status=status,
            altcraft_id=None if number % 2 else number))
    Submission.objects.update(created_at=when)
    listed = list(Submission.objects.select_related("author").order_by("pk"))
    rows = list(Submission.objects.order_by("pk").values_list(*selectors.LIST_COLUMNS,
                                                               named=True))
    reference = REFERENCE.from_string(
        '{% load i18n %}  {% for s in submissions %}\n  <tr>\n'
        '    <td><div class="form-check mb-0">\n'
        '      <input class="form-check-input" type="checkbox" name="id" value="{{ s.pk }}"'
        ' id="compare-{{ s.pk }}">\n'
        '      <label class="form-check-label" for="compare-{{ s.pk }}"><span class="visually-'
        'hidden">{% translate "Compare submission" %} </span>#{{ s.pk }}</label>\n'
        "    </div></td>\n"
        "    <td><time datetime=\"{{ s.created_at|date:'c' }}\">"
        "{{ s.created_at|date:\"Y-m-d H:i\" }}</time></td>\n"
        "    <td>{{ s.author.get_username }}</td>\n"
        "    <td><a href=\"{% url 'submission_detail' s.pk %}\">{{ s.name }}</a></td>\n"
        "    <td>{{ s.get_kind_display }}</td>\n"
        '    <td>{% include "segments/_status.html" with submission=s %}</td>\n'
        '    <td>{{ s.altcraft_id|default_if_none:"—" }}</td>\n'
        "  </tr>\n  {% endfor %}\n"
    ).render(Context({"submissions": listed}))
    with timezone.override("Europe/Moscow"):
        written = "  " + tags.history_rows(rows, {author.pk: author.username}) + "\n"
    assert written == reference
    assert len(rows) == written.count("<tr>")
