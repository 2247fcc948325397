"""The builder's pickers: Altcraft's lists of databases, segments and resources,
fetched through the client from the sandbox on a real socket, cached, and
offered on the builder page; and what happens when Altcraft cannot be reached."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.segments.build.pickers import PickerItem, cached_picker_lists, picker_lists
from tests.formdata import builder_data, selection, statseg

pytestmark = pytest.mark.django_db

LIST_METHODS = {"databases": "databases/list", "segments": "segments/list",
                "resources": "resources/list"}
MANY = 2_500


@pytest.fixture
def altcraft(sandbox_settings, settings):
    """The sandbox behind the settings, with a short timeout."""
    settings.ALTCRAFT_TIMEOUT = 2.0
    return sandbox_settings


@pytest.fixture
def many(altcraft):
    """The sandbox with 2,500 more databases, segments and resources (ids from 1001)."""
    for number in range(1001, 1001 + MANY):
        altcraft.databases[number] = {"id": number, "name": f"Database {number}",
                                      "ui_tags": [], "Groups": []}
        altcraft.segments[number] = {"id": number, "name": f"Segment {number}", "kind": "static",
                                     "count": 0, "payload": {}}
        altcraft.resources[number] = {"id": number, "name": f"Resource {number}", "groups": []}
    return altcraft


def requests_for(sandbox, method: str) -> list:
    return [received for received in sandbox.received if received.method == method]


def get_pickers(client, **params):
    return client.get(reverse("pickers"), params)


def page_of(response):
    return lxml_html.fromstring(response.content.decode())


# --- fetching -------------------------------------------------------------------------


def wait_until(condition, timeout: float = 5.0) -> bool:
    """Whether `condition()` came true within `timeout` seconds (polled)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_every_page_of_every_list_is_fetched_with_names_and_ids(many):
    lists = picker_lists()

    assert lists.errors == {}
    assert lists.databases[:3] == (PickerItem(1, "Customers"), PickerItem(2, "Newsletter"),
                                   PickerItem(5, "Loyalty club"))
    for name, noun in (("databases", "Database"), ("segments", "Segment"),
                       ("resources", "Resource")):
        items = lists.items(name)
        assert len(items) == len(getattr(many, name)) > MANY
        assert items[-1] == PickerItem(1000 + MANY, f"{noun} {1000 + MANY}")
        assert [item.id for item in items] == sorted(getattr(many, name))
        # Pages of 1,000, each starting where the last one ended.
        pages = [r.params for r in requests_for(many, LIST_METHODS[name])]
        first_ids = sorted(getattr(many, name))[::1000]
        assert pages == [{"from_id": from_id, "limit": 1000} for from_id in [1, *first_ids[1:]]]
    assert {r.method for r in many.received} == set(LIST_METHODS.values())


def test_a_second_call_is_answered_from_the_cache_without_asking_altcraft(many):
    first = picker_lists()
    asked = len(many.received)
    assert asked == 9  # three pages of each list

    second = picker_lists()

    assert second == first
    assert len(many.received) == asked


def test_refresh_asks_altcraft_again_and_updates_the_cache(altcraft):
    picker_lists()
    altcraft.databases[1]["name"] = "Customers (renamed)"
    asked = len(altcraft.received)

    assert picker_lists().databases[0] == PickerItem(1, "Customers")
    assert len(altcraft.received) == asked

    refreshed = picker_lists(refresh=True)
    assert refreshed.databases[0] == PickerItem(1, "Customers (renamed)")
    assert len(altcraft.received) == asked + 3
    assert picker_lists().databases[0] == PickerItem(1, "Customers (renamed)")
    assert len(altcraft.received) == asked + 3


def test_only_the_lists_missing_from_the_cache_are_fetched(altcraft):
    picker_lists()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM segbuilder_cache WHERE cache_key LIKE %s", ["%:segments"])
    asked = len(altcraft.received)

    lists = picker_lists()

    assert [r.method for r in altcraft.received[asked:]] == ["segments/list"]
    assert lists.settled and lists.errors == {}
    assert len(lists.segments) == 3


def test_lists_are_kept_as_long_as_the_setting_says_and_failures_briefly(altcraft, settings):
    settings.ALTCRAFT_PICKER_CACHE_SECONDS = 120
    altcraft.set_fault("error-403", methods=["resources/list"])
    now = datetime.now(UTC)

    picker_lists()

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, expires FROM segbuilder_cache")
        rows = cursor.fetchall()
    lifetimes = {key.rsplit(":", 2)[-2] if key.endswith(":error") else key.rsplit(":", 1)[-1]:
                 (_aware(expires) - now).total_seconds() for key, expires in rows}
    assert set(lifetimes) == {"databases", "segments", "resources"}
    assert 118 < lifetimes["databases"] <= 121 and 118 < lifetimes["segments"] <= 121
    assert 28 < lifetimes["resources"] <= 31  # the failure


