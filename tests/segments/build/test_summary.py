"""The plain-language summary of a segment, in English and Russian, and where
the pages show it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from lxml import html as lxml_html

from segbuilder.altcraft.segment import Kind, Param, Rule, Segment, Selection
from segbuilder.catalogue.seed import DOCUMENTED_KINDS
from segbuilder.segments.build.summary import KIND_PHRASES, Names, segment_summary
from segbuilder.segments.models import Submission
from tests.examples import example_payload
from tests.formdata import builder_data, custom, group, param, selection, statseg

EXAMPLES = {
    ("static", "json"): (
        "All profiles of database 5, taken once.",
        "Все профили базы 5, отобранные один раз.",
    ),
    ("static", "xml"): (
        "All profiles of database 2, taken once.",
        "Все профили базы 2, отобранные один раз.",
    ),
    ("dynamic", "json"): (
        "Profiles of database 1 that meet all of: were once in static segment 1, once in "
        "static segment 2; 0–99% of the database; no limit.",
        "Профили базы 1, которые отвечают всем условиям: когда-либо были в статическом "
        "сегменте 1, в статическом сегменте 2; 0–99% базы; без ограничения.",
    ),
    ("updatable", "json"): (
        "Refreshed every day. Profiles of database 1 that meet all of: were once in static "
        "segment 1, once in static segment 2; 0–99% of the database; no limit.",
        "Обновляется каждый день. Профили базы 1, которые отвечают всем условиям: "
        "когда-либо были в статическом сегменте 1, в статическом сегменте 2; 0–99% базы; "
        "без ограничения.",
    ),
    ("updatable", "xml"): (
        "Refreshed every day. Profiles of database 1 that have an email address in domain "
        "group “Yahoo! (US)”; 0–99% of the database; no limit.",
        "Обновляется каждый день. Профили базы 1, которые имеют адрес почты из группы "
        "доменов «Yahoo! (US)»; 0–99% базы; без ограничения.",
    ),
}
# The dynamic XML example is the dynamic JSON example, element for element.
EXAMPLES["dynamic", "xml"] = EXAMPLES["dynamic", "json"]
# Names as the pickers' cache would know them.
NAMES = Names({"databases": {1: "Clients"}, "segments": {1: "VIP", 7: "Churned"},
               "resources": {7: "Shop"}})


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A Russian request leaves Russian active in this thread: reset it so no
    later test reads another language than it expects."""
    yield
    translation.activate("en")


def summary(segment: Segment, language: str, names: Names | None = None) -> str:
    with translation.override(language):
        return segment_summary(segment, names=names or Names())


def statseg_rule(segment_id) -> Rule:
    return Rule("default", "statseg", "statseg", "once", [Param("segment_id", segment_id)])


def domain_rule(group_name: str) -> Rule:
    return Rule("domaingroup", "email", "email", "equal", [Param("domaingroup", group_name)])


def dynamic(*selections: Selection) -> Segment:
    return Segment("Segment", Kind.DYNAMIC, selections=list(selections))


# --- the words --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), sorted(EXAMPLES))
def test_each_documented_example_reads_in_english_and_russian(name, fmt):
    segment = Segment.from_payload(example_payload(name, fmt))
    english, russian = EXAMPLES[name, fmt]
    assert summary(segment, "en") == english
    assert summary(segment, "ru") == russian


def test_databases_segments_and_resources_are_called_by_their_cached_names():
    dataurl = Rule("dataurl", "subscription_email", "subscription_email", "in_data",
                   [Param("field", "email"), Param("resource_id", 7), Param("url", "https://x/y")])
    segment = dynamic(Selection(list_id=1, rules=[statseg_rule(1), statseg_rule(3), dataurl]))
    assert summary(segment, "en", NAMES) == (
        "Profiles of database “Clients” (1) that meet all of: were once in static segment "
        "“VIP” (1), once in static segment 3, have their subscription email in field “email” "
        "of the POST-URL response from https://x/y (resource “Shop” (7)); the whole database; "
        "no limit.")
    assert summary(segment, "ru", NAMES) == (
        "Профили базы «Clients» (1), которые отвечают всем условиям: когда-либо были в "
        "статическом сегменте «VIP» (1), в статическом сегменте 3, имеют email подписки в "
        "поле «email» ответа POST-URL от https://x/y (ресурс «Shop» (7)); вся база; "
        "без ограничения.")


