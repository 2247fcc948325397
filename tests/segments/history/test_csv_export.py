"""The history as CSV: the bytes of the shared writer (mark, headers in both
languages, Cyrillic, times in the current zone, defused formulas) and the
history page's download (same filters, who may have it)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from lxml import html as lxml_html

from segbuilder.segments.history import csv_export
from segbuilder.segments.history.csv_export import submission_csv_lines
from segbuilder.segments.models import Submission

WHEN = datetime.datetime(2026, 3, 10, 21, 5, 7, tzinfo=datetime.UTC)


@pytest.fixture
def author(django_user_model):
    return django_user_model.objects.create_user("мария", password="pw-for-tests-1")


def submission(author, *, name="Segment", when=WHEN, **fields) -> Submission:
    defaults = {"kind": "dynamic", "format": "json", "status": "created",
                "payload": {"name": name}}
    row = Submission.objects.create(author=author, name=name, **{**defaults, **fields})
    Submission.objects.filter(pk=row.pk).update(created_at=when)  # auto_now_add ignores it
    row.refresh_from_db()
    return row


def csv_bytes(rows, *, language="en", zone="UTC") -> bytes:
    with translation.override(language), timezone.override(zone):
        return "".join(submission_csv_lines(rows)).encode("utf-8")


def parsed(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark, once
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


@pytest.mark.django_db
def test_the_file_starts_with_a_byte_order_mark_and_english_headers(author):
    content = csv_bytes([submission(author, name="Клиенты")])
    assert content.startswith("\ufeffNumber,Created (UTC),Author,Name,".encode())
    (header, row) = parsed(content)
    assert header[:4] == ["Number", "Created (UTC)", "Author", "Name"]
    assert row[2:4] == ["мария", "Клиенты"]
    assert "Клиенты".encode() in content  # UTF-8, not escaped


@pytest.mark.django_db
def test_headers_and_labels_are_in_the_readers_language(author):
    (header, row) = parsed(csv_bytes([submission(author)], language="ru"))
    assert header[:4] == ["Номер", "Создано (UTC)", "Автор", "Название"]
    assert row[6] == "Создан"  # the status label, not its key


@pytest.mark.django_db
def test_times_are_in_the_current_time_zone_which_the_header_names(author):
    (header, row) = parsed(csv_bytes([submission(author)], zone="Europe/Moscow"))
    assert header[1] == "Created (Europe/Moscow)"
    assert row[1] == "2026-03-11 00:05:07"  # 21:05 UTC is past midnight in Moscow


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["=1+1", "+7 999", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused(author, text):
    (_, row) = parsed(csv_bytes([submission(author, name=text, error_text=text)]))
    assert row[3] == row[9] == "'" + text


@pytest.mark.django_db
def test_ordinary_text_and_numbers_are_left_as_they_are(author):
    (_, row) = parsed(csv_bytes([submission(author, name="a - b", altcraft_id=-1 + 8)]))
    assert (row[3], row[7]) == ("a - b", "7")


# --- the history page's download -------------------------------------------------------


@pytest.mark.django_db
def test_a_viewer_downloads_the_list_as_filtered_on_the_page(viewer, author):
    submission(author, name="Loyal clients")
    submission(author, name="Other")
    submission(author, name="Loyal, failed", status="failed")
    response = viewer.get(reverse("history_csv"), {"q": "loyal", "status": "created"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="history-')
    (_, *rows) = parsed(b"".join(response.streaming_content))
    assert [row[3] for row in rows] == ["Loyal clients"]


@pytest.mark.django_db
def test_the_download_stops_at_its_cap_newest_first(viewer, author, monkeypatch):
    monkeypatch.setattr("segbuilder.segments.history.views.DOWNLOAD_CAP", 2)
    for day in range(1, 4):
        submission(author, name=f"Day {day}", when=WHEN.replace(day=day))
    (_, *rows) = parsed(b"".join(viewer.get(reverse("history_csv")).streaming_content))
    assert [row[3] for row in rows] == ["Day 3", "Day 2"]


@pytest.mark.django_db
def test_the_history_page_links_the_download_with_its_filters(viewer, author):
    submission(author, name="Loyal")
    response = viewer.get(reverse("history"), {"q": "loyal", "page": "1"})
    (link,) = lxml_html.fromstring(response.content).xpath('//a[@id="history-csv"]')
    assert link.get("href") == reverse("history_csv") + "?q=loyal"
    assert f"at most {csv_export.DOWNLOAD_CAP:,}".replace(",", "") in (
        response.content.decode().replace(",", ""))


@pytest.mark.django_db
def test_filters_that_cannot_be_read_lead_back_to_the_page(viewer):
    response = viewer.get(reverse("history_csv"), {"date_from": "not a date"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("history") + "?")


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("history_csv"))
    assert response.status_code == 302
    assert reverse("history_csv") in response["Location"]
    assert "login" in response["Location"]
