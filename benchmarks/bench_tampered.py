"""7. Tampered posts: gunicorn with 2 workers, a logged-in viewer (a
"Segment viewers" member) posts the issue's two posts over the row budgets
at the same moment: the builder form claiming 2 selections × 150 rules × 150
sub-rules by its management forms (39 KB), and an import of 20 × 50 rules ×
50 sub-rules pasted into the import box (multipart, field `payload`). Both
go where the builder page's forms post, with what those forms carry. Just
after they leave, another client asks for /login/: with both workers busy,
it waits for one of them. Each must be answered within the second, the two
posts with the message that says what is over."""

from __future__ import annotations

import json
import statistics
import threading
import time
from dataclasses import dataclass

import requests

from benchmarks.common import VIEWER, Env, Row, fmt, gunicorn, logged_in_session, page_form
from benchmarks.shapes import oversized_payload, tampered_post

ROUNDS = 7
LIMIT = 1.0  # seconds, each answer
LOGIN_AFTER = 0.005  # seconds after the posts leave
HEADERS = {"Accept-Language": "en"}


@dataclass(frozen=True)
class Post:
    what: str
    request: requests.PreparedRequest
    status: int
    expect: tuple[bytes, ...]  # what the answer must hold: its message


def run(env: Env) -> list[Row]:
    with gunicorn(env, workers=2) as server:
        session = logged_in_session(server.base, VIEWER)
        posts = _posts(session, server.base)
        login = requests.Request("GET", server.base + "/login/", headers=HEADERS).prepare()
        for post in posts:  # warm both workers, and check the answers once
            _answer(requests.Session(), post.request, post)
        times: dict[str, list[float]] = {post.what: [] for post in posts} | {"login": []}
        for _ in range(ROUNDS):
            for what, elapsed in _round(session, posts, login).items():
                times[what].append(elapsed)
    rows = [_row(f"{post.what}, as a viewer", times[post.what]) for post in posts]
    return rows + [_row("/login/ asked for meanwhile, by another client", times["login"])]


def _posts(session: requests.Session, base: str) -> list[Post]:
    """The two posts, prepared (encoded) before anything is timed."""
    page = session.get(base + "/", headers=HEADERS, timeout=60)
    page.raise_for_status()
    builder_url, builder_fields = page_form(page.content, page.url, "builder")
    import_url, import_fields = page_form(page.content, page.url, "import-form")
    tampered = {**builder_fields, **tampered_post()}
    paste = {**import_fields, "payload": [json.dumps(oversized_payload())]}
    return [
        Post("the builder post claiming 2 × 150 rules × children-TOTAL_FORMS=150",
             _prepared(session, builder_url, data=tampered), 400, (b'id="too-big"',)),
        # (None, value): a plain multipart field, as the import box posts its textarea.
        Post("the import of 20 × 50 rules × 50 sub-rules (multipart, field payload)",
             _prepared(session, import_url, files=[(name, (None, value)) for name, values
                                                    in paste.items() for value in values]),
             200, (b'id="import-error"', b"larger than the builder holds")),
    ]


def _prepared(session: requests.Session, url: str, **body) -> requests.PreparedRequest:
    request = requests.Request("POST", url, headers=HEADERS, **body)
    return session.prepare_request(request)


def _round(session: requests.Session, posts: list[Post],
           login: requests.PreparedRequest) -> dict[str, float]:
    """The two posts at once and /login/ just after: each one's time."""
    times: dict[str, float] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(len(posts) + 1)

    def send(what: str, request: requests.PreparedRequest, post: Post | None,
             delay: float) -> None:
        try:
            start.wait()
            time.sleep(delay)
            times[what] = _answer(requests.Session(), request, post)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=send, args=(post.what, post.request, post, 0))
               for post in posts]
    threads.append(threading.Thread(target=send, args=("login", login, None, LOGIN_AFTER)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return times


def _answer(client: requests.Session, request: requests.PreparedRequest,
            post: Post | None) -> float:
    """Seconds until the whole answer arrived; checked to be the expected one."""
    started = time.perf_counter()
    response = client.send(request, timeout=120, allow_redirects=False)
    elapsed = time.perf_counter() - started
    status, expect = (post.status, post.expect) if post else (200, (b'name="password"',))
    if response.status_code != status or not all(text in response.content for text in expect):
        raise RuntimeError(f"{request.url} answered {response.status_code} without "
                           f"{' and '.join(map(repr, expect))}")
    return elapsed


def _row(what: str, times: list[float]) -> Row:
    """The slowest answer of the rounds: the budget holds for each."""
    slowest = max(times)
    return Row("7", f"two tampered posts at once, gunicorn with 2 workers: {what} (slowest of "
               f"{len(times)} rounds; median {fmt(statistics.median(times), 's')})",
               fmt(slowest, "s"), "—", "—", f"< {LIMIT:g} s", slowest < LIMIT)
