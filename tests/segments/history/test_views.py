"""The shared history: the filtered, paginated list and one submission's page."""

from __future__ import annotations

import datetime
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from segbuilder.altcraft.codec import payload_from_json, payload_from_xml
from segbuilder.altcraft.segment import Segment
from segbuilder.segments.history.views import HISTORY_PAGE_SIZE
from segbuilder.segments.models import Submission
from segbuilder.segments.services import segment_submit
from tests.examples import example_payload

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Queries of one history page, whatever the number of rows: session, user,
# and the page's rows with their capped count; the authors are read at most
# once a minute per process (segments/authors.py), one query more.
HISTORY_QUERIES = 3


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user("oleg", password="pw-for-tests-4")


def submission(author, *, name="Segment", kind="dynamic", status="created", when=None,
               **fields) -> Submission:
    """A history row as the service leaves it; `when` overrides created_at."""
    defaults = dict(format="json", payload=example_payload("dynamic", "json"),
                    altcraft_id=None, duration_ms=120)
    row = Submission.objects.create(author=author, name=name, kind=kind, status=status,
                                    **{**defaults, **fields})
    if when is not None:  # auto_now_add ignores a given value
        Submission.objects.filter(pk=row.pk).update(created_at=when)
        row.refresh_from_db()
    return row


def page_of(response) -> lxml_html.HtmlElement:
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def listed_names(response) -> list[str]:
    """The Name column of the history table, top to bottom."""
    page = page_of(response)
    headers = [th.text_content().strip() for th in page.xpath("//thead/tr/th")]
    if not headers:  # no table: nothing listed
        return []
    column = headers.index("Name")
    return [row.xpath("td")[column].text_content().strip() for row in page.xpath("//tbody/tr")]


def history(client, **params):
    return client.get(reverse("history"), params)