def test_the_cache_is_per_altcraft_account(altcraft, settings):
    picker_lists()
    asked = len(altcraft.received)

    settings.ALTCRAFT_API_TOKEN = "another-accounts-token"  # the sandbox refuses it
    other = picker_lists()

    assert len(altcraft.received) == asked + 3
    assert other.databases is None and set(other.errors) == {"databases", "segments", "resources"}
    assert "error 401" in str(other.errors["databases"])


def test_the_token_is_neither_stored_in_the_cache_nor_shown(altcraft, settings):
    settings.ALTCRAFT_API_TOKEN = altcraft.token = "secret-token-4e9b"
    picker_lists()
    settings.ALTCRAFT_API_TOKEN = "secret-token-wrong-7c1a"
    refused = picker_lists()

    assert refused.errors
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM segbuilder_cache")
        rows = cursor.fetchall()
    assert len(rows) == 6  # three lists, three failures
    for key, value in rows:
        assert "secret-token" not in key and "secret-token" not in value
    for reason in refused.errors.values():
        assert "secret-token" not in str(reason)


# --- Altcraft down -----------------------------------------------------------------------


def test_when_altcraft_cannot_be_reached_each_list_reports_it(altcraft):
    altcraft.set_fault("refuse")

    lists = picker_lists()

    assert (lists.databases, lists.segments, lists.resources) == (None, None, None)
    assert set(lists.errors) == {"databases", "segments", "resources"}
    for reason in map(str, lists.errors.values()):
        assert reason.startswith(f"Could not connect to Altcraft at 127.0.0.1:{_port(altcraft)} (")
        assert reason.endswith("It is safe to try again.")
    assert lists.settled


def test_one_failing_list_leaves_the_others_offered(altcraft):
    altcraft.set_fault("error-403", methods=["resources/list"])

    lists = picker_lists()

    assert set(lists.errors) == {"resources"}
    assert str(lists.errors["resources"]).startswith(
        "Altcraft refused the request (error 403: Access denied).")
    assert lists.error_groups == [(("resources",), lists.errors["resources"])]
    assert len(lists.databases) == 3 and len(lists.segments) == 3
    assert lists.resources is None


def test_a_failure_is_remembered_briefly_and_refresh_tries_again(altcraft):
    altcraft.set_fault("http-500")
    picker_lists()
    asked = len(altcraft.received)
    assert asked == 3

    again = picker_lists()
    assert len(altcraft.received) == asked
    assert set(again.errors) == {"databases", "segments", "resources"}

    altcraft.clear_fault()
    refreshed = picker_lists(refresh=True)
    assert len(altcraft.received) == asked + 3
    assert refreshed.errors == {}
    assert cached_picker_lists().errors == {}


def test_a_failed_refresh_keeps_the_list_cached_before(altcraft):
    picker_lists()
    altcraft.set_fault("http-500")

    refreshed = picker_lists(refresh=True)

    assert set(refreshed.errors) == {"databases", "segments", "resources"}
    kept = cached_picker_lists()
    assert kept.errors == {} and len(kept.databases) == 3


def test_all_three_lists_together_take_no_longer_than_the_timeout(altcraft, settings):
    settings.ALTCRAFT_TIMEOUT = 1.0
    altcraft.set_fault("timeout")  # never answers

    started = time.monotonic()
    lists = picker_lists()

    # A generous bound: the sandbox would hold each request for a minute.
    assert time.monotonic() - started < 1.0 + 5
    assert set(lists.errors) == {"databases", "segments", "resources"}
    assert "1 s" in str(lists.errors["databases"])
    # The threads that fetched end with the deadline, not minutes later.
    assert wait_until(lambda: not [t for t in threading.enumerate()
                                   if t.name.startswith("pickers")])


def test_a_list_of_many_pages_shares_one_deadline(many, settings):
    """Each page answers within the timeout, but all of them would not."""
    settings.ALTCRAFT_TIMEOUT = 1.0
    many.set_fault("slow", methods=["databases/list"], delay=0.4)

    lists = picker_lists()

    # 3 pages of 0.4 s cannot fit in 1 s: the deadline, not each page's
    # timeout, cut it.
    assert set(lists.errors) == {"databases"}
    assert len(lists.segments) == len(many.segments)
    assert len(requests_for(many, "databases/list")) <= 3


