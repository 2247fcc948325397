"""Languages: the committed Russian catalogue, the browser's language and the
switcher on every page."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from lxml import html as lxml_html

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A Russian request leaves Russian active in this thread: reset it."""
    yield
    translation.activate("en")


def po_entries(path: Path) -> list[dict]:
    """Every entry of a .po file: its fields (msgid, msgstr[0], ...) as text,
    and its flags."""
    entries, entry, field = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, field = {}, None
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue  # comments, locations, obsolete entries
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _, text = line.partition(" ")
            entry[field] = ast.literal_eval(text)
    return entries


def po_catalogue(entries: list[dict]) -> dict:
    """What msgfmt compiles from the entries, keyed as Python's gettext keys
    its catalogue: translated, not fuzzy; plural forms as (msgid, n)."""
    catalogue = {}
    for entry in entries:
        if "fuzzy" in entry.get("flags", ()):
            continue
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            forms = {int(key[7:-1]): value for key, value in entry.items()
                     if key.startswith("msgstr[")}
            if any(forms.values()):
                catalogue.update({(msgid, n): text for n, text in forms.items()})
        elif entry["msgstr"]:
            catalogue[msgid] = entry["msgstr"]
    # msgfmt leaves this header line out of the .mo.
    catalogue[""] = re.sub(r"POT-Creation-Date: .*\n", "", catalogue[""])
    return catalogue


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


# --- the committed catalogue ------------------------------------------------------


def test_the_committed_mo_holds_exactly_what_the_po_says():
    """Run `make messages` when this fails: the .mo lags behind the .po."""
    with open(LC_MESSAGES / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # Python's parsed .mo
    expected = po_catalogue(po_entries(LC_MESSAGES / "django.po"))
    assert {key for key in expected if key not in compiled} == set(), "missing from the .mo"
    assert {key for key in compiled if key not in expected} == set(), "not in the .po"
    assert {key for key in expected if compiled[key] != expected[key]} == set(), "differ"


def test_the_po_has_no_fuzzy_guess_that_would_silently_stay_english():
    fuzzy = [entry["msgid"] for entry in po_entries(LC_MESSAGES / "django.po")
             if "fuzzy" in entry.get("flags", ())]
    assert fuzzy == []


def test_every_translation_keeps_the_placeholders_of_its_english():
    for entry in po_entries(LC_MESSAGES / "django.po")[1:]:  # after the header
        wanted = set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for text in translations(entry):
            if text:
                assert set(PLACEHOLDER.findall(text)) == wanted, entry["msgid"]


def test_russian_has_the_plural_forms_django_uses_for_russian():
    header = po_entries(LC_MESSAGES / "django.po")[0]["msgstr"]
    assert "Language: ru\n" in header
    assert "Plural-Forms: nplurals=4;" in header


# --- the language of a page -------------------------------------------------------


@pytest.fixture
def logged_in(client, django_user_model):
    user = django_user_model.objects.create_user("maria", password="pw-for-tests-1")
    client.force_login(user)
    return client


def page_of(response) -> lxml_html.HtmlElement:
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def navbar_texts(page) -> list[str]:
    return [link.text_content() for link in page.xpath("//nav//a")]


@pytest.mark.django_db
def test_the_page_follows_the_browsers_language(logged_in):
    english = page_of(logged_in.get(reverse("history"), HTTP_ACCEPT_LANGUAGE="en"))
    assert english.get("lang") == "en"
    assert navbar_texts(english) == ["Altcraft segment builder", "New segment", "History"]
    russian = page_of(logged_in.get(reverse("history"), HTTP_ACCEPT_LANGUAGE="ru,en;q=0.8"))
    assert russian.get("lang") == "ru"
    assert navbar_texts(russian) == ["Конструктор сегментов Altcraft", "Новый сегмент", "История"]


@pytest.mark.django_db
def test_a_language_we_do_not_have_falls_back_to_english(logged_in):
    page = page_of(logged_in.get(reverse("history"), HTTP_ACCEPT_LANGUAGE="de"))
    assert page.get("lang") == "en"


@pytest.mark.django_db
def test_every_page_offers_the_language_switcher_without_inline_script(client, logged_in):
    for url in (reverse("builder"), reverse("history")):
        response = logged_in.get(url + "?page=2")
        form = page_of(response).get_element_by_id("language-form")
        assert form.get("action") == reverse("set_language")
        assert form.get("method") == "post"
        assert form.xpath('.//input[@name="next"]/@value') == [url + "?page=2"]
        assert form.xpath('.//label[@for="language-select"]/text()') == ["Language"]
        assert form.xpath('.//select[@id="language-select"]/option/@value') == ["en", "ru"]
        assert form.xpath('.//option[@selected]/@value') == ["en"]
        assert form.xpath(".//button[@type='submit']/text()") == ["Switch"]
        assert form.xpath(".//input[@name='csrfmiddlewaretoken']")
        assert "onchange" not in response.content.decode()


@pytest.mark.django_db
def test_the_switcher_changes_the_language_and_it_stays_changed(logged_in):
    response = logged_in.post(reverse("set_language"), {"language": "ru", "next": "/history/"})
    assert response.status_code == 302
    assert response.url == "/history/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    # The choice beats the browser's language from now on.
    page = page_of(logged_in.get(reverse("history"), HTTP_ACCEPT_LANGUAGE="en"))
    assert page.get("lang") == "ru"
    form = page.get_element_by_id("language-form")
    assert form.xpath('.//option[@selected]/@value') == ["ru"]
    assert form.xpath('.//label[@for="language-select"]/text()') == ["Язык"]


@pytest.mark.django_db
def test_the_login_page_offers_the_switcher_to_anonymous_users(client):
    page = page_of(client.get(reverse("login")))
    assert page.get_element_by_id("language-form") is not None
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/login/"})
    assert response.url == "/login/"  # not sent to log in first
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert page_of(client.get(reverse("login"))).get("lang") == "ru"


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "to"), [
    ({"language": "xx", "next": "/history/"}, "/history/"),
    ({"language": "ru", "next": "https://evil.example/"}, "/"),
    ({"language": "ru"}, "/"),
])
def test_bad_switcher_input_changes_nothing_it_should_not(logged_in, data, to):
    response = logged_in.post(reverse("set_language"), data)
    assert response.status_code == 302
    assert response.url == to
    if data["language"] == "xx":
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_opening_the_switcher_address_directly_is_no_error(logged_in):
    response = logged_in.get(reverse("set_language"))
    assert response.status_code in (204, 302)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
