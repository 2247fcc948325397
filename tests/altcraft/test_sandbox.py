"""The sandbox, spoken to with raw bodies as any HTTP client would: it must
accept what the docs show and refuse, clearly, what the docs do not allow."""

from __future__ import annotations

import copy
import json
import socket
from pathlib import Path

import pytest
import requests

from segbuilder.altcraft import codec
from segbuilder.altcraft.sandbox import DOCS_TOKEN, SandboxServer
from segbuilder.altcraft.sandbox.store import made_up_count
from tests.examples import EXAMPLE_NAMES, example_payload, example_text
from tests.processes import interrupt, start_sandbox_command

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_FILES = [(name, fmt) for name in EXAMPLE_NAMES for fmt in ("json", "xml")]


def post(sandbox: SandboxServer, method: str, body: bytes | str, fmt: str = "json", **headers):
    """POST a raw body; returns the HTTP status and the decoded answer."""
    headers = {"Content-Type": codec.CONTENT_TYPES.get(fmt, fmt), **headers}
    data = body.encode() if isinstance(body, str) else body
    response = requests.post(f"{sandbox.url}{method}/", data=data, headers=headers, timeout=5)
    return response.status_code, codec.decode(response.content)


def post_params(sandbox: SandboxServer, method: str, params: dict):
    """POST params as JSON with the docs' token."""
    return post(sandbox, method, json.dumps({**params, "token": DOCS_TOKEN}))


def dynamic_payload() -> dict:
    return example_payload("dynamic", "json")


def refusal(sandbox: SandboxServer, payload: dict) -> str:
    """The error_text of a payload the sandbox must refuse with 400."""
    status, answer = post_params(sandbox, "segments/add", payload)
    assert (status, answer["error"]) == (400, 400), answer
    return answer["error_text"]


# --- the documented examples ------------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), EXAMPLE_FILES)
def test_each_documented_example_file_is_accepted_as_it_is(sandbox, name, fmt):
    status, answer = post(sandbox, "segments/add", example_text(name, fmt), fmt)
    assert status == 200
    assert answer == {"data": {"saved_id": 4}, "error": 0, "error_text": "Successful operation"}


def test_the_examples_get_increasing_ids_above_the_demo_segments(sandbox):
    ids = [
        post(sandbox, "segments/add", example_text(name, fmt), fmt)[1]["data"]["saved_id"]
        for name, fmt in EXAMPLE_FILES
    ]
    assert ids == [4, 5, 6, 7, 8, 9]
    assert [sandbox.segments[i]["kind"] for i in ids] == [
        "static",
        "static",
        "dynamic",
        "dynamic",
        "updatable",
        "updatable",
    ]


def test_an_xml_example_is_read_by_sniffing_without_a_content_type(sandbox):
    body = example_text("updatable", "xml").encode()
    response = requests.post(f"{sandbox.url}segments/add/", data=body, timeout=5)
    assert response.json()["error"] == 0


def test_what_was_received_is_kept_without_the_token(sandbox):
    post(sandbox, "segments/add", example_text("dynamic", "xml"), "xml")
    received = sandbox.received[-1]
    assert received.method == "segments/add"
    assert received.content_type == "application/xml"
    assert received.params == example_payload("dynamic", "xml")
    assert b"<token>" in received.body and "token" not in received.params


def test_a_created_segment_is_listed_and_can_be_read_back_with_its_rules(sandbox):
    _, added = post_params(sandbox, "segments/add", dynamic_payload())
    saved_id = added["data"]["saved_id"]

    _, listed = post_params(sandbox, "segments/list", {})
    _, got = post_params(sandbox, "segments/get", {"id": saved_id})

    assert listed["data"][-1] == {
        "id": saved_id,
        "name": "Dynamic segment",
        "ui_tags": [],
        "Groups": [],
    }
    assert got["data"]["name"] == "Dynamic segment"
    assert got["data"]["count"] == made_up_count(saved_id, "Dynamic segment")
    rules = got["data"]["segment"][0]["queries"]
    assert all(rule["child"] == [] and rule["condition"] == "" for rule in rules)


def test_a_bearer_header_can_carry_the_token(sandbox):
    body = json.dumps(example_payload("static", "json"))
    status, answer = post(sandbox, "segments/add", body, Authorization=f"Bearer {DOCS_TOKEN}")
    assert (status, answer["error"]) == (200, 0)


# --- refusals of segments/add -------------------------------------------------------------


def broken(change) -> dict:
    payload = copy.deepcopy(dynamic_payload())
    change(payload)
    return payload


