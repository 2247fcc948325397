"""Languages: the committed Russian catalogue, the browser's language and the
switcher on every page."""

from __future__ import annotations

import ast
import gettext
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from lxml import html as lxml_html

from segbuilder.segments.history.views import builder_from_url

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A Russian request leaves Russian active in this thread: reset it."""
    yield
    translation.activate("en")


def po_entries(path: Path) -> list[dict]:
    """Every entry of a .po file: its fields (msgid, msgstr[0], ...) as text,
    its flags and the files it comes from."""
    entries, entry, field = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, field = {}, None
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            entry.setdefault("sources", set()).update(line[2:].split())
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


@pytest.mark.parametrize("pattern", [
    re.compile(r"\{(\w+)\}"),  # filled in by static/js/pickers.js
    re.compile(r"<[^>]+>"),  # markup, links with their classes and addresses
], ids=["braces", "markup"])
def test_every_translation_keeps_the_braces_and_markup_of_its_english(pattern):
    for entry in po_entries(LC_MESSAGES / "django.po")[1:]:
        wanted = sorted(pattern.findall(entry["msgid"]))
        for text in translations(entry):
            assert sorted(pattern.findall(text)) == wanted, entry["msgid"]


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
    assert navbar_texts(english) == ["Altcraft segment builder", "New segment", "History",
                                     "In Altcraft"]
    russian = page_of(logged_in.get(reverse("history"), HTTP_ACCEPT_LANGUAGE="ru,en;q=0.8"))
    assert russian.get("lang") == "ru"
    assert navbar_texts(russian) == ["Конструктор сегментов Altcraft", "Новый сегмент", "История",
                                     "В Altcraft"]


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


# --- every template string is marked --------------------------------------------------

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# Names and code words that read the same in Russian.
UNTRANSLATED_WORDS = re.compile(r"\b(Altcraft|JSON|XML|CSV|ID|URL|API|compo)\b")
SHOWN_ATTRIBUTES = re.compile(r"placeholder|title|aria-label|alt|data-text-.*|data-label-.*")
TEMPLATE_PARTS = re.compile(
    r"{#.*?#}"
    r"|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{%.*?%}|{{.*?}}",
    re.DOTALL,
)


class ShownText(HTMLParser):
    """The text a page shows from what is left of a template: text between
    tags, and the attributes people read (or hear, or that scripts show)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.texts += [value for name, value in attrs
                       if value and SHOWN_ATTRIBUTES.fullmatch(name)]

    def handle_data(self, data):
        self.texts.append(data)


def unmarked_texts(source: str) -> list[str]:
    """Texts of a template with a letter of English outside {% translate %},
    {% blocktranslate %}, other template tags, variables and comments."""
    parser = ShownText()
    parser.feed(TEMPLATE_PARTS.sub(" ", source))
    parser.close()
    texts = (" ".join(text.split()) for text in parser.texts)
    return [text for text in texts if re.search(r"[A-Za-z]", UNTRANSLATED_WORDS.sub("", text))]


def all_templates() -> list[str]:
    """The pages (Django templates) and the builder's rows (Jinja2 macros,
    whose `_()` the scan skips as it skips {{ }})."""
    return sorted(str(path.relative_to(TEMPLATES_DIR)) for pattern in ("*.html", "*.jinja")
                  for path in TEMPLATES_DIR.rglob(pattern))


@pytest.mark.parametrize("name", all_templates())
def test_every_text_of_a_template_is_marked_for_translation(name):
    assert unmarked_texts((TEMPLATES_DIR / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("source", "found"), [
    ("<p>Nothing has been sent yet.</p>", ["Nothing has been sent yet."]),
    ('<input placeholder="Name or id">', ["Name or id"]),
    ('<nav aria-label="History pages">', ["History pages"]),
    ('<div data-text-loading="Loading…">', ["Loading…"]),
    ("<p>{% if x %}Apply{% endif %}</p>", ["Apply"]),
    ('<p>{% translate "Apply" %} {{ page.number }} · Altcraft</p>', []),
    ('<nav aria-label="{% translate \'History pages\' %}">', []),
    ("<p>{% blocktranslate trimmed count n=x %}\n{{ n }} row\n{% plural %}{{ n }} rows"
     "{% endblocktranslate %}</p>", []),
    ("{# a comment #}{% comment %}Some words{% endcomment %}<p>JSON, XML · ID</p>", []),
    ('<a class="alert-link" href="{% url \'history\' %}">#{{ s.pk }}</a>', []),
])
def test_the_scan_finds_unmarked_text_and_only_that(source, found):
    assert unmarked_texts(source) == found


# --- a Russian page has no English of ours ----------------------------------------------

# A fragment shorter than this many words may be a Russian page's own (a name).
MIN_FRAGMENT_WORDS = 3
MSGID_SPLIT = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}|<[^>]+>|[“”«»]")


