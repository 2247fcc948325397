"""Fields with known values offer them: a known kind's text params (the email
domain group, a POST-URL) list the catalogue's suggestions, then the values
the team's segments were sent with, the most used first."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.altcraft.sandbox import Fault
from segbuilder.catalogue.known import MAX_OFFERED
from segbuilder.catalogue.models import KindParam, SeenValue
from segbuilder.segments.models import Submission
from tests.formdata import builder_data, domaingroup, selection, statseg

pytestmark = pytest.mark.django_db

GROUPS = "known-domaingroup__domaingroup"


def send(client, *groups: str):
    rules = [domaingroup(group) for group in groups] or [statseg(1)]
    return client.post(reverse("builder"), builder_data(
        name="Mail groups", selections=[selection(*rules)], action="send"))


def offered(client, list_id: str = GROUPS) -> list[str]:
    page = lxml_html.fromstring(client.get(reverse("builder")).content.decode())
    (datalist,) = page.xpath(f'//datalist[@id="{list_id}"]')
    return [option.get("value") for option in datalist.iter("option")]


def test_a_domain_group_sent_is_offered_in_every_domain_group_field(editor, sandbox_settings):
    assert offered(editor) == []
    send(editor, "Yahoo! (US)", "Gmail")
    send(editor, "Gmail")

    assert offered(editor) == ["Gmail", "Yahoo! (US)"]  # the most sent first
    # The field of a new rule (its <template>) and of a rule shown again point at it.
    response = editor.post(reverse("builder"), builder_data(
        selections=[selection(domaingroup("Mail.ru"))]))
    page = lxml_html.fromstring(response.content.decode())
    fields = page.xpath('//input[contains(@name, "-domaingroup__domaingroup")]')
    assert fields and {field.get("list") for field in fields} == {GROUPS}
    assert page.xpath(f'//template[@id="tpl-rule-domaingroup"]//input[@list="{GROUPS}"]')
    # A preview sends nothing, so counts nothing.
    assert "Mail.ru" not in offered(editor)


def test_only_what_altcraft_took_is_offered(editor, sandbox_settings):
    sandbox_settings.set_fault(Fault.ERROR_400)
    send(editor, "Yahooo (typo)")
    assert Submission.objects.get().status == Submission.Status.REJECTED
    assert offered(editor) == []


def test_the_catalogue_s_suggestions_come_first_and_the_lists_are_capped(editor,
                                                                        sandbox_settings):
    KindParam.objects.filter(kind__key="domaingroup").update(choices="Outlook\nGmail\n")
    SeenValue.objects.bulk_create(
        SeenValue(kind_key="domaingroup", param="domaingroup", value=f"Group {number}",
                  times_used=number) for number in range(1, 80))
    send(editor, "Gmail")

    values = offered(editor)
    assert values[:4] == ["Outlook", "Gmail", "Group 79", "Group 78"]
    assert len(values) == MAX_OFFERED == len(set(values))
    # The POST-URL kind's text params have lists of their own.
    assert offered(editor, "known-dataurl__url") == []


def test_the_migration_counts_the_values_already_in_the_history(user):
    def payload(*groups: str) -> dict:
        return {"name": "x", "is_static": False, "segment": [{"list_id": 1, "queries": [
            {"compo": "domaingroup", "name": "email", "type": "email", "operator": "equal",
             "value": [{"name": "domaingroup", "value": group}]} for group in groups]}]}

    for groups in [("Gmail", "Yahoo! (US)"), ("Gmail",), ()]:
        Submission.objects.create(author=user, name="x", kind="dynamic", format="json",
                                  payload=payload(*groups))
    Submission.objects.create(author=user, name="odd", kind="dynamic", format="json",
                              payload={"segment": [{"queries": ["not a rule"]}]})
    migration = importlib.import_module(
        "segbuilder.catalogue.migrations.0003_values_sent_before")

    migration.count_sent(apps, None)

    assert sorted(SeenValue.objects.values_list("value", "times_used")) == [
        ("Gmail", 2), ("Yahoo! (US)", 1)]


def test_staff_delete_a_wrong_value_in_the_admin_and_it_is_offered_no_more(
        django_user_model, editor, sandbox_settings):
    send(editor, "Gmial", "Gmail")
    staff = Client()
    staff.force_login(django_user_model.objects.create_superuser("root", password="pw-7-root"))
    listed = staff.get(reverse("admin:catalogue_seenvalue_changelist"))
    assert listed.status_code == 200 and "Gmial" in listed.content.decode()

    wrong = SeenValue.objects.get(value="Gmial")
    staff.post(reverse("admin:catalogue_seenvalue_delete", args=[wrong.pk]), {"post": "yes"})

    assert offered(editor) == ["Gmail"]