def test_a_static_segment_names_its_database():
    segment = Segment("S", Kind.STATIC, list_id=1)
    assert summary(segment, "en", NAMES) == "All profiles of database “Clients” (1), taken once."
    assert summary(segment, "ru", NAMES) == (
        "Все профили базы «Clients» (1), отобранные один раз.")


@pytest.mark.django_db
def test_names_come_from_the_pickers_cache_and_never_from_altcraft(monkeypatch):
    from django.core.cache import cache

    from segbuilder.segments.build import pickers

    def no_altcraft(*args, **kwargs):
        raise AssertionError("the summary asked Altcraft")

    monkeypatch.setattr(pickers, "_fetch", no_altcraft)
    segment = dynamic(Selection(list_id=1, rules=[statseg_rule(2)]))
    with translation.override("en"):
        assert segment_summary(segment).startswith("Profiles of database 1 that were once in "
                                                   "static segment 2;")
        cache.set(pickers.cache_key("databases"), [(1, "Clients")])
        cache.set(pickers.cache_key("segments"), [(2, "VIP")])
        assert segment_summary(segment).startswith(
            "Profiles of database “Clients” (1) that were once in static segment “VIP” (2);")


def test_the_field_of_a_post_url_response_names_field_url_and_resource():
    rule = Rule("dataurl", "subscription_email", "subscription_email", "in_data",
                [Param("field", "email"), Param("resource_id", 7), Param("url", "https://x/y")])
    segment = dynamic(Selection(list_id=3, rules=[rule]))
    assert summary(segment, "en") == (
        "Profiles of database 3 that have their subscription email in field “email” of the "
        "POST-URL response from https://x/y (resource 7); the whole database; no limit.")
    assert summary(segment, "ru") == (
        "Профили базы 3, которые имеют email подписки в поле «email» ответа POST-URL от "
        "https://x/y (ресурс 7); вся база; без ограничения.")


def test_any_of_says_how_the_rules_combine_and_repeats_read_shorter():
    segment = dynamic(Selection(list_id=1, condition="or", rules=[
        domain_rule("A"), domain_rule("B"), statseg_rule(4), domain_rule("C")]))
    assert summary(segment, "en") == (
        "Profiles of database 1 that meet any of: have an email address in domain group “A”, "
        "in domain group “B”, were once in static segment 4, have an email address in domain "
        "group “C”; the whole database; no limit.")
    assert summary(segment, "ru") == (
        "Профили базы 1, которые отвечают любому из условий: имеют адрес почты из группы "
        "доменов «A», из группы доменов «B», когда-либо были в статическом сегменте 4, имеют "
        "адрес почты из группы доменов «C»; вся база; без ограничения.")


def test_a_group_reads_in_brackets_saying_how_it_combines():
    rules = [domain_rule("A"), Rule(condition="or", children=[statseg_rule(1), statseg_rule(2)])]
    segment = dynamic(Selection(list_id=1, condition="and", rules=rules))
    assert summary(segment, "en") == (
        "Profiles of database 1 that meet all of: have an email address in domain group “A”, "
        "(any of: were once in static segment 1, once in static segment 2); the whole "
        "database; no limit.")
    assert summary(segment, "ru") == (
        "Профили базы 1, которые отвечают всем условиям: имеют адрес почты из группы доменов "
        "«A», (любое из: когда-либо были в статическом сегменте 1, в статическом сегменте 2); "
        "вся база; без ограничения.")


