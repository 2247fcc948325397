"""The "In Altcraft" page: Altcraft's own segments, paged, searchable, each
with its kind and profile count and an "Open" link into the builder."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.altcraft.sandbox.store import DEMO_SEGMENTS
from segbuilder.segments.altcraft_segments import _details, _segment
from segbuilder.segments.altcraft_views import PAGE_SIZE

pytestmark = pytest.mark.django_db

URL = "/altcraft/"


def add_segments(sandbox, names, *, first_id=100, static=False):
    """Segments as if made in Altcraft's own editor, ids from `first_id`."""
    for offset, name in enumerate(names):
        segment_id = first_id + offset
        sandbox.segments[segment_id] = {
            "id": segment_id, "name": name, "kind": "static" if static else "dynamic",
            "count": 1000 + segment_id,
            "payload": {"name": name, "is_static": static, "segment": []},
        }


def rows(response) -> list[dict]:
    tree = lxml_html.fromstring(response.content.decode())
    found = []
    for tr in tree.xpath('//table[@id="altcraft-table"]/tbody/tr'):
        cells = [cell.text_content().strip() for cell in tr.xpath("./td")]
        found.append({"id": cells[0], "name": cells[1], "kind": cells[2], "count": cells[3],
                      "open": tr.xpath(".//a")[0].get("href")})
    return found


def methods(sandbox) -> list[str]:
    return [received.method for received in sandbox.received]


def test_the_list_shows_each_segment_with_its_kind_count_and_open_link(
        editor, sandbox_settings):
    add_segments(sandbox_settings, ["Лояльные клиенты"], first_id=10)
    response = editor.get(URL)
    assert response.status_code == 200
    shown = rows(response)
    assert [row["id"] for row in shown] == ["10", "3", "2", "1"]  # newest first
    assert shown[0] == {"id": "10", "name": "Лояльные клиенты", "kind": "dynamic",
                        "count": "1010", "open": reverse("builder") + "?altcraft=10"}
    demo_counts = {str(i): str(count) for i, _name, _list, count in DEMO_SEGMENTS}
    assert {row["id"]: row["count"] for row in shown[1:]} == demo_counts
    assert {row["kind"] for row in shown[1:]} == {"static"}
    # One list request, one segments/get per row shown.
    assert methods(sandbox_settings).count("segments/list") == 1
    assert methods(sandbox_settings).count("segments/get") == 4


def test_the_list_and_the_counts_are_cached(editor, sandbox_settings):
    editor.get(URL)
    asked = len(sandbox_settings.received)
    response = editor.get(URL)
    assert len(rows(response)) == 3
    assert len(sandbox_settings.received) == asked


def test_pages_of_fifty_newest_first_asking_counts_for_the_shown_page_only(
        editor, sandbox_settings):
    add_segments(sandbox_settings, [f"Segment {i}" for i in range(120)])
    first = rows(editor.get(URL))
    assert len(first) == PAGE_SIZE
    assert first[0]["id"] == "219" and first[-1]["id"] == "170"
    assert methods(sandbox_settings).count("segments/get") == PAGE_SIZE
    last = editor.get(URL, {"page": 3})
    shown = rows(last)
    assert [row["id"] for row in shown][-3:] == ["3", "2", "1"]
    assert len(shown) == 123 - 2 * PAGE_SIZE
    assert "Page 3 of 3" in last.content.decode()
    assert methods(sandbox_settings).count("segments/get") == PAGE_SIZE + len(shown)
    assert methods(sandbox_settings).count("segments/list") == 1


def test_search_by_name_ignores_case_in_any_alphabet(editor, sandbox_settings):
    add_segments(sandbox_settings, ["Лояльные КЛИЕНТЫ", "Новые клиенты", "Ушедшие"])
    shown = rows(editor.get(URL, {"q": "клиенты"}))
    assert [row["name"] for row in shown] == ["Новые клиенты", "Лояльные КЛИЕНТЫ"]
    assert [row["name"] for row in rows(editor.get(URL, {"q": "LOYALTY"}))] == [
        "Loyalty club members"]
    empty = editor.get(URL, {"q": "nothing like it"})
    assert rows(empty) == [] and b'id="altcraft-empty"' in empty.content


