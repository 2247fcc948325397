"""Submissions as CSV, the one writer behind the history page's "Download CSV"
and the admin's export: UTF-8 with a byte-order mark (so spreadsheets read
Cyrillic right), headers in the reader's language, times in the current time
zone, and every text cell safe from formula injection."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from segbuilder.segments.models import KIND_CHOICES, Submission

BOM = "\ufeff"
CHUNK_SIZE = 500
# The history page's download stops here (its pages stop counting at
# selectors.COUNT_CAP; a download may hold more, but not the whole table).
DOWNLOAD_CAP = 10_000
# Headers; the time's names the zone it is given in.
CREATED = _("Created (%(zone)s)")
COLUMNS = (
    pgettext_lazy("submission", "Number"), CREATED, _("Author"), _("Name"), _("Kind"), _("Format"),
    _("Status"), _("Altcraft id"), _("Error code"), _("Error text"), _("Duration, ms"),
    _("Payload (token left out)"),
)
# What a spreadsheet would read as the start of a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can
    feed a streaming response one row at a time."""

    def write(self, value: str) -> str:
        return value


def headers() -> list[str]:
    """The column names in the current language."""
    zone = timezone.get_current_timezone_name()
    return [str(label) % {"zone": zone} if label is CREATED else str(label)
            for label in COLUMNS]


def submission_csv_lines(submissions: Iterable[Submission]) -> Iterator[str]:
    """The byte-order mark and header, then one line per submission (the
    payload as compact JSON; stored payloads never hold the token)."""
    writer = csv.writer(_Echo())
    kinds = {value: str(label) for value, label in KIND_CHOICES}
    statuses = {value: str(label) for value, label in Submission.Status.choices}
    zone = timezone.get_current_timezone()
    yield BOM + writer.writerow(headers())
    for s in submissions:
        yield writer.writerow([safe_cell(value) for value in (
            s.pk, f"{s.created_at.astimezone(zone):%Y-%m-%d %H:%M:%S}", s.author.get_username(),
            s.name, kinds.get(s.kind, s.kind), s.format, statuses.get(s.status, s.status),
            s.altcraft_id, s.error_code, s.error_text, s.duration_ms,
            json.dumps(s.sent_payload, ensure_ascii=False, separators=(",", ":")),
        )])


def safe_cell(value: object) -> object:
    """None as an empty cell; text a spreadsheet would run as a formula gets a
    leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(submissions: Iterable[Submission], *, prefix: str) -> StreamingHttpResponse:
    """A streamed download of `submissions`, named `prefix`-<local time>.csv."""
    response = StreamingHttpResponse(submission_csv_lines(submissions),
                                     content_type="text/csv; charset=utf-8")
    filename = f"{prefix}-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