# --- the JSON view ------------------------------------------------------------------------


def test_the_view_answers_every_list_as_json(logged_in, altcraft):
    response = get_pickers(logged_in)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "databases": [{"id": 1, "name": "Customers"}, {"id": 2, "name": "Newsletter"},
                      {"id": 5, "name": "Loyalty club"}],
        "segments": [{"id": 1, "name": "All customers"}, {"id": 2, "name": "Newsletter readers"},
                     {"id": 3, "name": "Loyalty club members"}],
        "resources": [{"id": 1, "name": "Main newsletter"},
                      {"id": 2, "name": "Transactional mail"}],
        "errors": {},
    }


def test_the_view_refreshes_only_when_asked(logged_in, altcraft):
    get_pickers(logged_in)
    asked = len(altcraft.received)

    get_pickers(logged_in)
    get_pickers(logged_in, refresh="yes")
    assert len(altcraft.received) == asked

    get_pickers(logged_in, refresh="1")
    assert len(altcraft.received) == asked + 3


def test_the_view_answers_200_with_errors_when_altcraft_is_down(logged_in, altcraft):
    altcraft.set_fault("refuse")

    response = get_pickers(logged_in)

    assert response.status_code == 200
    data = response.json()
    assert (data["databases"], data["segments"], data["resources"]) == ([], [], [])
    assert set(data["errors"]) == {"databases", "segments", "resources"}


def test_the_view_answers_within_the_timeout_when_altcraft_never_answers(
        logged_in, altcraft, settings):
    settings.ALTCRAFT_TIMEOUT = 1.0
    altcraft.set_fault("timeout")

    started = time.monotonic()
    response = get_pickers(logged_in, refresh="1")

    # A generous bound: the sandbox would hold each request for a minute.
    assert time.monotonic() - started < 1.0 + 5
    assert response.status_code == 200
    assert set(response.json()["errors"]) == {"databases", "segments", "resources"}


def test_the_view_needs_a_login_and_a_get(client, logged_in, altcraft):
    logged_in.logout()
    response = get_pickers(client)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert altcraft.received == []

    client.force_login(_user("victor", "Segment viewers"))
    assert get_pickers(client).status_code == 200  # viewers build segments too
    assert client.post(reverse("pickers")).status_code == 405


# --- the builder page ----------------------------------------------------------------------


def test_the_builder_offers_the_cached_lists_without_asking_altcraft(logged_in, altcraft):
    picker_lists()
    asked = len(altcraft.received)

    response = logged_in.get(reverse("builder"))

    assert response.status_code == 200
    assert len(altcraft.received) == asked
    page = page_of(response)
    options = page.xpath('//datalist[@id="picker-databases"]/option')
    assert [(o.get("value"), o.text) for o in options] == [
        ("1", "Customers"), ("2", "Newsletter"), ("5", "Loyalty club")]
    assert len(page.xpath('//datalist[@id="picker-segments"]/option')) == 3
    assert len(page.xpath('//datalist[@id="picker-resources"]/option')) == 2
    box = page.get_element_by_id("pickers")
    assert box.get("data-settled") == "true"
    assert box.get("data-url") == reverse("pickers")
    assert page.get_element_by_id("pickers-fallback").get("hidden") is not None
    assert page.xpath('//script[contains(@src, "js/pickers.js")]')


def test_the_builder_renders_at_once_with_empty_lists_when_nothing_is_cached(
        logged_in, altcraft, settings):
    altcraft.set_fault("timeout")
    settings.ALTCRAFT_TIMEOUT = 5.0

    response = logged_in.get(reverse("builder"))

    assert response.status_code == 200
    assert altcraft.received == []  # it did not wait for Altcraft
    page = page_of(response)
    assert page.get_element_by_id("pickers").get("data-settled") == "false"
    assert page.xpath('//datalist[@id="picker-databases"]/option') == []
    assert page.get_element_by_id("pickers-fallback").get("hidden") is not None


def test_the_builder_shows_the_fallback_note_after_altcraft_was_unreachable(
        logged_in, altcraft):
    altcraft.set_fault("http-502")
    get_pickers(logged_in)

    response = logged_in.get(reverse("builder"))

    assert response.status_code == 200
    page = page_of(response)
    note = page.get_element_by_id("pickers-fallback")
    assert note.get("hidden") is None
    assert "Some of Altcraft's lists could not be loaded" in note.text_content()
    # One reason for all three lists: said once.
    (item,) = note.xpath('.//li')
    assert item.get("data-lists") == "databases segments resources"
    assert item.text_content().startswith(
        "Databases, Segments, Resources: Altcraft answered HTTP 502 without an Altcraft answer.")
    assert page.get_element_by_id("pickers").get("data-settled") == "true"
    # The id fields still take a typed id.
    assert page.get_element_by_id("id_selections-0-list_id").get("type") == "text"


