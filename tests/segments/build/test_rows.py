"""The builder's rows as templates/segments/rows.jinja writes them, in every
state a page shows them in: fresh, filled, with errors, each rule kind,
groups, removed rows; and the <template>s builder.js copies from."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import translation
from lxml import html as lxml_html

from segbuilder.altcraft.segment import Segment
from segbuilder.segments.build.forms import TAMPERED_MESSAGE, BuilderForms
from segbuilder.segments.templatetags.rows import builder_rows
from tests.examples import example_payload
from tests.formdata import (
    builder_data,
    custom,
    domaingroup,
    group,
    param,
    selection,
    statseg,
)

ODD = "a<b & \"c\" 'd' é"
# The controls each rule kind shows, by name (after the rule's prefix).
KIND_CONTROLS = {
    "statseg": {"statseg__segment_id"},
    "domaingroup": {"domaingroup__domaingroup"},
    "dataurl": {"dataurl__field", "dataurl__resource_id", "dataurl__url"},
    "custom": {"compo", "name", "type", "operator"},
    "group": set(),
}
EVERY_KIND_CONTROL = set().union(*KIND_CONTROLS.values())


def bound(**kwargs) -> BuilderForms:
    forms = BuilderForms(QueryDict(urlencode(builder_data(**kwargs), doseq=True)))
    forms.is_valid()
    return forms


def rows(forms: BuilderForms):
    """The rows as the page holds them (a <div> around them, to parse)."""
    return lxml_html.fragment_fromstring(builder_rows(forms, "selections"), create_parent="div")


def templates(forms: BuilderForms) -> dict[str, lxml_html.HtmlElement]:
    """The page's <template>s, by id, each holding its content."""
    page = lxml_html.fragment_fromstring(builder_rows(forms, "row_templates"),
                                         create_parent="div")
    return {template.get("id"): template for template in page.xpath("template")}


def row(page, prefix: str):
    (found,) = page.xpath(f'//*[@data-row-prefix="{prefix}"]')
    return found


def own_controls(rule) -> set[str]:
    """The names of a rule's own controls (not its sub-rules' or params'),
    without its prefix."""
    prefix = rule.get("data-row-prefix") + "-"
    names = {control.get("name") for control in rule.xpath("./div[@class='rule-own']"
                                                           "//*[@name]")}
    return {name.removeprefix(prefix) for name in names
            if not name.removeprefix(prefix).startswith("params-")}


def control(page, name: str):
    (found,) = page.xpath(f'//*[@name="{name}"]')
    return found


def value_of(page, name: str) -> str | None:
    element = control(page, name)
    if element.tag == "select":
        chosen = element.xpath("option[@selected]/@value")
        return chosen[0] if chosen else None
    return element.get("value")


# --- a fresh builder -----------------------------------------------------------------


def test_a_fresh_builder_holds_one_selection_with_one_rule_of_the_first_kind():
    page = rows(BuilderForms())
    (formset,) = page.xpath("div[@class='formset']")
    assert (formset.get("data-prefix"), formset.get("data-template"), formset.get("data-max"),
            formset.get("data-absolute-max")) == ("selections", "tpl-selection", "20", "60")
    assert value_of(page, "selections-TOTAL_FORMS") == "1"
    assert value_of(page, "selections-0-rules-TOTAL_FORMS") == "1"
    rule = row(page, "selections-0-rules-0")
    assert value_of(page, "selections-0-rules-0-kind") == "statseg"
    assert own_controls(rule) == {"kind", "statseg__segment_id"}
    # No params formset for a known kind; the sub-rules' formset is there, empty.
    assert page.xpath('//*[@data-prefix="selections-0-rules-0-params"]') == []
    assert value_of(page, "selections-0-rules-0-children-TOTAL_FORMS") == "0"
    assert "__prefix__" not in lxml_html.tostring(page, encoding="unicode")


def test_every_control_has_its_label_and_every_button_its_name():
    forms = bound(selections=[selection(
        statseg(1), custom("c", "n", "t", "o", param("p", "1")),
        group(domaingroup("Gmail"), custom("a", "b", "c", "d", param("q", "2"))))])
    page = rows(forms)
    labels = {label.get("for") for label in page.xpath("//label")}
    shown = page.xpath("//input[not(@type='hidden') and not(@hidden)] | //select")
    assert len(shown) > 20
    assert all(element.get("id") in labels for element in shown)
    ids = set(page.xpath("//@id"))
    for button in page.xpath("//button[@aria-labelledby]"):
        assert set(button.get("aria-labelledby").split()) <= ids
    for element in page.xpath("//*[@aria-describedby]"):
        assert element.get("aria-describedby") in ids
    # A selection, three rules, two sub-rules and two params.
    assert len(page.xpath("//button[@data-action='remove']")) == 8


# --- filled ---------------------------------------------------------------------------


