"""The bulk loader of `make bench` (benchmarks/bulk_load.py) writes rows the
history can show: every column the model requires, so a new column without a
default cannot break the benchmark unseen (issue 13's `action` once did)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benchmarks.bulk_load import bulk_load
from segbuilder.segments.models import Submission

pytestmark = pytest.mark.django_db


def test_the_bulk_loader_writes_submissions_the_history_lists(admin_client):
    bulk_load(count=30, authors=2, days=3, seed=5)

    rows = Submission.objects.all()
    assert rows.count() == 30
    assert set(rows.values_list("action", flat=True)) == {Submission.Action.CREATE}
    assert all(row.search_text for row in rows)
    page = admin_client.get(reverse("history"))
    assert page.status_code == 200
    assert rows.order_by("-created_at").first().name in page.content.decode()