# --- the list ---------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login_from_list_and_detail(client, user):
    row = submission(user)
    for url in (reverse("history"), reverse("submission_detail", args=[row.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_viewers_read_the_whole_teams_history(viewer, user, other):
    submission(user, name="Maria's")
    submission(other, name="Oleg's")
    assert sorted(listed_names(history(viewer))) == ["Maria's", "Oleg's"]


def test_the_list_is_newest_first_whatever_the_order_rows_were_written(logged_in, user):
    day = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    submission(user, name="middle", when=day)
    submission(user, name="newest", when=day + datetime.timedelta(hours=1))
    submission(user, name="oldest", when=day - datetime.timedelta(days=30))
    assert listed_names(history(logged_in)) == ["newest", "middle", "oldest"]


def test_each_row_shows_its_columns_and_links_to_its_page(logged_in, user):
    row = submission(user, name="Loyal", kind="updatable", status="created", altcraft_id=4321,
                     when=datetime.datetime(2026, 3, 10, 9, 5, tzinfo=UTC))
    page = page_of(history(logged_in))
    (tr,) = page.xpath("//tbody/tr")
    cells = [td.text_content().strip() for td in tr.xpath("td")]
    assert cells[-6:] == ["2026-03-10 09:05", "maria", "Loyal", "updatable", "Created", "4321"]
    assert [(a.get("href"), a.text_content()) for a in tr.xpath(".//a")] == [
        (reverse("submission_detail", args=[row.pk]), "Loyal")]


def test_the_rows_are_written_by_the_template_with_a_status_badge_each(logged_in, user,
                                                                       settings):
    settings.TIME_ZONE = "Europe/Moscow"
    when = datetime.datetime(2026, 3, 10, 21, 5, tzinfo=UTC)  # 00:05 the next day there
    statuses = [*Submission.Status.values, "odd"]
    for number, status in enumerate(statuses):
        submission(user, name=f"a<b & {number}", kind=["static", "weekly"][number % 2],
                   status=status, altcraft_id=None if number % 2 else number, when=when)
    response = history(logged_in)
    used = [template.name for template in response.templates]
    assert used.count("segments/_status.html") == len(statuses)
    assert "a&lt;b &amp; 0" in response.content.decode()
    page = page_of(response)
    rows = {tr.xpath("td")[3].text_content(): tr for tr in page.xpath("//tbody/tr")}
    colours = {"created": "success", "updated": "success", "rejected": "danger",
               "sending": "secondary",
               "not_created": "info", "failed": "warning", "unknown": "warning",
               "odd": "warning"}
    for number, status in enumerate(statuses):
        tr = rows[f"a<b & {number}"]
        (badge,) = tr.xpath(".//span[contains(@class, 'badge')]")
        assert badge.get("class") == f"badge text-bg-{colours[status]}"
        labels = dict(Submission.Status.choices)
        assert badge.text_content() == str(labels.get(status, status))
        cells = [td.text_content().strip() for td in tr.xpath("td")]
        assert cells[1:3] == ["2026-03-11 00:05", "maria"]
        assert cells[4] == ["static", "weekly"][number % 2]  # a kind no choice has, as it is
        assert cells[6] == ("—" if number % 2 else str(number))
        (moment,) = tr.xpath(".//time/@datetime")
        assert moment == "2026-03-11T00:05:00+03:00"


def test_the_filters_are_crispy_s_fields_and_show_what_is_applied(logged_in, user, other):
    submission(user)
    submission(other)
    page = page_of(history(logged_in, q="a<b", status="created", author="oleg",
                           date_from="2026-01-02"))
    form = page.get_element_by_id("history-filters")
    (search,) = form.xpath(".//div[@id='div_id_q']/input")
    assert (search.get("type"), search.get("value"), search.get("maxlength")) == (
        "search", "a<b", "255")
    assert search.get("aria-describedby") == "id_q_helptext"
    assert form.xpath("string(.//div[@id='id_q_helptext'])") == (
        "Part of the name, or an Altcraft id.")
    assert form.xpath(".//label[@for='id_status']/text()") == ["Status"]
    selected = {select.get("name"): select.xpath("option[@selected]/@value")
                for select in form.xpath(".//select")}
    assert selected == {"action": [""], "status": ["created"], "kind": [""], "author": ["oleg"]}
    assert form.xpath(".//select[@name='author']/option/@value") == ["", "maria", "oleg"]
    assert form.xpath(".//input[@name='date_from']/@value") == ["2026-01-02"]
    assert form.xpath(".//input[@name='date_to']/@value") == []


def test_an_empty_history_invites_to_build_and_an_empty_result_offers_to_clear(logged_in, user):
    html = history(logged_in).content.decode()
    assert "Nothing has been sent yet" in html
    submission(user, name="Loyal")
    html = history(logged_in, q="nothing like it").content.decode()
    assert "No submission matches these filters" in html and "Nothing has been sent" not in html


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "rejected"}, ["rejected static"]),
    ({"status": "unknown"}, ["unknown dynamic"]),
    ({"kind": "static"}, ["rejected static"]),
    ({"kind": "updatable"}, ["created updatable"]),
    ({"kind": "dynamic"}, ["unknown dynamic"]),
    ({"author": "oleg"}, ["unknown dynamic"]),
    ({"author": "maria"}, ["created updatable", "rejected static"]),
    ({"status": "", "kind": "", "author": "", "q": "  "}, [
        "unknown dynamic", "created updatable", "rejected static"]),
])
def test_each_filter_keeps_only_the_matching_rows(logged_in, user, other, params, expected):
    submission(user, name="rejected static", kind="static", status="rejected")
    submission(user, name="created updatable", kind="updatable", status="created")
    submission(other, name="unknown dynamic", kind="dynamic", status="unknown")
    assert listed_names(history(logged_in, **params)) == expected


def test_the_author_filter_offers_only_people_who_sent_something(logged_in, user, other,
                                                                 django_user_model):
    django_user_model.objects.create_user("silent", password="pw-for-tests-5")
    submission(other)
    submission(user)
    page = page_of(history(logged_in))
    options = page.xpath("//select[@name='author']/option")
    assert [(o.get("value"), o.text_content()) for o in options] == [
        ("", "Anyone"), ("maria", "maria"), ("oleg", "oleg")]


