"""The error summary lists every problem with where it is and a link to it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import html

from segbuilder.segments.build.errors import builder_errors
from segbuilder.segments.build.forms import BuilderForms
from tests.formdata import builder_data, custom, group, param, selection, statseg

pytestmark = pytest.mark.django_db

BROKEN = dict(name="", selections=[
    selection(statseg(1)),
    selection(statseg(2), custom("c", "n", "t", ""), group(statseg("x")),
              custom("c", "n", "t", "o", param("p", "z", "number")),
              percent_from=80, percent_to=20),
])


def test_each_problem_says_where_it_is():
    forms = BuilderForms(builder_data(**BROKEN))
    assert not forms.is_valid()
    errors = builder_errors(forms)
    assert [(error.where, error.message) for error in errors] == [
        ("Segment: Segment name", "This field is required."),
        ("Selection 2: To %", "Must be greater than From %."),
        ("Selection 2, rule 2: Operator", "Enter the operator of this custom rule."),
        ("Selection 2, rule 3, sub-rule 1: Segment id", "Enter a whole number."),
        ("Selection 2, rule 4, parameter 1: Value",
         "Enter a whole number, or set the type to Text."),
    ]
    assert len(errors) == forms.error_count()


def test_the_page_lists_the_problems_with_links_to_their_fields(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nina"))
    response = client.post(reverse("builder"), builder_data(**BROKEN))
    page = html.fromstring(response.content)
    links = page.xpath('//ul[@id="error-list"]//a')
    assert len(links) == 5
    for link in links:
        target = link.get("href").removeprefix("#")
        assert page.xpath(f'//*[@id="{target}"]'), target
    assert "There are 5 problems in this segment" in response.content.decode()
