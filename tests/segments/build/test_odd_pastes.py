"""Pastes whose numbers or texts a database could not store: each is a clear
message at its place, the pasted text stays in the box, and nothing breaks
(issue 12: "²", "--5", numbers of thousands of digits, lone surrogates)."""

from __future__ import annotations

import pytest

from segbuilder.segments.models import Submission
from tests.segments.build.test_import import import_error, import_text, textarea_text

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000


def static_json(list_id: str) -> str:
    return f'{{"name": "Odd", "is_static": true, "list_id": {list_id}}}'


def dynamic_json(**selection: str) -> str:
    fields = {"list_id": "1", "condition": '"and"', "limit": "0", "percent_from": "0",
              "percent_to": "100", **selection}
    inner = ", ".join(f'"{key}": {value}' for key, value in fields.items())
    rule = '{"compo": "default", "name": "_age", "type": "int", "operator": "equal", "value": []}'
    return f'{{"name": "Odd", "is_static": false, "segment": [{{{inner}, "queries": [{rule}]}}]}}'


def static_xml(list_id: str) -> str:
    return f"<xml><name>Odd</name><is_static>true</is_static><list_id>{list_id}</list_id></xml>"


@pytest.mark.parametrize(("text", "message"), [
    (static_json('"²"'), "list_id must be a whole number, not '²'"),
    (static_json('"--5"'), "list_id must be a whole number, not '--5'"),
    (static_json(HUGE), "list_id is too large"),
    (static_json("99999999999999999999"), "list_id is too large"),
    (static_xml("²"), "list_id must be a whole number, not '²'"),
    (static_xml("--5"), "list_id must be a whole number, not '--5'"),
    (static_xml(HUGE), "list_id is too large"),
    (dynamic_json(limit='"²"'), "selection 1: limit must be a whole number"),
    (dynamic_json(percent_from='"--5"'), "selection 1: percent_from must be a whole number"),
    (dynamic_json(percent_to=HUGE), "selection 1: percent_to is too large"),
    (dynamic_json(limit=HUGE), "selection 1: limit is too large"),
    ('{"name": "\\ud800", "is_static": true, "list_id": 1}',
     "name holds a character that is not valid Unicode"),
])
def test_an_odd_number_or_text_is_a_message_at_its_place_and_the_paste_stays(
        editor, text, message):
    response = import_text(editor, text)

    assert response.status_code == 200
    assert message in import_error(response)
    assert textarea_text(response) == text
    assert not Submission.objects.exists()


def test_a_param_value_of_thousands_of_digits_is_too_large_at_its_place(editor):
    text = dynamic_json().replace('"value": []', f'"value": [{{"name": "age", "value": {HUGE}}}]')
    response = import_text(editor, text)
    assert "selection 1, rule 1, param 1: value is too large" in import_error(response)
