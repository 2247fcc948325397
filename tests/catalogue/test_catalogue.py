"""The rule-kind catalogue: seeded by its migration, edited in the admin,
read by the builder, and grown from the rule shapes imports meet."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from segbuilder.altcraft.sandbox import DOCS_TOKEN
from segbuilder.catalogue.loader import catalogue
from segbuilder.catalogue.models import KindParam, RuleKind, SeenShape
from segbuilder.catalogue.seed import DOCUMENTED_KINDS

pytestmark = pytest.mark.django_db

# A rule no documented kind names (API.md: the editor has operators whose
# spellings are not published).
UNNAMED = {"compo": "default", "name": "_city", "operator": "contains", "type": "string",
           "value": [{"name": "value", "value": "Mos"}, {"name": "times", "value": 2}]}


def payload(*rules: dict) -> str:
    return json.dumps({"token": DOCS_TOKEN, "name": "x", "is_static": False, "segment": [{
        "condition": "and", "limit": 0, "list_id": 1, "percent_from": 0, "percent_to": 100,
        "queries": list(rules)}]})


def import_text(client, text: str):
    return client.post(reverse("builder"), {"action": "import", "payload": text})


def kind_option(response, key: str, name: str = "selections-0-rules-0-kind") -> str:
    page = lxml_html.fromstring(response.content.decode())
    (option,) = page.xpath(f'//select[@name="{name}"]/option[@value="{key}"]')
    return option.text_content().strip()


def selected_kind(response, name: str = "selections-0-rules-0-kind") -> str:
    page = lxml_html.fromstring(response.content.decode())
    return page.xpath(f'string(//select[@name="{name}"]/option[@selected]/@value)')


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pw-for-tests-7")
    client.force_login(user)
    return client


def test_the_migration_seeds_the_documented_kinds_with_their_params():
    kinds = {kind.key: [(p.name, p.type) for p in kind.params.all()]
             for kind in RuleKind.objects.prefetch_related("params")}
    assert kinds == {
        "statseg": [("segment_id", "segment")],
        "domaingroup": [("domaingroup", "text")],
        "dataurl": [("field", "text"), ("resource_id", "resource"), ("url", "text")],
        "custom_tags": [("url", "text"), ("field", "text"), ("resource_id", "resource")],
    }


def test_the_migrated_kinds_are_those_of_seed_py_field_by_field_in_order():
    # The migration keeps a frozen copy of the kinds (a migration must not
    # import code that changes later); seed.py is what the database-less tests
    # read. A change to either alone fails here.
    def as_seeded(position: int, kind: dict) -> dict:
        return {**{name: value for name, value in kind.items() if name != "params"},
                "position": position, "params": list(kind["params"])}

    def as_migrated(kind: RuleKind) -> dict:
        return {"key": kind.key, "label_en": kind.label_en, "label_ru": kind.label_ru,
                "compo": kind.compo, "name": kind.name, "type": kind.type,
                "operator": kind.operator, "position": kind.position,
                "params": [(param.name, param.type, param.label_en, param.label_ru)
                           for param in kind.params.all()]}

    migrated = [as_migrated(kind) for kind in RuleKind.objects.prefetch_related("params")]
    assert migrated == [as_seeded(position, kind)
                        for position, kind in enumerate(DOCUMENTED_KINDS)]
    # Params in their stored order, numbered from 0 as seed.py lists them.
    assert [[param.position for param in kind.params.all()] for kind in RuleKind.objects.all()] \
        == [list(range(len(kind["params"]))) for kind in DOCUMENTED_KINDS]


def admin_post_of_kind(kind: RuleKind, **changes: str) -> dict:
    params = list(kind.params.all())
    data = {"key": kind.key, "label_en": kind.label_en, "label_ru": kind.label_ru,
            "compo": kind.compo, "name": kind.name, "type": kind.type,
            "operator": kind.operator, "position": kind.position, **changes,
            "params-TOTAL_FORMS": len(params), "params-INITIAL_FORMS": len(params),
            "params-MIN_NUM_FORMS": 0, "params-MAX_NUM_FORMS": 1000}
    for index, param in enumerate(params):
        data.update({f"params-{index}-{name}": getattr(param, name)
                     for name in ("position", "name", "type", "label_en", "label_ru", "choices")})
        data[f"params-{index}-id"] = param.pk
        data[f"params-{index}-kind"] = kind.pk
    return data


def test_a_name_edited_in_the_admin_is_the_builder_s_in_both_languages(staff):
    kind = RuleKind.objects.get(key="domaingroup")
    assert kind_option(staff.get(reverse("builder")), "domaingroup") == "Email domain group"
    response = staff.post(reverse("admin:catalogue_rulekind_change", args=[kind.pk]),
                          admin_post_of_kind(kind, label_en="Mail provider",
                                             label_ru="Почтовый провайдер"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert kind_option(staff.get(reverse("builder"), HTTP_ACCEPT_LANGUAGE="en"),
                       "domaingroup") == "Mail provider"
    assert kind_option(staff.get(reverse("builder"), HTTP_ACCEPT_LANGUAGE="ru"),
                       "domaingroup") == "Почтовый провайдер"


def test_a_param_s_type_in_the_admin_drives_its_field(staff):
    param = KindParam.objects.get(kind__key="domaingroup")
    param.type, param.choices = "choice", "Yahoo! (US)\nGmail"
    param.save()
    rule = {"compo": "domaingroup", "name": "email", "operator": "equal", "type": "email",
            "value": [{"name": "domaingroup", "value": "Gmail"}]}
    page = lxml_html.fromstring(import_text(staff, payload(rule)).content.decode())
    options = page.xpath('//select[@name="selections-0-rules-0-domaingroup__domaingroup"]'
                         '/option/@value')
    assert options == ["", "Yahoo! (US)", "Gmail"]
    picker = page.xpath('//input[@name="selections-0-rules-0-statseg__segment_id"]/@list')
    assert picker in ([], ["picker-segments"])  # the held kind only, when it is statseg


def test_an_unnamed_shape_is_remembered_named_in_the_admin_then_recognised(staff):
    filled = import_text(staff, payload(UNNAMED))
    assert selected_kind(filled) == "custom"
    import_text(staff, payload(UNNAMED, {**UNNAMED, "value": [
        {"name": "value", "value": "Omsk"}, {"name": "times", "value": 5}]}))
    (shape,) = SeenShape.objects.all()
    assert shape.times_seen == 2 and shape.first_seen <= shape.last_seen
    assert shape.example == {key: UNNAMED[key] for key in
                             ("compo", "name", "operator", "type", "value")}
    assert DOCS_TOKEN not in json.dumps(shape.example)

    listed = staff.get(reverse("admin:catalogue_seenshape_changelist"),
                       HTTP_ACCEPT_LANGUAGE="ru")
    assert "Встречены, ещё без имени" in listed.content.decode()
    named = staff.post(reverse("admin:catalogue_seenshape_changelist"),
                       {"action": "name_as_kind", "_selected_action": [shape.pk]})
    kind = RuleKind.objects.get(name="_city", operator="contains")
    assert named.status_code == 302
    assert named.url == reverse("admin:catalogue_rulekind_change", args=[kind.pk])
    assert [(p.name, p.type) for p in kind.params.all()] == [("value", "text"),
                                                             ("times", "number")]
    assert not SeenShape.objects.exists()

    refilled = import_text(staff, payload(UNNAMED))
    assert selected_kind(refilled) == kind.key
    assert not SeenShape.objects.exists()


def test_known_and_grouped_rules_are_not_remembered(staff):
    statseg = {"compo": "default", "name": "statseg", "operator": "once", "type": "statseg",
               "value": [{"name": "segment_id", "value": 1}]}
    import_text(staff, payload(statseg, {"condition": "or", "child": [statseg]}))
    assert not SeenShape.objects.exists()


def test_the_catalogue_costs_no_query_per_row(staff, django_assert_num_queries):
    statseg = {"compo": "default", "name": "statseg", "operator": "once", "type": "statseg",
               "value": [{"name": "segment_id", "value": 1}]}
    catalogue()  # loaded once; the cache then serves every row of every request
    import_text(staff, payload(statseg))

    def queries(rows: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as captured:
            import_text(staff, payload(*[statseg] * rows))
        return len(captured)

    assert queries(40) == queries(1)


def test_saving_the_catalogue_forgets_the_loaded_copy():
    assert catalogue().by_key["statseg"].label("ru") == "Был в статическом сегменте"
    RuleKind.objects.filter(key="statseg").update(label_ru="stale")  # no signal: still cached
    assert catalogue().by_key["statseg"].label("ru") == "Был в статическом сегменте"
    kind = RuleKind.objects.get(key="statseg")
    kind.label_ru = "Был в сегменте"
    kind.save()
    assert catalogue().by_key["statseg"].label("ru") == "Был в сегменте"


def test_a_clone_and_an_opened_segment_remember_their_unnamed_shapes(staff, sandbox_settings,
                                                                     django_user_model):
    from segbuilder.segments.history.views import builder_from_url
    from segbuilder.segments.models import Submission

    segment = json.loads(payload(UNNAMED))
    del segment["token"]
    original = Submission.objects.create(
        author=django_user_model.objects.get(), name="x", kind="dynamic", format="json",
        payload=segment, status=Submission.Status.REJECTED)
    assert selected_kind(staff.get(builder_from_url(original.pk))) == "custom"
    assert SeenShape.objects.get().times_seen == 1

    sandbox_settings.segments[40] = {"id": 40, "name": "x", "kind": "dynamic", "count": 1,
                                     "payload": segment}
    assert selected_kind(staff.get(reverse("builder"), {"altcraft": 40})) == "custom"
    assert SeenShape.objects.get().times_seen == 2


def test_a_request_reads_the_catalogue_from_the_cache_once(staff, monkeypatch):
    from django.core.cache import caches

    from segbuilder.catalogue.loader import CACHE_KEY

    cache, reads = caches["local"], []
    read = cache.get

    def counted(key, *args, **kwargs):
        reads.extend([key] if key == CACHE_KEY else [])
        return read(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counted)
    statseg = {"compo": "default", "name": "statseg", "operator": "once", "type": "statseg",
               "value": [{"name": "segment_id", "value": 1}]}
    import_text(staff, payload(*[statseg] * 20, UNNAMED))
    assert reads == [CACHE_KEY]