def test_each_rule_kind_shows_its_own_fields_only_with_their_values():
    forms = bound(selections=[selection(
        statseg(5), domaingroup(ODD),
        {"kind": "dataurl", "dataurl__field": "email", "dataurl__resource_id": "3",
         "dataurl__url": "https://example.com/?a=1&b=2"},
        custom("pro<file", ODD, "string", "eq&", param("value", ODD),
               param("n", "12", value_type="number")),
        group(statseg(1), custom("a", "b", "c", "d"), condition="or"),
        list_id=7, condition="or", limit=500, percent_from=10, percent_to=90)])
    assert forms.is_valid()
    page = rows(forms)
    for number, kind in enumerate(("statseg", "domaingroup", "dataurl", "custom", "group")):
        rule = row(page, f"selections-0-rules-{number}")
        assert own_controls(rule) == {"kind", *KIND_CONTROLS[kind]}, kind
        assert rule.xpath("./div[@class='rule-own']/*[@data-kind]/@data-kind") == (
            [kind] if KIND_CONTROLS[kind] else [])
    prefix = "selections-0-rules-"
    assert value_of(page, f"{prefix}0-statseg__segment_id") == "5"
    assert value_of(page, f"{prefix}1-domaingroup__domaingroup") == ODD
    assert value_of(page, f"{prefix}2-dataurl__url") == "https://example.com/?a=1&b=2"
    assert [value_of(page, f"{prefix}3-{name}") for name in ("compo", "name", "operator")] == [
        "pro<file", ODD, "eq&"]
    assert value_of(page, f"{prefix}3-params-0-value") == ODD
    assert value_of(page, f"{prefix}3-params-1-value_type") == "number"
    assert value_of(page, "selections-0-condition") == "or"
    assert value_of(page, "selections-0-limit") == "500"


def test_odd_text_is_escaped_not_written_as_markup():
    forms = bound(name=ODD, selections=[selection(custom(
        "<script>x</script>", "n", "t", "o", param('"><b>', "<i>")))])
    html = builder_rows(forms, "selections")
    assert "<script>x" not in html and "<b>" not in html and "<i>" not in html
    assert 'value="&lt;script&gt;x&lt;/script&gt;"' in html


def test_a_group_shows_how_its_sub_rules_combine_and_each_sub_rule_its_own_kind():
    page = rows(bound(selections=[selection(
        group(statseg(1), custom("a", "b", "c", "d", param("x", "y")), condition="or"),
        statseg(2))]))
    group_row, plain = row(page, "selections-0-rules-0"), row(page, "selections-0-rules-1")
    (condition,) = group_row.xpath("./div[@class='subrules mt-2']/div[contains(@class, "
                                   "'subrule-condition')]")
    assert condition.get("hidden") is None
    assert value_of(page, "selections-0-rules-0-condition") == "or"
    (plain_condition,) = plain.xpath(".//div[contains(@class, 'subrule-condition')]")
    assert plain_condition.get("hidden") is not None
    sub_rule = row(page, "selections-0-rules-0-children-1")
    assert "subrule" in sub_rule.get("class").split()
    assert own_controls(sub_rule) == {"kind", *KIND_CONTROLS["custom"]}
    # A sub-rule holds no sub-rules, nor offers a group.
    assert sub_rule.xpath(".//*[@class='subrules mt-2']") == []
    assert "group" not in control(page, "selections-0-rules-0-children-1-kind").xpath(
        "option/@value")
    (params,) = sub_rule.xpath('.//*[@data-prefix="selections-0-rules-0-children-1-params"]')
    assert params.get("data-template") == "tpl-subparam"


def test_an_imported_segment_fills_its_rows():
    forms = BuilderForms.from_segment(Segment.from_payload(example_payload("dynamic", "json")))
    page = rows(forms)
    assert [value_of(page, f"selections-0-rules-{n}-statseg__segment_id") for n in (0, 1)] == [
        "1", "2"]
    assert value_of(page, "selections-0-percent_to") == "99"


# --- errors -----------------------------------------------------------------------------


def test_a_field_with_an_error_says_so_beside_it_and_to_screen_readers():
    page = rows(bound(selections=[selection(statseg("x"), custom("c", "n", "t", ""),
                                            list_id="")]))
    for name, message in (("selections-0-list_id", "This field is required."),
                          ("selections-0-rules-0-statseg__segment_id", "Enter a whole number."),
                          ("selections-0-rules-1-operator",
                           "Enter the operator of this custom rule.")):
        field = control(page, name)
        error_id = f"{field.get('id')}-errors"
        assert field.get("aria-invalid") == "true"
        assert field.get("aria-describedby") == error_id
        assert "is-invalid" in field.get("class").split()
        (error,) = page.xpath(f'//*[@id="{error_id}"]')
        assert error.text_content() == message
    assert control(page, "selections-0-rules-1-compo").get("aria-invalid") is None
    assert len(page.xpath("//*[contains(@class, 'invalid-feedback')]")) == 3


def test_a_formsets_own_error_shows_at_the_top_of_its_rows():
    page = rows(bound(selections=[selection(statseg(1)), selection()]))
    (error,) = page.xpath("//*[contains(@class, 'formset-errors')]")
    assert error.text_content() == "Add at least one rule to this selection."
    assert error.getparent().get("data-prefix") == "selections-1-rules"