def test_a_group_with_fields_of_its_own_reads_them_before_its_sub_rules():
    parent = Rule("default", "statseg", "statseg", "once", [Param("segment_id", 9)],
                  condition="and", children=[domain_rule("A"), domain_rule("B")])
    segment = dynamic(Selection(list_id=1, rules=[parent]))
    assert summary(segment, "en") == (
        "Profiles of database 1 that were once in static segment 9, with sub-rules (all of: "
        "have an email address in domain group “A”, in domain group “B”); the whole database; "
        "no limit.")
    assert "когда-либо были в статическом сегменте 9, с вложенными правилами (все из: имеют" in (
        summary(segment, "ru"))


def test_a_custom_rule_reads_naturally_from_its_fields():
    rules = [
        Rule("default", "age", "int", "between", [Param("from", "18"), Param("to", "30")]),
        Rule("default", "_city", "string", "equal", [Param("value", "Moscow")]),
        Rule("custom_tags", "tag", "list", "in_list", [Param("a", "x"), Param("count", 3)]),
        Rule("default", "_phone", "string", "exists"),
        Rule("default", "_score", "float", "near", [Param("value", 2)]),
    ]
    segment = dynamic(Selection(list_id=1, condition="or", rules=rules))
    assert summary(segment, "en") == (
        "Profiles of database 1 that meet any of: age (int) between 18 and 30, _city (string) "
        "is “Moscow”, custom_tags: tag (list) is in the list a “x” and count 3, _phone "
        "(string) exists, _score (float) near 2; the whole database; no limit.")
    assert summary(segment, "ru") == (
        "Профили базы 1, которые отвечают любому из условий: age (int) между 18 и 30, _city "
        "(string) равно «Moscow», custom_tags: tag (list) в списке a «x» и count 3, _phone "
        "(string) существует, _score (float) near 2; вся база; без ограничения.")


def test_a_known_rule_with_a_text_id_is_custom_and_reads_its_fields():
    segment = dynamic(Selection(list_id=1, rules=[statseg_rule("one")]))
    assert summary(segment, "en") == (
        "Profiles of database 1 that statseg (statseg) once segment_id “one”; "
        "the whole database; no limit.")


def test_each_selection_is_its_own_sentence_with_its_range_and_limit():
    segment = dynamic(
        Selection(list_id=1, percent_from=10, percent_to=50, limit=500, rules=[statseg_rule(1)]),
        Selection(list_id=2, rules=[domain_rule("A")]),
    )
    assert summary(segment, "en") == (
        "Profiles found by any of 2 selections. Selection 1: profiles of database 1 that were "
        "once in static segment 1; 10–50% of the database; at most 500 profiles. Selection 2: "
        "profiles of database 2 that have an email address in domain group “A”; the whole "
        "database; no limit.")
    assert summary(segment, "ru") == (
        "Профили из любой из 2 выборок. Выборка 1: профили базы 1, которые когда-либо были в "
        "статическом сегменте 1; 10–50% базы; максимум 500 профилей. Выборка 2: профили базы "
        "2, которые имеют адрес почты из группы доменов «A»; вся база; без ограничения.")


@pytest.mark.parametrize(("limit", "english", "russian"), [
    (1, "at most 1 profile", "максимум 1 профиль"),
    (2, "at most 2 profiles", "максимум 2 профиля"),
    (5, "at most 5 profiles", "максимум 5 профилей"),
    (11, "at most 11 profiles", "максимум 11 профилей"),
    (21, "at most 21 profiles", "максимум 21 профиль"),
    (0, "no limit", "без ограничения"),
])
def test_the_limit_takes_the_plural_form_of_its_number(limit, english, russian):
    segment = dynamic(Selection(list_id=1, limit=limit, rules=[statseg_rule(1)]))
    assert summary(segment, "en").endswith(f"; the whole database; {english}.")
    assert summary(segment, "ru").endswith(f"; вся база; {russian}.")


def test_a_selection_without_rules_and_a_segment_without_selections_still_read():
    assert summary(dynamic(Selection(list_id=4)), "en") == (
        "Profiles of database 4; the whole database; no limit.")
    assert summary(dynamic(), "en") == "No profiles: the segment has no selections."
    assert summary(dynamic(), "ru") == "Профилей нет: в сегменте нет выборок."