def test_the_date_range_includes_both_days_in_the_current_time_zone(logged_in, user, settings):
    settings.TIME_ZONE = "Europe/Moscow"  # UTC+3 all year
    # 22:30 UTC on March 1 is already March 2 in Moscow.
    submission(user, name="Mar 1 late UTC",
               when=datetime.datetime(2026, 3, 1, 22, 30, tzinfo=UTC))
    submission(user, name="Mar 1 noon", when=datetime.datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    submission(user, name="Mar 3 last minute",
               when=datetime.datetime(2026, 3, 3, 20, 59, tzinfo=UTC))
    submission(user, name="Mar 4 first minute",
               when=datetime.datetime(2026, 3, 3, 21, 0, tzinfo=UTC))
    assert listed_names(history(logged_in, date_from="2026-03-02", date_to="2026-03-03")) == [
        "Mar 3 last minute", "Mar 1 late UTC"]
    assert listed_names(history(logged_in, date_from="2026-03-04")) == ["Mar 4 first minute"]
    assert listed_names(history(logged_in, date_to="2026-03-01")) == ["Mar 1 noon"]


def test_the_widest_dates_a_date_field_takes_leave_the_range_open(logged_in, user, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # east of UTC: midnight of year 1 is before datetime.min
    submission(user, name="any")
    assert listed_names(history(logged_in, date_from="0001-01-01", date_to="9999-12-31")) == [
        "any"]


def test_search_finds_a_name_part_in_any_case(logged_in, user):
    submission(user, name="Loyal customers")
    submission(user, name="Newsletter")
    submission(user, name="DISLOYAL ones")
    assert listed_names(history(logged_in, q="loyal")) == ["DISLOYAL ones", "Loyal customers"]
    assert listed_names(history(logged_in, q=" LOYAL C ")) == ["Loyal customers"]


def test_search_ignores_case_in_any_alphabet(logged_in, user):
    submission(user, name="Лояльные клиенты")
    submission(user, name="ÉTÉ 2026")
    submission(user, name="50% off_now")
    assert listed_names(history(logged_in, q="лояльные")) == ["Лояльные клиенты"]
    assert listed_names(history(logged_in, q="КЛИЕНТ")) == ["Лояльные клиенты"]
    assert listed_names(history(logged_in, q="été")) == ["ÉTÉ 2026"]
    # %, _ and \ are searched for as they are, not as patterns.
    assert listed_names(history(logged_in, q="0% OFF_")) == ["50% off_now"]
    assert listed_names(history(logged_in, q="_")) == ["50% off_now"]


def test_a_renamed_submission_is_found_by_its_new_name(logged_in, user):
    row = submission(user, name="Лояльные")
    row.name = "Спящие клиенты"
    row.save(update_fields=["name"])
    assert listed_names(history(logged_in, q="спящие")) == ["Спящие клиенты"]
    assert listed_names(history(logged_in, q="лояльные")) == []


def test_rows_written_in_bulk_are_found_too(logged_in, user):
    Submission.objects.bulk_create([Submission(
        author=user, name="ВИП Клиенты", kind="dynamic", format="json", payload={})])
    assert listed_names(history(logged_in, q="вип")) == ["ВИП Клиенты"]


def test_a_number_finds_that_exact_altcraft_id(logged_in, user):
    submission(user, name="the one", altcraft_id=123)
    submission(user, name="a longer id", altcraft_id=1234)
    submission(user, name="never created", altcraft_id=None)
    assert listed_names(history(logged_in, q="123")) == ["the one"]
    assert listed_names(history(logged_in, q=" 1234 ")) == ["a longer id"]
    assert listed_names(history(logged_in, q="12")) == []


def test_a_number_also_finds_names_that_contain_it(logged_in, user):
    submission(user, name="Promo 2026", altcraft_id=7)
    submission(user, name="segment 2026 id", altcraft_id=2026)
    submission(user, name="Other", altcraft_id=8)
    assert listed_names(history(logged_in, q="2026")) == ["segment 2026 id", "Promo 2026"]


def test_search_and_filters_combine(logged_in, user, other):
    submission(user, name="Loyal A", kind="static", status="created")
    submission(user, name="Loyal B", kind="static", status="rejected")
    submission(other, name="Loyal C", kind="static", status="created")
    submission(user, name="Loyal D", kind="dynamic", status="created")
    submission(user, name="Other", kind="static", status="created")
    response = history(logged_in, q="loyal", kind="static", status="created", author="maria")
    assert listed_names(response) == ["Loyal A"]


def test_combined_filters_stay_in_the_pagination_links(logged_in, user, other):
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(HISTORY_PAGE_SIZE + 5):
        submission(user, name=f"Promo {number:02}", kind="static", status="rejected",
                   when=start + datetime.timedelta(hours=number))
    submission(user, name="Promo but created", kind="static", status="created")
    submission(other, name="Promo by oleg", kind="static", status="rejected")
    filters = {"q": "promo", "kind": "static", "status": "rejected", "author": "maria",
               "date_from": "2026-01-01", "date_to": "2026-01-31"}

    first = page_of(history(logged_in, **filters))
    assert len(first.xpath("//tbody/tr")) == HISTORY_PAGE_SIZE
    (older,) = first.xpath("//a[@rel='next']/@href")
    query = parse_qs(urlsplit(older).query)
    assert query == {**{key: [value] for key, value in filters.items()}, "page": ["2"]}
    assert f"{HISTORY_PAGE_SIZE + 5} submissions match these filters" in (
        first.get_element_by_id("history-count").text_content())

    second = logged_in.get(reverse("history") + older)
    assert listed_names(second) == [f"Promo {number:02}" for number in (4, 3, 2, 1, 0)]
    (newer,) = page_of(second).xpath("//a[@rel='prev']/@href")
    assert parse_qs(urlsplit(newer).query) == {**query, "page": ["1"]}
    # The filter form shows what is applied.
    assert page_of(second).xpath("//input[@name='q']/@value") == ["promo"]


def test_a_page_number_out_of_range_or_not_a_number_shows_a_page(logged_in, user):
    submission(user, name="only")
    for page in ("999", "abc", "-1", "1e9", "99999999999999999999999"):
        assert listed_names(history(logged_in, page=page)) == ["only"]


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"status": "deleted"}, "status", "Select a valid choice"),
    ({"kind": "weekly"}, "kind", "Select a valid choice"),
    ({"author": "nobody"}, "author", "Nobody by that name has sent anything."),
    ({"date_from": "yesterday"}, "date_from", "Enter a date as YYYY-MM-DD."),
    ({"date_to": "2026-02-30"}, "date_to", "Enter a date as YYYY-MM-DD."),
    ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to",
     "“To” must be on or after “From”."),
    ({"q": "x" * 256}, "q", "Ensure this value has at most 255 characters"),
])
def test_a_bad_filter_value_gets_a_message_and_no_list(logged_in, user, params, field, message):
    submission(user, name="Loyal")
    response = history(logged_in, **params)
    assert response.status_code == 200
    page = page_of(response)
    alert = page.get_element_by_id("filter-errors").text_content()
    assert "Some filters could not be read" in alert
    field_error = page.get_element_by_id(f"error_1_id_{field}").text_content()
    assert message in field_error
    assert page.xpath("//tbody/tr") == []