def nest_two_levels(payload: dict) -> None:
    inner = {"condition": "or", "child": [dict(payload["segment"][0]["queries"][1])]}
    group = {"condition": "and", "child": [{**payload["segment"][0]["queries"][0], **inner}]}
    payload["segment"][0]["queries"] = [group]


BROKEN = {
    "dynamic without rules": (
        lambda p: p.pop("segment"),
        "segment: a dynamic segment needs rules",
    ),
    "dynamic with an empty selection": (
        lambda p: p["segment"][0].update(queries=[]),
        "segment[1]: queries is required: at least one rule",
    ),
    "percent range reversed": (
        lambda p: p["segment"][0].update(percent_from=60, percent_to=40),
        "segment[1]: percent_from (60) must be less than percent_to (40)",
    ),
    "condition xor": (
        lambda p: p["segment"][0].update(condition="xor"),
        'segment[1]: condition must be "and" or "or", not "xor"',
    ),
    "a group nested two levels": (
        nest_two_levels,
        "segment[1].queries[1].child[1]: a rule inside a group cannot have child rules",
    ),
    "a bool param value": (
        lambda p: p["segment"][0]["queries"][1]["value"][0].update(value=True),
        "segment[1].queries[2].value[1]: value must be text or a whole number, not true",
    ),
    "a missing operator": (
        lambda p: p["segment"][0]["queries"][1].pop("operator"),
        "segment[1].queries[2]: operator is required",
    ),
    "a condition without child": (
        lambda p: p["segment"][0]["queries"][0].update(condition="and"),
        "segment[1].queries[1]: condition is given without child",
    ),
    "a list_id of 0": (
        lambda p: p["segment"][0].update(list_id=0),
        "segment[1]: list_id must be a whole number of 1 or more, not 0",
    ),
    "a string for is_static": (
        lambda p: p.update(is_static="false"),
        'is_static must be true or false, not "false"',
    ),
    "an unknown top-level field": (
        lambda p: p.update(colour="red"),
        "unknown field 'colour'",
    ),
    "a blank name": (
        lambda p: p.update(name="  "),
        "name is required",
    ),
    "a dynamic segment refreshed daily": (
        lambda p: p.update(is_refresh_daily=True),
        "is_refresh_daily must be false or absent for a dynamic segment",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_a_broken_request_is_refused_with_a_text_naming_the_problem(sandbox, case):
    change, expected = BROKEN[case]
    assert expected in refusal(sandbox, broken(change))
    assert list(sandbox.segments) == [1, 2, 3]


def test_a_static_segment_without_list_id_is_refused(sandbox):
    payload = example_payload("static", "json")
    del payload["list_id"]
    assert "list_id is required for a static segment" in refusal(sandbox, payload)


def test_a_static_segment_with_rules_is_refused(sandbox):
    payload = {**example_payload("static", "json"), "segment": dynamic_payload()["segment"]}
    assert "a static segment takes no rules" in refusal(sandbox, payload)


def test_every_problem_is_reported_at_once_with_its_location(sandbox):
    payload = broken(lambda p: p["segment"][0].update(condition="xor", limit=-1))
    del payload["segment"][0]["queries"][1]["compo"]
    text = refusal(sandbox, payload)
    assert text.startswith("Incorrect request: ")
    assert 'segment[1]: condition must be "and" or "or", not "xor"' in text
    assert "segment[1]: limit must be a whole number 0 or more, not -1" in text
    assert "segment[1].queries[2]: compo is required" in text


def test_a_wrong_token_is_refused_with_401(sandbox):
    body = example_text("static", "json").replace(DOCS_TOKEN, "not-the-token")
    status, answer = post(sandbox, "segments/add", body)
    assert (status, answer["error"], answer["error_text"]) == (401, 401, "invalid token")
    assert "not-the-token" not in json.dumps(answer)


def test_a_missing_token_is_refused_with_401(sandbox):
    status, answer = post(sandbox, "segments/add", json.dumps(example_payload("static", "json")))
    assert (status, answer["error_text"]) == (401, "API token required")


def test_an_unreadable_body_is_refused_with_a_clear_text(sandbox):
    status, answer = post(sandbox, "segments/add", '{"name": "x",', "json")
    assert status == 400
    assert answer["error_text"].startswith("Incorrect request: the body is not valid JSON: line 1")


def test_an_empty_body_is_refused(sandbox):
    status, answer = post(sandbox, "segments/add", b"")
    assert (status, answer["error_text"]) == (
        400,
        "Incorrect request: the body is empty (send JSON or XML)",
    )


def test_an_unknown_method_answers_404_with_an_envelope(sandbox):
    status, answer = post_params(sandbox, "segments/explode", {})
    assert (status, answer["error"]) == (404, 404)
    assert "unknown method 'segments/explode'" in answer["error_text"]


def test_a_get_request_is_refused(sandbox):
    response = requests.get(f"{sandbox.url}segments/list/", timeout=5)
    assert response.status_code == 405
    assert response.json()["error"] == 405


def test_a_body_over_the_size_cap_is_refused_without_being_read(sandbox):
    port = int(sandbox.url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        head = (
            "POST /api/v1.1/segments/add/ HTTP/1.1\r\nHost: sandbox\r\n"
            f"Content-Type: application/json\r\nContent-Length: {codec.MAX_BODY_BYTES + 1}\r\n\r\n"
        )
        conn.sendall(head.encode())
        answer = conn.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"the body is larger than" in answer


# --- answers in XML -----------------------------------------------------------------------


def test_format_xml_asks_for_an_xml_answer(sandbox):
    body = example_text("static", "json").replace('"is_static"', '"format": "xml", "is_static"')
    response = requests.post(f"{sandbox.url}segments/add/", data=body.encode(), timeout=5)
    assert response.headers["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b"<?xml ")
    assert codec.decode(response.content) == {
        "data": {"saved_id": 4},
        "error": 0,
        "error_text": "Successful operation",
    }


def test_a_refusal_asked_in_xml_is_xml_too(sandbox):
    body = "<xml><format>xml</format><name>x</name><token>bad</token></xml>"
    status, answer = post(sandbox, "segments/add", body, "xml")
    assert (status, answer["error"], answer["error_text"]) == (401, 401, "invalid token")


# --- the list methods page ----------------------------------------------------------------


def test_databases_list_pages_with_from_id_and_limit(sandbox):
    _, first = post_params(sandbox, "databases/list", {"limit": 2})
    _, second = post_params(sandbox, "databases/list", {"from_id": 5, "limit": 2})
    assert [d["name"] for d in first["data"]] == ["Customers", "Newsletter"]
    assert (first["next_from_id"], first["total_count"]) == (5, 3)
    assert [d["id"] for d in second["data"]] == [5]
    assert (second["next_from_id"], second["total_count"]) == (0, 3)


def test_resources_list_shows_the_demo_resources(sandbox):
    _, answer = post_params(sandbox, "resources/list", {})
    assert [(r["id"], list(r)) for r in answer["data"]] == [
        (1, ["id", "name", "groups"]),
        (2, ["id", "name", "groups"]),
    ]
    assert answer["next_from_id"] == 0


def test_segments_list_pages_in_xml(sandbox):
    body = (
        "<xml><from_id>2</from_id><limit>1</limit><format>xml</format>"
        f"<token>{DOCS_TOKEN}</token></xml>"
    )
    status, answer = post(sandbox, "segments/list", body, "xml")
    assert status == 200
    assert answer["data"] == [{"id": 2, "name": "Newsletter readers", "ui_tags": [], "Groups": []}]
    assert (answer["next_from_id"], answer["total_count"]) == (3, 3)


def test_a_limit_of_zero_is_refused(sandbox):
    status, answer = post_params(sandbox, "segments/list", {"limit": 0})
    assert status == 400
    assert "limit must be 1 or more" in answer["error_text"]


def test_a_payload_without_is_static_is_a_dynamic_segment_as_the_docs_say(sandbox):
    payload = dynamic_payload()
    del payload["is_static"]
    status, added = post_params(sandbox, "segments/add", payload)
    assert status == 200
    assert sandbox.segments[added["data"]["saved_id"]]["kind"] == "dynamic"


# --- segments/update ------------------------------------------------------------------


def created(sandbox: SandboxServer, payload: dict) -> int:
    status, added = post_params(sandbox, "segments/add", payload)
    assert status == 200, added
    return added["data"]["saved_id"]


def test_an_update_replaces_the_name_and_rules_and_keeps_the_id(sandbox):
    segment_id = created(sandbox, dynamic_payload())
    rules = copy.deepcopy(dynamic_payload()["segment"])
    rules[0]["limit"] = 7
    status, answer = post_params(sandbox, "segments/update",
                                 {"id": segment_id, "name": "Renamed", "segment": rules})
    assert (status, answer["data"]) == (200, {"saved_id": segment_id})
    _, got = post_params(sandbox, "segments/get", {"id": segment_id})
    assert got["data"]["name"] == "Renamed"
    assert got["data"]["segment"][0]["limit"] == 7
    assert len(sandbox.segments) == 4  # nothing new was created


def test_an_update_of_an_unknown_id_is_refused(sandbox):
    status, answer = post_params(sandbox, "segments/update",
                                 {"id": 99, "name": "x", "segment": dynamic_payload()["segment"]})
    assert (status, answer["error"]) == (400, 400)
    assert "segment 99 not found" in answer["error_text"]


def test_an_update_without_an_id_is_refused(sandbox):
    status, answer = post_params(sandbox, "segments/update", dynamic_payload())
    assert (status, answer["error"]) == (400, 400)
    assert "id is required" in answer["error_text"]


def test_an_update_cannot_change_the_database(sandbox):
    segment_id = created(sandbox, dynamic_payload())
    rules = copy.deepcopy(dynamic_payload()["segment"])
    rules[0]["list_id"] = 777
    status, answer = post_params(sandbox, "segments/update",
                                 {"id": segment_id, "name": "x", "segment": rules})
    assert (status, answer["error"]) == (400, 400)
    assert "database 777 is not this segment's" in answer["error_text"]
    assert sandbox.segments[segment_id]["payload"]["segment"][0]["list_id"] != 777


def test_an_update_checks_the_rules_as_a_create_does(sandbox):
    segment_id = created(sandbox, dynamic_payload())
    rules = copy.deepcopy(dynamic_payload()["segment"])
    del rules[0]["queries"][0]["operator"]
    status, answer = post_params(sandbox, "segments/update",
                                 {"id": segment_id, "name": "x", "segment": rules})
    assert status == 400
    assert "segment[1].queries[1]: operator is required" in answer["error_text"]


def test_an_update_cannot_turn_a_dynamic_segment_static(sandbox):
    segment_id = created(sandbox, dynamic_payload())
    status, answer = post_params(sandbox, "segments/update",
                                 {"id": segment_id, "name": "x", "is_static": True,
                                  "is_refresh_daily": True,
                                  "segment": dynamic_payload()["segment"]})
    assert status == 400
    assert "the kind of a segment cannot change" in answer["error_text"]


# --- its data file --------------------------------------------------------------------


def test_with_a_data_file_ids_keep_growing_across_restarts(tmp_path):
    data_file = tmp_path / "data" / "sandbox.json"
    with SandboxServer(data_file=data_file) as first:
        first_id = created(first, dynamic_payload())
    with SandboxServer(data_file=data_file) as second:
        assert second.segments[first_id]["name"] == "Dynamic segment"
        assert created(second, dynamic_payload()) == first_id + 1


def test_the_profile_count_of_a_segment_stays_the_same():
    assert made_up_count(4, "Dynamic segment") == made_up_count(4, "Dynamic segment")
    assert made_up_count(4, "Dynamic segment") != made_up_count(5, "Dynamic segment")


# --- the management command ---------------------------------------------------------------


def test_the_management_command_serves_the_sandbox_until_interrupted():
    process, url, _ = start_sandbox_command()
    try:
        response = requests.post(f"{url}databases/list/", json={"token": DOCS_TOKEN}, timeout=5)
        assert response.json()["total_count"] == 3
    finally:
        output = interrupt(process)
    assert process.returncode == 0
    assert "Sandbox stopped." in output


def test_the_command_stops_on_ctrl_c_even_when_started_in_the_background_of_a_script():
    process, _, _ = start_sandbox_command(ignore_sigint=True)
    output = interrupt(process)
    assert process.returncode == 0
    assert "Sandbox stopped." in output


def test_the_command_stops_on_sigterm():
    process, _, _ = start_sandbox_command()
    process.terminate()
    output, _ = process.communicate(timeout=10)
    assert (process.returncode, "Sandbox stopped." in output) == (0, True)


def test_the_command_keeps_its_segments_in_the_data_file_it_names(tmp_path):
    data_file = tmp_path / "sandbox.json"
    process, url, banner = start_sandbox_command("--data-file", str(data_file))
    try:
        answer = requests.post(f"{url}segments/add/",
                               json={**dynamic_payload(), "token": DOCS_TOKEN}, timeout=5).json()
    finally:
        interrupt(process)
    assert f"Segments kept in {data_file}" in banner
    assert str(answer["data"]["saved_id"]) in json.loads(data_file.read_text())["segments"]
