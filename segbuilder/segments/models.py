"""The local history: one Submission per attempt to create a segment."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from segbuilder.altcraft.codec import payload_to_json
from segbuilder.altcraft.segment import Kind


class Submission(models.Model):
    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        CREATED = "created", "Created"
        REJECTED = "rejected", "Rejected by Altcraft"
        FAILED = "failed", "Failed before sending"
        UNKNOWN = "unknown", "Outcome unknown"
        # Outcome unknown, then checked in Altcraft: no such segment exists.
        NOT_CREATED = "not_created", "Not created"

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        XML = "xml", "XML"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # PROTECT: history outlives nobody; deactivate users instead of deleting them.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=[(kind.value, kind.value) for kind in Kind])
    format = models.CharField(max_length=4, choices=Format.choices)
    # The payload exactly as sent, without the token (the client adds it).
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENDING)
    altcraft_id = models.BigIntegerField(null=True, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_text = models.TextField(blank=True)
    # Altcraft's raw answer (capped by the client), or what went wrong.
    answer = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The builder form's one-time key: one submission per intent (a double
    # click or a resubmitted form finds the first submission instead).
    key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        permissions = [("send_segment", "Can send segments to Altcraft")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    @property
    def payload_json(self) -> str:
        return payload_to_json(self.payload)
