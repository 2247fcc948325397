"""The local history: one Submission per attempt to create or update a segment."""

from __future__ import annotations

import datetime
from itertools import pairwise

from django.conf import settings
from django.db import models
from django.db.models import Exists, Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from segbuilder.altcraft.segment import Kind, PayloadError, Segment

# A kind as the history shows it: lower case, as in "a dynamic segment".
KIND_LABELS = {
    Kind.STATIC: pgettext_lazy("segment kind", "static"),
    Kind.DYNAMIC: pgettext_lazy("segment kind", "dynamic"),
    Kind.UPDATABLE: pgettext_lazy("segment kind", "updatable"),
}


KIND_CHOICES = [(kind.value, KIND_LABELS[kind]) for kind in Kind]


def search_text_of(name: str) -> str:
    """What a search looks in for `name`: the name case-folded, so that a
    plain `contains` of a case-folded query ignores case in any alphabet
    (SQLite's LIKE folds ASCII letters only, and an index serves it)."""
    return name.casefold()


class SubmissionQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """bulk_create(), with each row's search text written as save() writes it."""
        objs = list(objs)
        for submission in objs:
            submission.search_text = search_text_of(submission.name)
        return super().bulk_create(objs, *args, **kwargs)

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        """The years, months or days that hold submissions, as Django's
        datetimes() gives them for created_at (the admin's date hierarchy
        asks), found by asking of each period between the first and the last
        submission whether it holds any: one query of index probes, where
        reading the date of every row took seconds with a million of them."""
        if field_name != "created_at" or kind not in ("year", "month", "day") \
                or order != "ASC" or tzinfo is not None:
            return super().datetimes(field_name, kind, order, tzinfo)
        bounds = self.order_by().aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is None:
            return []
        starts = _period_starts(timezone.localtime(bounds["first"]),
                                timezone.localtime(bounds["last"]), kind)
        edges = [timezone.make_aware(start)
                 for start in [*starts, _period_after(starts[-1], kind)]]
        probes = {
            f"p{number}": Exists(self.order_by().filter(created_at__gte=start, created_at__lt=end))
            for number, (start, end) in enumerate(pairwise(edges))
        }
        # Asked beside one row of the table, which holds rows since `self` does.
        held = (self.model._default_manager.using(self.db).order_by().annotate(**probes)
                .values_list(*probes)[:1].get())
        return [start for start, has_rows in zip(edges, held, strict=False) if has_rows]


def _period_starts(first: datetime.datetime, last: datetime.datetime,
                   kind: str) -> list[datetime.datetime]:
    """The starts (local, naive) of the years, months or days from `first` to `last`."""
    start = datetime.datetime(first.year, 1 if kind == "year" else first.month,
                              first.day if kind == "day" else 1)
    starts = []
    while start <= last.replace(tzinfo=None):
        starts.append(start)
        start = _period_after(start, kind)
    return starts


def _period_after(start: datetime.datetime, kind: str) -> datetime.datetime:
    """The start of the year, month or day after the one `start` begins."""
    if kind == "year":
        return start.replace(year=start.year + 1)
    if kind == "day":
        return start + datetime.timedelta(days=1)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


class Submission(models.Model):
    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        CREATED = "created", _("Created")
        REJECTED = "rejected", _("Rejected by Altcraft")
        FAILED = "failed", _("Failed before sending")
        UNKNOWN = "unknown", _("Outcome unknown")
        # Outcome unknown, then checked in Altcraft: no such segment exists.
        NOT_CREATED = "not_created", _("Not created")
        # An update Altcraft accepted.
        UPDATED = "updated", _("Updated")

    class Action(models.TextChoices):
        CREATE = "create", pgettext_lazy("submission action", "Create")
        UPDATE = "update", pgettext_lazy("submission action", "Update")

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        XML = "xml", "XML"

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # PROTECT: history outlives nobody; deactivate users instead of deleting them.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions",
        verbose_name=_("author"),
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # The payload exactly as sent, without the token (the client adds it). For
    # an update, the segment as built: the request is its id, name and rules
    # (AltcraftClient.segment_update).
    payload = models.JSONField(_("payload"))
    action = models.CharField(_("action"), max_length=8, choices=Action.choices,
                              default=Action.CREATE)
    # An update's segment as it was in Altcraft when opened (what the edit changed).
    opened_payload = models.JSONField(_("rules when opened"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.SENDING)
    # The segment created, or the one updated (known before an update is sent).
    altcraft_id = models.BigIntegerField(_("Altcraft id"), null=True, blank=True)
    error_code = models.IntegerField(_("error code"), null=True, blank=True)
    error_text = models.TextField(_("error text"), blank=True)
    # Altcraft's raw answer (capped by the client), or what went wrong.
    answer = models.TextField(_("answer"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    # The builder form's one-time key: one submission per intent (a double
    # click or a resubmitted form finds the first submission instead).
    key = models.UUIDField(_("key"), null=True, blank=True, unique=True, editable=False)
    # search_text_of(name), written on every save: the history's and the
    # admin's searches read it (a trigram index on PostgreSQL, migration 0009).
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at", "-id"]
        # The list's indexes are SQL, in migrations 0007, 0008 and 0009.
        permissions = [("send_segment", "Can send segments to Altcraft")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    def save(self, *args, **kwargs) -> None:
        self.search_text = search_text_of(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def sent_payload(self) -> dict:
        """The payload with its keys in the order it was sent: PostgreSQL's
        jsonb keeps keys in an order of its own, and the app's payloads are
        exactly what Segment.to_payload() gives."""
        try:
            return Segment.from_payload(self.payload).to_payload()
        except PayloadError:
            return self.payload