def test_values_are_left_unescaped_for_the_template_to_escape():
    segment = dynamic(Selection(list_id=1, rules=[domain_rule("A & B <test>")]))
    assert "“A & B <test>”" in summary(segment, "en")


def test_every_rule_kind_of_the_catalogue_has_words():
    # The get example's kind (custom_tags) and the kinds staff add in the
    # admin have none yet: they are told by their names.
    assert set(KIND_PHRASES) == {kind["key"] for kind in DOCUMENTED_KINDS} - {"custom_tags"}


# --- the pages --------------------------------------------------------------------


@pytest.fixture
def logged_in(client, django_user_model):
    user = django_user_model.objects.create_user("maria", password="pw-for-tests-1")
    user.groups.add(Group.objects.get(name="Segment editors"))
    client.force_login(user)
    client.user = user
    return client


def shown_summary(response) -> str | None:
    assert response.status_code == 200
    found = lxml_html.fromstring(response.content).xpath('//*[@id="segment-summary"]')
    return found[0].text_content() if found else None


DYNAMIC_POST = builder_data(name="Dynamic segment", kind="dynamic",
                            selections=[selection(statseg(1), statseg(2), percent_to=99)])


@pytest.mark.django_db
def test_the_builder_shows_the_summary_beside_the_preview(logged_in):
    assert shown_summary(logged_in.get(reverse("builder"))) is None
    response = logged_in.post(reverse("builder"), DYNAMIC_POST)
    assert shown_summary(response) == "In plain words: " + EXAMPLES["dynamic", "json"][0]
    page = response.content.decode()
    assert page.index('id="segment-summary"') < page.index('id="preview-json-tab"')


@pytest.mark.django_db
def test_a_russian_browser_gets_the_russian_summary(logged_in):
    response = logged_in.post(reverse("builder"), DYNAMIC_POST, HTTP_ACCEPT_LANGUAGE="ru")
    assert shown_summary(response) == "Простыми словами: " + EXAMPLES["dynamic", "json"][1]


@pytest.mark.django_db
def test_the_builder_summary_of_groups_and_custom_rules_is_escaped(logged_in):
    data = builder_data(selections=[selection(
        group(statseg(3), custom("default", "_city", "string", "equal",
                                 param("value", "A & B <b>x</b>")), condition="or"),
    )])
    response = logged_in.post(reverse("builder"), data)
    assert shown_summary(response) == (
        "In plain words: Profiles of database 1 that (any of: were once in static segment 3, "
        "_city (string) is “A & B <b>x</b>”); the whole database; no limit.")
    assert "A &amp; B &lt;b&gt;x&lt;/b&gt;" in response.content.decode()


@pytest.mark.django_db
def test_a_form_with_errors_shows_no_summary(logged_in):
    data = builder_data(selections=[selection(statseg("not a number"))])
    assert shown_summary(logged_in.post(reverse("builder"), data)) is None


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [("en", "In plain words: "),
                                                  ("ru", "Простыми словами: ")])
def test_each_history_entry_shows_its_summary(logged_in, language, words):
    row = Submission.objects.create(
        author=logged_in.user, name="Updatable", kind="updatable", format="xml",
        payload=example_payload("updatable", "xml"), status="created", altcraft_id=3)
    response = logged_in.get(reverse("submission_detail", args=[row.pk]),
                             HTTP_ACCEPT_LANGUAGE=language)
    english, russian = EXAMPLES["updatable", "xml"]
    assert shown_summary(response) == words + (english if language == "en" else russian)


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [
    ["not", "an", "object"],
    {"name": "Broken", "is_static": "maybe"},
    {"name": "Broken", "is_static": False, "segment": [{"limit": "lots"}]},
])
def test_a_history_entry_whose_payload_cannot_be_read_shows_no_summary(logged_in, payload):
    row = Submission.objects.create(author=logged_in.user, name="Broken", kind="dynamic",
                                    format="json", payload=payload, status="failed")
    response = logged_in.get(reverse("submission_detail", args=[row.pk]))
    assert shown_summary(response) is None
    assert "Broken" in response.content.decode()
