"""Bad input never hurts: random and tampered builder posts never make a
server error, and markup in names and values is escaped on every page and
reaches Altcraft unchanged."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segbuilder.segments.models import Submission
from tests.formdata import builder_data, custom, group, param, selection, statseg

pytestmark = pytest.mark.django_db

NASTY = '<script>alert("x")</script> & \'quotes\' "double" Лояльность 🎯'


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("erin", password="pw-for-tests-3")
    user.groups.add(Group.objects.get(name="Segment editors"))
    client.force_login(user)
    return client


def valid_post() -> dict:
    return builder_data(name="Fuzzed", selections=[
        selection(statseg(1), group(statseg(2), custom("c", "n", "t", "o", param("p", "1")))),
    ])


odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
odd_value = st.one_of(
    odd_text,
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.sampled_from(["", "-1", "0", "1e9", "99999999999999999999", "__prefix__", "None",
                     "true", "and", "or", "custom", "group", "statseg", "json", "xml"]),
)
field_names = st.one_of(
    st.sampled_from(sorted(valid_post())),
    st.sampled_from(["selections-5-list_id", "selections-0-rules-9-kind",
                     "selections-0-rules-0-children-3-children-TOTAL_FORMS",
                     "selections-0-rules-1-params-TOTAL_FORMS", "extra", "kind"]),
    odd_text,
)
mutations = st.lists(st.tuples(st.sampled_from(["set", "drop"]), field_names, odd_value),
                     max_size=12)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutations=mutations, action=st.sampled_from(["preview", "send", "", "delete"]))
def test_random_and_tampered_posts_never_make_a_server_error(client, viewer_client, mutations,
                                                              action):
    data = valid_post()
    data["action"] = action
    for operation, name, value in mutations:
        if operation == "drop":
            data.pop(name, None)
        else:
            data[name] = value
    # A viewer cannot send, so no case waits on Altcraft; the refusal path is fuzzed too.
    response = viewer_client.post(reverse("builder"), data)
    assert response.status_code in (200, 400, 403)
    if response.status_code == 400:  # row counts past the budgets
        assert "This segment is too big for the builder" in response.content.decode()
    assert Submission.objects.count() == 0


@pytest.fixture
def viewer_client(client, django_user_model):
    user, _ = django_user_model.objects.get_or_create(username="fuzz-viewer")
    user.groups.add(Group.objects.get(name="Segment viewers"))
    client.force_login(user)
    return client


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_markup_quotes_cyrillic_and_emoji_reach_altcraft_unchanged_and_are_escaped(
        editor, sandbox_settings, fmt):
    data = builder_data(name=NASTY, format=fmt, selections=[selection(
        custom("c", "n", "t", "o", param(NASTY, NASTY)), statseg(3))])
    response = editor.post(reverse("builder"), {**data, "action": "preview"})
    assert_escaped(response.content.decode())

    response = editor.post(reverse("builder"), {**data, "action": "send"})
    (received,) = sandbox_settings.received
    assert received.params["name"] == NASTY
    assert received.params["segment"][0]["queries"][0]["value"] == [
        {"name": NASTY, "value": NASTY}]
    submission = Submission.objects.get()
    for url in (response.url, reverse("history"),
                reverse("submission_detail", args=[submission.pk])):
        assert_escaped(editor.get(url).content.decode())


def assert_escaped(html: str) -> None:
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_control_character_is_refused_at_its_field_not_a_server_error(editor, fmt):
    data = builder_data(name="Bell\x07", format=fmt, selections=[selection(
        custom("c", "n", "t", "o", param("p", "a\x0bb")))])
    response = editor.post(reverse("builder"), {**data, "action": "preview"})
    assert response.status_code == 200
    errors = [(error.where, error.message) for error in response.context["errors"]]
    assert [where for where, _ in errors] == [
        "Segment: Segment name", "Selection 1, rule 1, parameter 1: Value"]
    assert all("invisible control character" in message for _, message in errors)