def english_fragments() -> set[str]:
    """The runs of words of our English messages that Russian translates,
    between placeholders and markup: none may show on a Russian page."""
    fragments = set()
    for entry in po_entries(LC_MESSAGES / "django.po")[1:]:
        english = [entry["msgid"], entry.get("msgid_plural", "")]
        if set(translations(entry)) <= set(english):
            continue  # the same in both languages (a name, a format)
        for text in english:
            for part in MSGID_SPLIT.split(text):
                part = " ".join(part.split()).strip(" .,:;()")
                if len(re.findall(r"[A-Za-z]+", part)) >= MIN_FRAGMENT_WORDS:
                    fragments.add(part)
    return fragments


def shown_text(response) -> str:
    """All a person reads on a page: the text of <title> and <body> and the
    attributes of SHOWN_ATTRIBUTES, whitespace collapsed."""
    assert response.status_code in (200, 400, 404, 429), response.status_code
    page = lxml_html.fromstring(response.content.decode("utf-8"))
    parts = [page.findtext(".//title") or "", page.body.text_content()]
    for element in page.iter():
        parts += [value for name, value in element.attrib.items()
                  if SHOWN_ATTRIBUTES.fullmatch(name)]
    return " ".join(" ".join(parts).split())


def assert_russian(response, *expected: str) -> str:
    text = shown_text(response)
    assert lxml_html.fromstring(response.content.decode("utf-8")).get("lang") == "ru"
    english = sorted(fragment for fragment in english_fragments() if fragment in text)
    assert english == [], "untranslated on a Russian page"
    for words in expected:
        assert words in text
    return text


def test_the_english_fragments_are_many_and_whole_runs_of_words():
    fragments = english_fragments()
    assert len(fragments) > 150
    assert "Nothing has been sent yet" in fragments
    assert "Altcraft created segment" in fragments  # before <strong>
    assert ", with sub-rules combined by" not in fragments
    assert "with sub-rules combined by" in fragments
    assert not any(fragment.startswith("%(") for fragment in fragments)


