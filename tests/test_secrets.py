"""The Altcraft token never leaks: after segments are sent through every path
(success in JSON and XML, every sandbox fault, a check in Altcraft, an
import), the token is in no page, no database row and no log record."""

from __future__ import annotations

import io
import logging

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from segbuilder.altcraft.sandbox import Fault, SandboxServer
from segbuilder.segments.models import Submission
from tests.formdata import builder_data, selection, statseg

pytestmark = pytest.mark.django_db

TOKEN = "tok-secret-7f3a9c1e5b2d4f60"


@pytest.fixture
def secret_sandbox(settings):
    server = SandboxServer(token=TOKEN).start()
    server.hold_seconds = 2
    settings.ALTCRAFT_API_URL = server.url
    settings.ALTCRAFT_API_TOKEN = TOKEN
    settings.ALTCRAFT_TIMEOUT = 0.5
    yield server
    server.stop()


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-6")
    admin.groups.add(Group.objects.get(name="Segment editors"))
    client.force_login(admin)
    return client


def test_the_token_is_in_no_page_no_row_and_no_log(admin_client, secret_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    pages: list[str] = []

    def visit(response) -> None:
        pages.append(response.content.decode("utf-8", "replace"))
        if response.status_code == 302:
            visit(admin_client.get(response.url))

    for number, fault in enumerate([None, *Fault]):
        secret_sandbox.set_fault(fault, delay=0.05)
        for fmt in ("json", "xml"):
            data = builder_data(name=f"Path {number} {fmt}", format=fmt, action="send",
                                selections=[selection(statseg(1))])
            visit(admin_client.post(reverse("builder"), data))
    secret_sandbox.clear_fault()
    # Every send but the two refused ones reached the sandbox.
    assert len(secret_sandbox.received) == 2 * (1 + len(Fault)) - 2

    for submission in Submission.objects.filter(status="unknown"):
        visit(admin_client.post(reverse("submission_check", args=[submission.pk])))
    pasted = f'{{"name": "Pasted", "is_static": true, "list_id": 2, "token": "{TOKEN}"}}'
    visit(admin_client.post(reverse("builder"), {"action": "import", "payload": pasted}))
    for url in (reverse("history"), "/admin/segments/submission/"):
        visit(admin_client.get(url))
    for submission in Submission.objects.all():
        visit(admin_client.get(reverse("submission_detail", args=[submission.pk])))
        visit(admin_client.get(f"/admin/segments/submission/{submission.pk}/change/"))
    export = admin_client.post("/admin/segments/submission/", {
        "action": "export_csv", "_selected_action": list(
            Submission.objects.values_list("pk", flat=True))})
    pages.append(b"".join(export.streaming_content).decode())

    assert Submission.objects.count() >= 2 * len(Fault)
    leaks = [page for page in pages if TOKEN in page]
    assert leaks == [], "the token is shown on a page"
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert TOKEN not in dump.getvalue(), "the token is stored in the database"
    logged = [record for record in caplog.records
              if TOKEN in record.getMessage() or TOKEN in str(record.__dict__)]
    assert logged == [], "the token is in a log record"