def test_a_huge_number_searches_names_only(logged_in, user):
    submission(user, name="id 99999999999999999999", altcraft_id=2**63 - 1)
    assert listed_names(history(logged_in, q="99999999999999999999")) == [
        "id 99999999999999999999"]
    assert listed_names(history(logged_in, q=str(2**63 - 1))) == ["id 99999999999999999999"]


odd_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                   max_size=30)


@hypothesis_settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(
    st.sampled_from(["q", "status", "kind", "author", "date_from", "date_to", "page"]),
    st.one_of(odd_text, st.sampled_from(["", "0", "-1", "9999-12-31", "0001-01-01",
                                         "99999999999999999999", "created", "static"]))))
def test_no_filter_value_makes_a_server_error(logged_in, params):
    assert history(logged_in, **params).status_code == 200


@pytest.mark.parametrize("rows", [3, 300])
@pytest.mark.parametrize("filtered", [False, True])
def test_the_list_uses_a_fixed_number_of_queries_whatever_the_rows(
        logged_in, user, other, django_assert_num_queries, rows, filtered):
    payload = example_payload("dynamic", "json")
    Submission.objects.bulk_create(
        Submission(author=(user, other)[number % 2], name=f"Promo {number}", kind="dynamic",
                   format="json", payload=payload, status="created", altcraft_id=number)
        for number in range(rows))
    params = {"author": "maria", "q": "promo", "status": "created"} if filtered else {}
    with django_assert_num_queries(HISTORY_QUERIES + 1):  # the authors, read once
        history(logged_in, **params)
    with django_assert_num_queries(HISTORY_QUERIES):
        response = history(logged_in, **params)
    assert len(page_of(response).xpath("//tbody/tr")) == min(
        HISTORY_PAGE_SIZE, rows // 2 + rows % 2 if filtered else rows)


def test_someone_who_sends_for_the_first_time_is_named_and_found_at_once(
        logged_in, user, other):
    submission(user, name="By Maria")
    assert listed_names(history(logged_in)) == ["By Maria"]  # the authors are read now
    submission(other, name="By Oleg")
    page = page_of(history(logged_in))
    assert [row.xpath("td[3]")[0].text_content() for row in page.xpath("//tbody/tr")] == [
        "oleg", "maria"]
    assert listed_names(history(logged_in, author="oleg")) == ["By Oleg"]


# --- links other pages provide ------------------------------------------------------


def test_each_row_has_a_labelled_compare_checkbox(logged_in, user):
    rows = [submission(user, name=f"S{number}") for number in range(2)]
    page = page_of(history(logged_in))
    (form,) = page.xpath("//form[@id='compare']")
    assert form.get("method") == "get" and form.get("action") == "/history/diff/"
    boxes = form.xpath(".//tbody//input[@type='checkbox']")
    assert [(b.get("name"), b.get("value")) for b in boxes] == [
        ("id", str(rows[1].pk)), ("id", str(rows[0].pk))]
    for box in boxes:
        (label,) = page.xpath(f"//label[@for='{box.get('id')}']")
        assert label.text_content() == f"Compare submission #{box.get('value')}"
    assert form.xpath(".//button[@type='submit']")[0].text_content() == "Compare two selected"


def test_the_detail_offers_the_submission_as_a_starting_point(logged_in, user):
    row = submission(user)
    page = page_of(logged_in.get(f"/history/{row.pk}/"))
    link = page.get_element_by_id("clone-link")
    assert (link.get("href"), link.text_content()) == (
        f"/?from={row.pk}", "Use as a starting point")


def detail(client, row):
    return page_of(client.get(reverse("submission_detail", args=[row.pk])))


def facts(page) -> dict[str, str]:
    dl = page.get_element_by_id("submission-facts")
    return {dt.text_content(): " ".join(dt.getnext().text_content().split())
            for dt in dl.xpath("dt")}


def test_a_created_submission_shows_everything_about_it(viewer, user):
    payload = example_payload("updatable", "xml")
    answer = '{"error":0,"error_text":"Successful operation","data":{"saved_id":987}}'
    row = submission(user, name="New segment 2", kind="updatable", status="created",
                     format="xml", payload=payload, altcraft_id=987, duration_ms=345,
                     answer=answer, when=datetime.datetime(2026, 3, 10, 9, 5, 7, tzinfo=UTC))
    page = detail(viewer, row)
    assert facts(page) == {
        "Action": "Create", "Status": "Created", "Altcraft id": "987", "Kind": "updatable",
        "Format": "XML",
        "Sent by": "maria", "When": "2026-03-10 09:05:07", "Took": "345 ms"}
    outcome = page.get_element_by_id("submission-outcome").text_content()
    assert "Altcraft created segment 987" in outcome
    assert payload_from_json(page.get_element_by_id("payload-json").text_content()) == payload
    assert payload_from_xml(page.get_element_by_id("payload-xml").text_content()) == payload
    assert page.get_element_by_id("altcraft-answer").text_content() == answer


def test_a_rejected_submission_shows_altcrafts_error_code_and_text(logged_in, user):
    row = submission(user, name="Bad", status="rejected", error_code=17,
                     error_text="Invalid list_id", altcraft_id=None,
                     answer='{"error":17,"error_text":"Invalid list_id"}')
    page = detail(logged_in, row)
    assert facts(page)["Error"] == "17 Invalid list_id"
    assert facts(page)["Altcraft id"] == "—"
    outcome = " ".join(page.get_element_by_id("submission-outcome").text_content().split())
    assert "Altcraft refused this segment (error 17): Invalid list_id" in outcome
    assert "Nothing was created." in outcome
    assert json.loads(page.get_element_by_id("altcraft-answer").text_content())["error"] == 17


def test_an_unknown_outcome_says_to_check_altcraft_before_sending_again(logged_in, user):
    row = submission(user, status="unknown", error_text="No answer within 10 s.",
                     duration_ms=10_002, answer="")
    page = detail(logged_in, row)
    outcome = " ".join(page.get_element_by_id("submission-outcome").text_content().split())
    assert "We do not know whether the segment was created. No answer within 10 s." in outcome
    assert "check whether Altcraft has it" in outcome
    assert "Check in Altcraft" in outcome
    assert facts(page)["Error"] == "No answer within 10 s."
    assert facts(page)["Took"] == "10002 ms"
    assert page.get_element_by_id("altcraft-answer").text_content() == "No answer was recorded."


def test_a_submission_still_sending_says_no_answer_is_recorded(logged_in, user):
    row = submission(user, status="sending", duration_ms=None, altcraft_id=None)
    page = detail(logged_in, row)
    assert "No answer recorded yet" in page.get_element_by_id("submission-outcome").text_content()
    assert facts(page)["Took"] == "—" and "Error" not in facts(page)


def test_a_payload_xml_cannot_hold_is_explained_not_a_server_error(logged_in, user):
    row = submission(user, payload={"name": "odd", "is_static": "maybe", "bad key": 1})
    page = detail(logged_in, row)
    assert "cannot be shown as XML" in page.text_content()
    assert payload_from_json(page.get_element_by_id("payload-json").text_content())["name"] == "odd"


def test_a_sent_segment_keeps_no_token_and_its_page_shows_none(logged_in, user, sandbox_settings,
                                                               settings):
    segment = Segment.from_payload(example_payload("dynamic", "json"))
    row = segment_submit(author=user, segment=segment, fmt="xml").submission
    assert row.status == Submission.Status.CREATED
    (received,) = sandbox_settings.received  # the token did travel to Altcraft
    row.refresh_from_db()
    assert "token" not in row.payload and row.payload == example_payload("dynamic", "json")
    html = logged_in.get(reverse("submission_detail", args=[row.pk])).content.decode()
    assert settings.ALTCRAFT_API_TOKEN not in html
    assert "token" not in "".join(lxml_html.fromstring(html).xpath(
        "//*[@id='payload-json' or @id='payload-xml']//text()"))
    assert "Dynamic segment" in html


def test_an_unknown_submission_is_not_found(logged_in):
    assert logged_in.get(reverse("submission_detail", args=[404])).status_code == 404
    assert logged_in.get("/history/99999999999999999999999/").status_code == 404