@pytest.mark.django_db
def test_the_check_finds_our_english_on_a_page_in_english(client):
    text = shown_text(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en"))
    found = {fragment for fragment in english_fragments() if fragment in text}
    assert found == {"Altcraft segment builder",
                     "Build Altcraft segments without writing JSON by hand"}


@pytest.fixture
def russian(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


@pytest.fixture
def editor_ru(russian, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("maria", password="pw-for-tests-1")
    user.groups.add(Group.objects.get(name="Segment editors"))
    russian.force_login(user)
    russian.user = user
    return russian


def stored(author, *, name="Лояльные", status="created", payload=None, **fields):
    from segbuilder.segments.models import Submission
    from tests.examples import example_payload

    payload = payload if payload is not None else example_payload("dynamic", "json")
    return Submission.objects.create(author=author, name=name, kind=fields.pop("kind", "dynamic"),
                                     format="json", payload=payload, status=status, **fields)


@pytest.mark.django_db
def test_the_login_page_in_russian(russian):
    assert_russian(russian.get(reverse("login")), "Войти", "Создавайте сегменты Altcraft")


@pytest.mark.django_db
def test_the_lockout_page_in_russian(russian, django_user_model):
    django_user_model.objects.create_user("olga", password="right-password-1")
    for _ in range(5):
        response = russian.post(reverse("login"), {"username": "olga", "password": "wrong"})
    assert response.status_code == 429
    assert_russian(response, "Слишком много неудачных входов", "закрыт на 15 минут")


@pytest.mark.django_db
def test_the_history_in_russian_with_rows_of_every_status_and_pages(editor_ru):
    from segbuilder.segments.history.views import HISTORY_PAGE_SIZE
    from segbuilder.segments.models import Submission

    for number, (status, kind) in enumerate(zip(Submission.Status.values,
                                                ("static", "dynamic", "updatable") * 3,
                                                strict=False)):
        stored(editor_ru.user, name=f"Сегмент {number}", status=status, kind=kind)
    for number in range(HISTORY_PAGE_SIZE):
        stored(editor_ru.user, name=f"Ещё {number}")
    first = assert_russian(
        editor_ru.get(reverse("history")),
        f"{HISTORY_PAGE_SIZE + len(Submission.Status.values)} отправок.", "Страница 1 из 2",
        "Старше",
        "Сравнить две отмеченные", "Вид", "ID в Altcraft", "динамический", "Любой статус",
        "Любой вид")
    assert "Создан" in first and "Отклонён Altcraft" in first
    last = assert_russian(editor_ru.get(reverse("history"), {"page": 2}), "Новее")
    for label in ("статический", "обновляемый", "Результат неизвестен", "Не создан",
                  "Отправляется", "Не отправлен: ошибка до отправки", "Изменён"):
        assert label in first + last
    assert_russian(editor_ru.get(reverse("history"), {"q": "Сегмент 1"}),
                   "Под эти фильтры подходит 1 отправка.", "Сбросить фильтры")


@pytest.mark.django_db
def test_the_history_in_russian_with_filters_it_cannot_read_or_nothing_to_show(editor_ru):
    bad = {"date_from": "вчера", "date_to": "2026-02-30", "author": "nobody", "status": "lost"}
    text = assert_russian(editor_ru.get(reverse("history"), bad),
                          "Некоторые фильтры не удалось прочитать",
                          "Введите дату в виде ГГГГ-ММ-ДД.",
                          "Пользователь с таким именем ничего не отправлял.")
    assert "Выберите корректный вариант" in text  # Django's own message, in Russian
    reversed_dates = {"date_from": "2026-03-02", "date_to": "2026-03-01"}
    assert_russian(editor_ru.get(reverse("history"), reversed_dates),
                   "Дата «По» должна быть не раньше даты «С».")
    assert_russian(editor_ru.get(reverse("history"), {"q": "нет такого"}),
                   "Под эти фильтры не подходит ни одна отправка.")
    assert_russian(editor_ru.get(reverse("history")), "Пока ничего не отправлено.",
                   "Создать сегмент")


SUBMISSION_PAGES = {
    "created": ({"altcraft_id": 77, "answer": '{"error": 0}', "duration_ms": 120},
                ["Altcraft создал сегмент 77 «Лояльные».", "Создать ещё один сегмент", "120 мс"]),
    "rejected": ({"error_code": 17, "error_text": "Неверный list_id"},
                 ["Altcraft отклонил этот сегмент (ошибка 17): Неверный list_id",
                  "Ничего не создано."]),
    "failed": ({"error_text": ""}, ["Сегмент не удалось отправить в Altcraft.",
                                     "Ничего не отправлено, поэтому ничего не создано."]),
    "unknown": ({}, ["Неизвестно, создан ли сегмент.", "Проверить в Altcraft"]),
    "not_created": ({}, ["Этот сегмент не создан.", "откройте его в конструкторе"]),
    "sending": ({}, ["Ответ ещё не записан.", "Ответ не записан."]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("status", SUBMISSION_PAGES)
def test_a_submission_page_of_each_status_in_russian(editor_ru, status):
    fields, expected = SUBMISSION_PAGES[status]
    row = stored(editor_ru.user, status=status, **fields)
    assert_russian(editor_ru.get(reverse("submission_detail", args=[row.pk])), *expected,
                   "Простыми словами:", "Запрос в JSON", "(без токена)", "Взять за основу",
                   "динамический", "Отправилmaria")


@pytest.mark.django_db
def test_a_submission_checked_in_altcraft_in_russian(editor_ru, sandbox_settings):
    row = stored(editor_ru.user, status="unknown", name="Нет в Altcraft")
    response = editor_ru.post(reverse("submission_check", args=[row.pk]), follow=True)
    assert_russian(response, "Этот сегмент не создан.",
                   "не найден, значит, он не был создан")


@pytest.mark.django_db
def test_a_payload_that_cannot_be_read_in_russian(editor_ru):
    row = stored(editor_ru.user, payload={"name": "x", "is_static": "maybe", "1 bad": 1})
    detail = assert_russian(editor_ru.get(reverse("submission_detail", args=[row.pk])),
                            "Этот запрос нельзя показать в XML:")
    assert "Простыми словами" not in detail
    response = editor_ru.get(builder_from_url(row.pk), follow=True)
    assert_russian(response, "Эту отправку нельзя открыть в конструкторе: Запрос не удалось "
                             "прочитать как сегмент: is_static должно быть true или false")


@pytest.mark.django_db
def test_the_diff_page_in_russian(editor_ru):
    from tests.examples import example_payload

    old = example_payload("dynamic", "json")
    new = example_payload("dynamic", "json")
    selection = new["segment"][0]
    selection["limit"] = 500
    selection["queries"][0]["value"][0]["value"] = 7
    selection["queries"].append({**selection["queries"][1], "condition": "or",
                                 "child": [dict(selection["queries"][1])]})
    new["segment"].append(dict(old["segment"][0]))
    old["segment"].append(dict(old["segment"][0]))
    old["segment"].append(dict(old["segment"][0]))
    first = stored(editor_ru.user, payload=old)
    second = stored(editor_ru.user, payload=new, name="Новые")
    text = assert_russian(
        editor_ru.get(reverse("submission_diff"), {"id": [first.pk, second.pk]}),
        "Сравнение отправок", "Более ранняя:", "Более поздняя:", "Выборка 1", "изменено",
        "Лимит профилей", "0 (без ограничения)", "Правило 1", "ID сегмента", "Было:", "Стало:",
        "Правило 3", "добавлено", "1 правило без изменений", "Выборка 3", "удалено",
        "1 выборка без изменений.", "Запросы в JSON, построчно", "Был в статическом сегменте",
        "Номер первой отправки", "строк без изменений")
    assert "Вид правила" not in text  # same kind: only the param changed
    assert "Параметр segment_id" not in text and "Условие: and" not in text
    unreadable = stored(editor_ru.user, payload={"name": "x", "segment": 5})
    assert_russian(editor_ru.get(reverse("submission_diff"), {"id": [first.pk, unreadable.pk]}),
                   "Этот запрос не читается как сегмент (", "segment должно быть списком",
                   "Недоступно: запрос не читается как сегмент.")
    for ids, words in (([], "Выберите две отправки для сравнения"),
                       ([first.pk], "указана только одна"),
                       ([1, 2, 3], "указано 3"),
                       ([first.pk, "абв"], "«абв» — не номер отправки"),
                       ([first.pk, first.pk], "указана дважды"),
                       ([first.pk, 999999], "В истории нет отправки №999999")):
        assert_russian(editor_ru.get(reverse("submission_diff"), {"id": ids}), words)


@pytest.mark.django_db
def test_an_import_that_cannot_be_read_in_russian(editor_ru):
    missing_comma = '{\n"name": "x"\n"is_static": true}'
    response = editor_ru.post(reverse("builder"), {"action": "import", "payload": missing_comma})
    assert_russian(response, "Вставленный JSON не удалось прочитать в строке 3, позиции 1: "
                             "ожидалась запятая. Вероятно, в конце строки 2 не хватает запятой.",
                   "Строка 3:", "Начать с готового запроса", "Импортировать")
    response = editor_ru.post(reverse("builder"), {"action": "import", "payload": "  "})
    assert_russian(response, "Поле пустое: сначала вставьте запрос в JSON или XML.")
    response = editor_ru.post(reverse("builder"), {"action": "import", "payload": "<segment/>"})
    assert_russian(response, "корневой элемент должен быть <xml>, а не <segment>")


@pytest.mark.django_db
def test_an_import_with_notes_and_problems_in_russian(editor_ru):
    from tests.examples import example_payload

    payload = example_payload("dynamic", "json")
    payload["token"] = "x"
    payload["colour"] = "синий"
    payload["segment"][0]["queries"][0]["condition"] = ""
    payload["segment"][0]["percent_to"] = 0
    response = editor_ru.post(reverse("builder"),
                              {"action": "import", "payload": json.dumps(payload)})
    text = assert_russian(
        response, "Импортирован вставленный запрос в JSON: динамический сегмент с 1 выборкой "
                  "и 2 правилами.", "Вставленное поле token не сохранено",
        "Эти поля не импортированы:", "выборка 1, правило 1: condition (пусто)",
        "Исправьте эту ошибку перед отправкой:",
        "выборка 1: процент «до» должен быть от 1 до 100")
    assert "colour" in text


@pytest.mark.django_db
def test_a_clone_in_russian(editor_ru):
    from tests.examples import example_payload

    row = stored(editor_ru.user, payload=example_payload("updatable", "json"), kind="updatable")
    assert_russian(editor_ru.get(builder_from_url(row.pk)),
                   f"Заполнено из отправки №{row.pk}", "отправил maria",
                   "обновляемый сегмент с 1 выборкой и 2 правилами")


@pytest.mark.django_db
def test_the_admin_list_and_page_of_submissions_in_russian(russian, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-7")
    russian.force_login(admin)
    row = stored(admin, status="rejected", error_code=17, error_text="Неверный list_id",
                 duration_ms=345)
    text = assert_russian(russian.get(reverse("admin:segments_submission_changelist")),
                          "Когда", "Кто", "Название", "Вид", "Статус", "ID в Altcraft",
                          "Длительность", "345 мс", "Отклонён Altcraft", "динамический",
                          "Выгрузить выбранные в CSV", "Часть названия или ID в Altcraft.")
    assert "Отправки" in text or "отправки" in text
    assert_russian(russian.get(reverse("admin:segments_submission_change", args=[row.pk])),
                   "Код ошибки", "Текст ошибки", "Запрос (без токена)", "Автор")
    assert_russian(russian.get(reverse("admin:index")), "Сегменты")


# --- problems found by segbuilder.altcraft (data there) are shown in Russian ---------------


def _segment_problems() -> list:
    """A Problem of each template segment.py has: the segments and payloads
    that break each of its rules."""
    from segbuilder.altcraft.segment import Kind, Param, PayloadError, Rule, Segment, Selection

    good = Rule("c", "n", "t", "o")
    selections = [
        Selection(None, condition="xor", limit=-1, percent_from=100, percent_to=0),
        Selection(1, percent_from=50, percent_to=10, rules=[
            Rule(params=[Param("", 1.5)]), Rule("c", "n", "t", "o", condition="and"),
            Rule(condition="or", children=[Rule(condition="and", children=[good])])]),
    ]
    segments = [Segment("", Kind.DYNAMIC, list_id=0),
                Segment("s", Kind.STATIC, selections=selections),
                Segment("d", Kind.DYNAMIC, selections=selections)]
    problems = [problem for segment in segments for problem in segment.problems()]
    for payload in (["not", "an", "object"], {
        "name": ["x"], "list_id": "one", "is_static": "maybe", "segment": [
            {"queries": "x"}, "junk", {"queries": [{"value": [{"name": "p", "value": 1.5}]}]}]},
            {"name": "\ud800", "is_static": True, "list_id": 2**63}):
        with pytest.raises(PayloadError) as error:
            Segment.from_payload(payload)
        problems += error.value.problems
    return problems


def _codec_errors(monkeypatch) -> list:
    """A CodecError of each reason codec.py's readers give, and of json's usual ones."""
    from segbuilder.altcraft import codec

    errors = []
    monkeypatch.setattr(codec, "MAX_BODY_BYTES", 200_000)
    for body, fmt in (
        ("<!DOCTYPE x><xml/>", None), ("{}", "yaml"), (5, None), (" " * 200_001, None),
        (b'{"a": "\xff"}', "json"), ("[" * 100_000, "json"), ('{"a": NaN}', None),
        ("[]", None), ('"s"', None), ("1", None), ("true", None), ("null", None),
        ("<segment/>", None), ("<xml>\ud800</xml>", None),
        ('{"a": }', None), ('{"a": 1 "b": 2}', None), ('{"a" 1}', None), ("{,}", None),
        ('{"a', None), ('{"a": "\x01"}', None), ("{} x", None),
    ):
        with pytest.raises(codec.CodecError) as error:
            codec.decode(body, fmt)
        errors.append(error.value)
    return errors


def _printed_notes() -> list:
    """A note and a NotASegment of each template altcraft/printed.py has."""
    from segbuilder.altcraft.printed import NotASegment, printed_segment

    notes = printed_segment({"data": {"name": '"x"'}, "error": 0}, fmt="xml").notes
    refusals = []
    for answer in ({"error": 400, "error_text": "no", "data": {}}, {"data": [], "error": 0},
                   {"id": "abc", "name": "x"}):
        with pytest.raises(NotASegment) as error:
            printed_segment(answer, fmt="json")
        refusals.append(error.value)
    return [*notes, *refusals]


def test_every_message_the_altcraft_package_marks_is_shown_in_russian(monkeypatch):
    from segbuilder.segments.problems import codec_reason, message_text, problem_text

    problems, errors = _segment_problems(), _codec_errors(monkeypatch)
    printed = _printed_notes()
    marked = {entry["msgid"] for entry in po_entries(LC_MESSAGES / "django.po")
              if any(source.startswith("segbuilder/altcraft/")
                     for source in entry.get("sources", ()))}
    made = {item.template for item in [*problems, *errors]}
    made |= {item if isinstance(item, str) else item.template for item in printed}
    assert len(marked) > 35 and marked <= made, "no sample above for these"
    with translation.override("ru"):
        shown = [*map(problem_text, problems), *map(codec_reason, errors)]
    english = [*map(str, problems), *(error.reason for error in errors)]
    assert [text for text, words in zip(shown, english, strict=True) if text == words] == []
    with translation.override("ru"):
        shown_printed = [message_text(item, {}) if isinstance(item, str)
                         else message_text(item.template, item.params) for item in printed]
    assert not set(shown_printed) & {item if isinstance(item, str) else str(item)
                                     for item in printed}
    assert "динамический сегмент должен содержать хотя бы одну выборку" in shown  # a kind's label


def test_a_problem_and_its_place_are_shown_in_russian():
    from segbuilder.altcraft.segment import Problem
    from segbuilder.segments.problems import field_text, problem_text

    problem = Problem((("selection", 2), ("rule", 1), ("sub-rule", 3)), "operator",
                      "%(field)s is required", {"field": "operator"})
    with translation.override("ru"):
        assert problem_text(problem) == (
            "выборка 2, правило 1, вложенное правило 3: нужно поле operator")
        assert field_text((("selection", 1), ("param", 2)), "unit") == "выборка 1, параметр 2: unit"
        assert field_text((), "colour") == "colour"
    assert problem_text(problem) == str(problem)


def test_a_message_nobody_translated_is_shown_as_it_came():
    from segbuilder.altcraft.codec import CodecError, decode
    from segbuilder.segments.problems import codec_reason, message_text

    with pytest.raises(CodecError) as lxml_says:
        decode("<xml><a></xml>")
    with translation.override("ru"):
        assert message_text("something new went %(how)s", {"how": "wrong"}) == (
            "something new went wrong")
        assert codec_reason(lxml_says.value) == lxml_says.value.reason  # lxml's own words


# --- texts of Python code, in Russian --------------------------------------------------------


@pytest.mark.django_db  # the kinds come from the catalogue
def test_rule_kind_names_follow_the_language_of_the_request():
    from segbuilder.segments.build.forms import RuleForm

    with translation.override("ru"):
        form = RuleForm(prefix="r")
        choices = dict(form.fields["kind"].choices)
        assert choices["statseg"] == "Был в статическом сегменте"
        assert choices["custom"] == "Произвольное правило (введите его поля)"
        assert str(form["statseg__segment_id"].label) == "ID сегмента"
    form = RuleForm(prefix="r")
    assert dict(form.fields["kind"].choices)["statseg"] == "Was in static segment"
    assert str(form["statseg__segment_id"].label) == "Segment id"


@pytest.mark.django_db  # the kinds come from the catalogue
def test_validation_errors_of_the_builder_follow_the_language():
    from segbuilder.segments.build.forms import MAX_RULES, BuilderForms
    from tests.formdata import builder_data, custom, selection, statseg

    data = builder_data(name=" ", kind="dynamic", selections=[
        selection(statseg(""), custom("c", "n", "t", ""), *[statseg(1)] * MAX_RULES,
                  percent_from=50, percent_to=10)])
    with translation.override("ru"):
        forms = BuilderForms(data)
        assert not forms.is_valid()
        (selection_form,) = forms.selections.forms
        rules = selection_form.rules
        assert forms.segment_form.errors["name"] == ["Введите название сегмента."]
        assert selection_form.errors["percent_to"] == ["Должно быть больше, чем «От, %»."]
        assert rules.non_form_errors() == [f"В выборке может быть не больше {MAX_RULES} правил."]
        assert rules.forms[0].errors == {
            "statseg__segment_id": ["Заполните поле «id сегмента»."]}
        assert rules.forms[1].errors == {
            "operator": ["Укажите operator этого произвольного правила."]}


def test_the_picker_failures_of_ours_are_shown_in_the_language_of_the_page():
    from segbuilder.segments.build.pickers import (
        ALTCRAFT_ERROR,
        NO_TIME,
        UNREADABLE,
        ListFailure,
        PickerLists,
    )

    lists = PickerLists(errors={
        "databases": ListFailure(NO_TIME, seconds=2.5), "segments": ListFailure(UNREADABLE),
        "resources": ListFailure(ALTCRAFT_ERROR, text="Altcraft answered HTTP 502.")})
    with translation.override("ru"):
        assert lists.as_json()["errors"] == {
            "databases": "Altcraft не прислал список за 2.5 с.",
            "segments": "Не удалось прочитать ответ Altcraft.",
            "resources": "Altcraft answered HTTP 502.",  # the client's own words stay English
        }
    assert lists.as_json()["errors"]["databases"] == "Altcraft did not send the list within 2.5 s."


@pytest.mark.parametrize(("kind", "selections", "english", "russian"), [
    ("static", 0, "a static segment", "статический сегмент"),
    ("dynamic", 1, "a dynamic segment with 1 selection and 2 rules",
     "динамический сегмент с 1 выборкой и 2 правилами"),
    ("updatable", 5, "an updatable segment with 5 selections and 10 rules",
     "обновляемый сегмент с 5 выборками и 10 правилами"),
])
def test_an_import_is_summed_up_in_the_language_of_the_page(kind, selections, english, russian):
    from segbuilder.altcraft.segment import Kind, Rule, Segment, Selection
    from segbuilder.segments.build.imports import ImportResult

    rules = [Rule("a", "b", "c", "d"), Rule("a", "b", "c", "e")]
    segment = Segment("S", Kind(kind), list_id=1,
                      selections=[Selection(list_id=1, rules=rules)] * selections)
    result = ImportResult(segment=segment, fmt="json")
    assert result.summary == english
    with translation.override("ru"):
        assert result.summary == russian


@pytest.mark.django_db
def test_the_builder_with_errors_and_a_preview_is_all_russian(editor_ru):
    """The builder's rows are Jinja2 macros (templates/segments/rows.jinja),
    translated by Django's catalogue: the rendered page shows it."""
    from tests.formdata import builder_data, custom, group, param, selection, statseg

    rows = [selection(statseg(1), group(statseg(2), custom("c", "n", "t", "o",
                                                           param("p", "1"))))]
    assert_russian(editor_ru.get(reverse("builder")), "Новый сегмент", "Добавить выборку")
    preview = editor_ru.post(reverse("builder"), builder_data(name="Лояльные", selections=rows))
    assert_russian(preview, "Копировать")
    broken = editor_ru.post(reverse("builder"), builder_data(name="", selections=[
        selection(custom("c", "n", "t", ""))]))
    assert_russian(broken, "ничего не отправлено")


@pytest.mark.django_db
def test_a_segment_too_big_for_the_builder_in_russian(editor_ru):
    from tests.formdata import builder_data, selection, statseg

    data = builder_data(selections=[selection(statseg(1))])
    data["selections-0-rules-TOTAL_FORMS"] = 1001
    response = editor_ru.post(reverse("builder"), data)
    assert response.status_code == 400
    assert_russian(response, "Этот сегмент слишком велик для конструктора",
                   "В выборке 1 1 001 правило; в выборке может быть не больше 1 000.")