def test_a_tampered_row_count_is_said_once_where_it_was():
    data = builder_data(selections=[selection(custom("c", "n", "t", "o", param("p", "1")))])
    del data["selections-0-rules-0-params-TOTAL_FORMS"]
    forms = BuilderForms(data)
    assert not forms.is_valid()
    (error,) = rows(forms).xpath("//*[contains(@class, 'formset-errors')]")
    assert error.text_content() == str(TAMPERED_MESSAGE)
    assert error.getparent().get("data-prefix") == "selections-0-rules-0-params"


# --- removed rows -----------------------------------------------------------------------


def test_removed_rows_stay_hidden_with_their_box_ticked_and_without_children():
    page = rows(bound(selections=[
        selection(statseg(1), custom("c", "n", "t", "o", param("p", "1"), param("q", "2",
                                                                               DELETE=True)),
                  statseg(7, DELETE=True)),
        selection(statseg(3), DELETE=True)]))
    for prefix in ("selections-0-rules-1-params-1", "selections-0-rules-2", "selections-1"):
        removed = row(page, prefix)
        assert removed.get("hidden") is not None, prefix
        assert control(page, f"{prefix}-DELETE").get("checked") is not None
    for prefix in ("selections-0", "selections-0-rules-1", "selections-0-rules-1-params-0"):
        assert row(page, prefix).get("hidden") is None
        assert control(page, f"{prefix}-DELETE").get("checked") is None
    # A removed row's children were not built: a removed rule has no sub-rules
    # formset, a removed selection no rules.
    assert page.xpath('//*[@data-prefix="selections-0-rules-2-children"]') == []
    assert page.xpath('//*[@data-prefix="selections-1-rules"]') == []


# --- languages --------------------------------------------------------------------------


def test_the_rows_speak_the_language_of_the_page():
    forms = bound(selections=[selection(custom("c", "n", "t", "o", param("p", "1"),
                                               children=[statseg(1)]))])
    with translation.override("ru"):
        page = rows(forms)
        texts = " ".join(page.text_content().split())
    for russian in ("Выборка", "Правило", "Вложенное правило", "Копировать", "Удалить",
                    "Добавить правило", "Добавить параметр", "Добавить вложенное правило",
                    "Добавить выборку", "Вид правила"):
        assert russian in texts, russian
    assert "Duplicate" not in texts and "Add rule" not in texts


# --- the <template>s builder.js copies ------------------------------------------------------


def test_a_template_holds_an_empty_row_of_each_level():
    found = templates(BuilderForms())
    prefixes = {template_id: template.xpath("*[1]/@data-row-prefix")
                for template_id, template in found.items()
                if template_id in ("tpl-selection", "tpl-rule", "tpl-subrule", "tpl-param",
                                   "tpl-subparam")}
    assert prefixes == {
        "tpl-selection": ["selections-__prefix__"],
        "tpl-rule": ["selections-__prefix__-rules-__prefix__"],
        "tpl-subrule": ["selections-__prefix__-rules-__prefix__-children-__prefix__"],
        "tpl-param": ["selections-__prefix__-rules-__prefix__-params-__prefix__"],
        "tpl-subparam": [
            "selections-__prefix__-rules-__prefix__-children-__prefix__-params-__prefix__"],
    }
    # A new selection comes with one rule of the first kind.
    assert found["tpl-selection"].xpath(
        './/*[@name="selections-__prefix__-rules-0-kind"]/option[@selected]/@value') == [
        "statseg"]


@pytest.mark.parametrize(("depth", "template_prefix", "rule_prefix"), [
    (0, "tpl-rule", "selections-__prefix__-rules-__prefix__"),
    (1, "tpl-subrule", "selections-__prefix__-rules-__prefix__-children-__prefix__"),
])
def test_each_kind_has_a_panel_per_depth_named_for_the_rules_prefix(depth, template_prefix,
                                                                     rule_prefix):
    found = templates(BuilderForms())
    for kind, names in KIND_CONTROLS.items():
        template = found.get(f"{template_prefix}-{kind}")
        if not names:  # a group has no panel
            assert template is None
            continue
        (panel,) = template.xpath("*")
        assert panel.get("data-kind") == kind
        controls = {name.removeprefix(rule_prefix + "-") for name in panel.xpath(".//@name")}
        assert {name for name in controls if not name.startswith("params-")} == names
    (params,) = found[f"{template_prefix}-custom"].xpath(".//*[@data-prefix]")
    assert params.get("data-prefix") == f"{rule_prefix}-params"
    assert params.get("data-template") == ("tpl-subparam" if depth else "tpl-param")


def test_the_templates_hold_each_kind_control_once_per_depth():
    found = templates(BuilderForms())
    for kind_control in EVERY_KIND_CONTROL:
        names = [name for template in found.values() for name in template.xpath(".//@name")
                 if name.endswith(f"-rules-__prefix__-{kind_control}")
                 or name.endswith(f"-children-__prefix__-{kind_control}")]
        # Panels at both depths; the first kind's also in the empty rule and sub-rule.
        expected = 2 + (2 if kind_control.startswith("statseg") else 0)
        assert len(names) == expected, kind_control