def test_without_its_cache_table_the_builder_still_renders_and_lists_still_load(
        logged_in, altcraft, monkeypatch):
    class Broken:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise DatabaseError("no such table: segbuilder_cache")
            return fail

    monkeypatch.setattr("segbuilder.segments.build.pickers.cache", Broken())

    assert logged_in.get(reverse("builder")).status_code == 200
    response = get_pickers(logged_in)
    assert response.status_code == 200
    assert len(response.json()["databases"]) == 3


def test_every_id_field_offers_its_list(logged_in):
    page = page_of(logged_in.get(reverse("builder")))

    def field(field_id):
        element = page.get_element_by_id(field_id)
        return {name: element.get(name) for name in ("type", "inputmode", "list", "data-picker")}

    def picker(name):
        return {"type": "text", "inputmode": "numeric", "list": f"picker-{name}",
                "data-picker": name}

    assert field("id_list_id") == picker("databases")
    assert field("id_selections-0-list_id") == picker("databases")
    assert field("id_selections-0-rules-0-statseg__segment_id") == picker("segments")
    # The rows builder.js adds come from the same forms.
    assert page.xpath('//template[@id="tpl-selection"]'
                      '//input[@name="selections-__prefix__-list_id"]/@list') == [
        "picker-databases"]
    # In the new selection's rule, a new rule and a new sub-rule, and in the
    # panels a rule and a sub-rule get when their kind changes.
    assert len(page.xpath('//template//input[@list="picker-segments"]')) == 5
    for template_id in ("tpl-rule-dataurl", "tpl-subrule-dataurl"):
        (resource_id,) = page.xpath(
            f'//template[@id="{template_id}"]//input[starts-with(@list, "picker-")]')
        assert resource_id.get("data-picker") == "resources"


@pytest.mark.parametrize(("typed", "message"), [
    ("Customers", "Enter a whole number."),
    ("0", "Ensure this value is greater than or equal to 1."),
    ("1.5", "Enter a whole number."),
])
def test_a_picker_field_still_checks_what_was_typed(logged_in, typed, message):
    response = logged_in.post(reverse("builder"), builder_data(
        kind="dynamic", list_id=typed, selections=[selection(statseg(typed), list_id=typed)]))

    page = page_of(response)
    for field_id in ("id_list_id", "id_selections-0-list_id",
                     "id_selections-0-rules-0-statseg__segment_id"):
        errors = page.xpath(f'//*[@id="{field_id}"]/following-sibling::*'
                            '[contains(@class, "invalid-feedback")]')
        assert [e.text_content().strip() for e in errors] == [message], field_id


def test_a_picked_id_is_sent_as_a_number(logged_in):
    response = logged_in.post(reverse("builder"), builder_data(
        kind="dynamic", selections=[selection(statseg(" 3 "), list_id="5")]))

    assert response.status_code == 200
    payload = json.loads(response.context["preview"]["json"])
    assert payload["segment"][0]["list_id"] == 5
    assert payload["segment"][0]["queries"][0]["value"] == [{"name": "segment_id", "value": 3}]


def _user(username: str, group: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, password="pw-for-tests-3")
    user.groups.add(Group.objects.get(name=group))
    return user


def _aware(value) -> datetime:
    # SQLite hands back text, PostgreSQL a datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _port(sandbox) -> int:
    return int(sandbox.url.split(":")[2].split("/")[0])


def test_a_list_name_holding_the_token_is_masked_before_it_is_cached_or_shown(
        logged_in, altcraft):
    token = altcraft.token
    altcraft.databases[1]["name"] = f"Leak {token} here"
    altcraft.segments[2]["name"] = f"Part {token[3:15]} of it"

    lists = picker_lists(refresh=True)
    page = logged_in.get(reverse("builder")).content.decode()
    answer = get_pickers(logged_in).content.decode()

    names = [item.name for item in (*lists.databases, *lists.segments)]
    assert "Leak *** here" in names and "Part *** of it" in names
    for shown in (repr(cached_picker_lists()), page, answer, *names):
        assert token[:8] not in shown and token[3:11] not in shown