def test_refresh_asks_altcraft_again(editor, sandbox_settings):
    editor.get(URL)
    add_segments(sandbox_settings, ["Made meanwhile"], first_id=50)
    assert "Made meanwhile" not in [row["name"] for row in rows(editor.get(URL))]
    response = editor.post(URL + "?q=meanwhile", {"action": "refresh"})
    assert response.status_code == 302 and response["Location"] == URL + "?q=meanwhile"
    assert [row["name"] for row in rows(editor.get(response["Location"]))] == [
        "Made meanwhile"]
    assert methods(sandbox_settings).count("segments/list") == 2


def test_altcraft_down_is_a_message_on_the_page_not_an_error(editor, sandbox_settings):
    sandbox_settings.set_fault("refuse")
    response = editor.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="altcraft-failure"' in page and "could not be read" in page
    assert rows(response) == []
    # The failure is remembered briefly: the next page does not wait again.
    sandbox_settings.clear_fault()
    assert b'id="altcraft-failure"' in editor.get(URL).content
    assert rows(editor.get(URL)) == []
    # Refresh tries at once.
    editor.post(URL, {"action": "refresh"})
    assert len(rows(editor.get(URL))) == 3


def test_counts_that_fail_show_a_dash(editor, sandbox_settings):
    sandbox_settings.set_fault("http-500", methods=["segments/get"])
    response = editor.get(URL)
    assert response.status_code == 200
    assert [(row["kind"], row["count"]) for row in rows(response)] == [("—", "—")] * 3


def test_counts_that_do_not_come_in_time_are_not_waited_for(editor, sandbox_settings, settings):
    settings.ALTCRAFT_TIMEOUT = 1.0
    sandbox_settings.set_fault("timeout", methods=["segments/get"])
    started = time.monotonic()
    response = editor.get(URL)
    # One timeout for all the rows, not one per row (a generous bound).
    assert time.monotonic() - started < 2.5
    assert [row["count"] for row in rows(response)] == ["—"] * 3


def test_viewers_may_see_it_and_it_is_in_the_navigation(viewer, sandbox_settings):
    response = viewer.get(reverse("history"))
    assert f'href="{URL}"'.encode() in response.content
    assert len(rows(viewer.get(URL))) == 3


def test_anonymous_users_are_sent_to_the_login(client, sandbox_settings):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert sandbox_settings.received == []


def test_the_page_in_russian(editor, sandbox_settings):
    response = editor.get(URL, HTTP_ACCEPT_LANGUAGE="ru")
    page = response.content.decode()
    assert "В Altcraft" in page and "статический" in page


@pytest.mark.parametrize("raw, expected", [
    ({"id": 7, "name": " Seven "}, (7, "Seven")),
    ({"Id": "8", "Name": "Eight", "Groups": [{"name": "VIP"}]}, (8, "Eight")),
    ({"ID": True, "name": "no"}, None),
    ({"name": "no id"}, None),
    ("not a dict", None),
])
def test_list_items_are_read_in_any_spelling(raw, expected):
    segment = _segment(raw)
    assert (segment.id, segment.name) == expected if expected else segment is None


@pytest.mark.parametrize("data, expected", [
    ({"count": 5, "is_static": True}, ("static", 5)),
    ({"count": "6"}, ("dynamic", 6)),  # no is_static: dynamic, as the docs say
    ({"Count": 7, "is_static": "true", "is_refresh_daily": "1"}, ("updatable", 7)),
    ({"count": -1, "is_static": "maybe"}, (None, None)),
    ([], (None, None)),
])
def test_details_are_read_from_segments_get(data, expected):
    details = _details(data)
    assert (details.kind, details.count) == expected
