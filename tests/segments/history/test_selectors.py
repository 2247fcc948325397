"""The history at scale: counts that stop at a cap, pages past it, the
admin's date hierarchy and author filter without reading every row, and the
bulk load the benchmarks fill it with."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.segments.history import selectors
from segbuilder.segments.history.selectors import CappedPaginator
from segbuilder.segments.history.views import HISTORY_PAGE_SIZE
from segbuilder.segments.models import Submission
from tests.examples import example_payload

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def user(django_user_model):
    user = django_user_model.objects.create_user("maria", password="pw-for-tests-1",
                                                 is_staff=True)
    user.groups.add(Group.objects.get(name="Segment viewers"))
    return user


def add(author, count: int, *, start=datetime.datetime(2026, 1, 1, tzinfo=UTC), **fields):
    rows = Submission.objects.bulk_create(
        Submission(author=author, name=f"Promo {number:03}", kind="dynamic", format="json",
                   payload=example_payload("dynamic", "json"), status="created", **fields)
        for number in range(count))
    for number, row in enumerate(rows):  # auto_now_add ignores a given value
        Submission.objects.filter(pk=row.pk).update(
            created_at=start + datetime.timedelta(hours=number))
    return rows


def listed_names(response) -> list[str]:
    page = lxml_html.fromstring(response.content)
    return [row.xpath("td")[3].text_content().strip() for row in page.xpath("//tbody/tr")]


# --- the capped paginator ----------------------------------------------------------------


def test_up_to_the_cap_the_count_and_pages_are_exact(user, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 10)
    add(user, 10)
    paginator = CappedPaginator(Submission.objects.order_by("-created_at", "-id"), 4)
    assert (paginator.count, paginator.count_is_exact, paginator.num_pages) == (10, True, 3)
    assert [len(paginator.page(number)) for number in (1, 2, 3)] == [4, 4, 2]
    with pytest.raises(EmptyPage):
        paginator.page(4)


def test_past_the_cap_any_page_is_read_and_knows_whether_more_follow(user, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 5)
    add(user, 12)
    paginator = CappedPaginator(Submission.objects.order_by("created_at", "id"), 4)
    assert (paginator.count, paginator.count_is_exact) == (6, False)
    pages = [paginator.page(number) for number in (1, 2, 3)]
    assert [[row.name for row in page] for page in pages] == [
        ["Promo 000", "Promo 001", "Promo 002", "Promo 003"],
        ["Promo 004", "Promo 005", "Promo 006", "Promo 007"],
        ["Promo 008", "Promo 009", "Promo 010", "Promo 011"]]
    assert [page.has_next() for page in pages] == [True, True, False]
    assert (pages[2].start_index(), pages[2].end_index()) == (9, 12)
    with pytest.raises(EmptyPage):
        paginator.page(4)
    for number in (0, -1):
        with pytest.raises(EmptyPage):
            paginator.page(number)
    with pytest.raises(PageNotAnInteger):
        paginator.page("abc")
    # get_page, as the history uses it: page 1 when the number is not a page.
    for number in ("abc", "4", "99999999999999999999999", "1e9", None):
        assert paginator.get_page(number).number == 1


@pytest.mark.parametrize(("rows", "count"), [(0, 0), (3, 3), (12, 6)])
def test_a_page_reads_its_rows_and_the_count_in_one_query(
        user, monkeypatch, django_assert_num_queries, rows, count):
    monkeypatch.setattr(CappedPaginator, "count_cap", 5)
    add(user, rows)
    paginator = CappedPaginator(Submission.objects.order_by("created_at", "id"), 2,
                                columns=selectors.LIST_COLUMNS)
    with django_assert_num_queries(1):
        page = paginator.get_page("1")
        assert (paginator.count, paginator.count_is_exact) == (count, count <= 5)
    assert [row.name for row in page] == [f"Promo {number:03}" for number in range(min(2, rows))]
    assert page.has_next() == (rows > 2)


def test_a_list_found_longer_than_the_cap_skips_the_count_for_a_minute(
        user, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(CappedPaginator, "count_cap", 5)
    add(user, 12)

    def first_page(count_key):
        paginator = CappedPaginator(Submission.objects.order_by("-id"), 4,
                                    columns=selectors.LIST_COLUMNS, count_key=count_key)
        with django_assert_num_queries(1) as queries:
            page = paginator.get_page(1)
        assert (paginator.count, paginator.count_is_exact, page.has_next()) == (6, False, True)
        return "COUNT" in queries.captured_queries[0]["sql"]

    assert first_page(None) and first_page(None)  # no key: always counted
    assert first_page("all") and not first_page("all")
    assert settings.CACHES["local"]["TIMEOUT"] == 60  # kept a minute
    caches["local"].clear()  # as when that minute has passed
    assert first_page("all")


def test_the_count_reads_at_most_the_cap_plus_one_row(user, django_assert_max_num_queries):
    add(user, 3)
    with django_assert_max_num_queries(1) as queries:
        assert CappedPaginator(Submission.objects.order_by("-id"), 50).count == 3
    assert f"LIMIT {selectors.COUNT_CAP + 1}" in queries.captured_queries[0]["sql"]


def test_a_long_history_says_more_than_the_cap_and_pages_on_without_an_oldest_link(
        logged_in, user, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 60)
    add(user, 130)
    page = lxml_html.fromstring(logged_in.get(reverse("history")).content)
    assert " ".join(page.get_element_by_id("history-count").text_content().split()) == (
        "More than 60 submissions.")
    nav = [a.text_content() for a in page.xpath("//ul[@class='pagination']//a")]
    assert nav == ["Older"] and "Oldest" not in page.text_content()
    assert page.xpath("//ul[@class='pagination']//span/text()") == ["Page 1"]
    (older,) = page.xpath("//a[@rel='next']/@href")
    third = logged_in.get(reverse("history"), {"page": 3})
    assert listed_names(third) == [f"Promo {number:03}" for number in range(29, -1, -1)][:30]
    assert lxml_html.fromstring(third.content).xpath("//a[@rel='next']") == []
    assert parse_qs(urlsplit(older).query) == {"page": ["2"]}
    filtered = lxml_html.fromstring(logged_in.get(reverse("history"), {"q": "promo"}).content)
    assert "More than 60 submissions match these filters." in " ".join(
        filtered.get_element_by_id("history-count").text_content().split())
    assert len(filtered.xpath("//tbody/tr")) == HISTORY_PAGE_SIZE


def test_a_page_past_the_end_of_a_long_history_shows_the_newest(logged_in, user, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 10)
    add(user, 20)
    response = logged_in.get(reverse("history"), {"page": 9})
    assert listed_names(response)[0] == "Promo 019"


def test_the_list_leaves_the_payload_and_answers_in_the_database(user):
    add(user, 1, answer="x" * 1000)
    paginator = CappedPaginator(selectors.submission_list(filters={}), 50,
                                columns=selectors.LIST_COLUMNS)
    rows = paginator._rows_and_count()
    ((row,), sql) = list(rows), str(rows.query)
    assert row._fields == (*selectors.LIST_COLUMNS, "capped_count")
    assert row.author_id == user.pk
    assert "payload" not in sql and "answer" not in sql and "error_text" not in sql


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_says_more_than_the_cap_past_it(client, django_user_model, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 150)
    admin_user = django_user_model.objects.create_superuser("root", password="pw-for-tests-7")
    client.force_login(admin_user)
    add(admin_user, 160)
    page = lxml_html.fromstring(client.get(reverse("admin:segments_submission_changelist"))
                                .content)
    assert "more than 150 submissions" in page.xpath("//p[@class='paginator']")[0].text_content()
    second = client.get(reverse("admin:segments_submission_changelist"), {"p": 2})
    assert second.status_code == 200


def test_the_date_hierarchy_offers_only_years_and_months_that_hold_submissions(user):
    add(user, 1, start=datetime.datetime(2023, 5, 1, tzinfo=UTC))
    add(user, 2, start=datetime.datetime(2025, 2, 27, 23, tzinfo=UTC))
    add(user, 1, start=datetime.datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    submissions = Submission.objects
    assert [year.year for year in submissions.datetimes("created_at", "year")] == [2023, 2025]
    months = submissions.filter(created_at__year=2025).datetimes("created_at", "month")
    assert [(month.year, month.month) for month in months] == [(2025, 2), (2025, 12)]
    assert list(Submission.objects.none().datetimes("created_at", "year")) == []


def test_the_date_hierarchy_offers_only_days_that_hold_submissions(user):
    add(user, 2, start=datetime.datetime(2025, 2, 27, 23, tzinfo=UTC))  # the 27th and the 28th
    add(user, 1, start=datetime.datetime(2025, 3, 2, tzinfo=UTC))
    days = Submission.objects.filter(created_at__year=2025).datetimes("created_at", "day")
    assert [(day.month, day.day) for day in days] == [(2, 27), (2, 28), (3, 2)]


def test_the_date_hierarchy_asks_in_one_query_of_probes(user, django_assert_num_queries):
    add(user, 3, start=datetime.datetime(2023, 5, 1, tzinfo=UTC))
    add(user, 1, start=datetime.datetime(2026, 1, 1, tzinfo=UTC))
    with django_assert_num_queries(2) as queries:  # the first and last date, then the probes
        assert len(Submission.objects.datetimes("created_at", "month")) == 2
    assert queries.captured_queries[1]["sql"].count("EXISTS") == 33  # May 2023 to January 2026


def test_the_date_hierarchy_counts_in_the_current_time_zone(user, settings):
    settings.TIME_ZONE = "Europe/Moscow"  # 23:30 UTC on Dec 31 is New Year's Day there
    add(user, 1, start=datetime.datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    years = Submission.objects.datetimes("created_at", "year")
    assert [year.year for year in years] == [2026]


def test_the_admin_author_filter_offers_only_people_who_sent_something(
        client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", password="pw-for-tests-7")
    django_user_model.objects.create_user("silent", password="pw-for-tests-5")
    for name in ("petr", "oleg"):
        add(django_user_model.objects.create_user(name, password="pw-for-tests-4"), 1)
    client.force_login(admin_user)
    page = lxml_html.fromstring(client.get(reverse("admin:segments_submission_changelist"))
                                .content)
    (author_filter,) = [details for details in page.xpath("//details[@data-filter-title]")
                        if "oleg" in details.text_content()]
    links = author_filter.xpath(".//a/text()")
    assert [text.strip() for text in links] == ["All", "oleg", "petr"]
