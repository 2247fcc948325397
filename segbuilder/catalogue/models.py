"""The rule-kind catalogue staff grow in the admin, and the rule shapes seen
in imports that no kind names yet. The builder reads kinds through
loader.py, as the plain RuleKind dataclasses of segbuilder.altcraft.rulekinds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ParamType(models.TextChoices):
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")
    SEGMENT = "segment", _("Segment (picked from Altcraft's list)")
    DATABASE = "database", _("Database (picked from Altcraft's list)")
    RESOURCE = "resource", _("Resource (picked from Altcraft's list)")
    CHOICE = "choice", _("One of a fixed list")


class RuleKind(models.Model):
    key = models.SlugField(_("key"), max_length=64, unique=True,
                           help_text=_("Stays the same once rules of this kind have been built."))
    label_en = models.CharField(_("name in English"), max_length=200)
    label_ru = models.CharField(_("name in Russian"), max_length=200)
    compo = models.CharField("compo", max_length=255)
    name = models.CharField("name", max_length=255)
    type = models.CharField("type", max_length=255)
    operator = models.CharField("operator", max_length=255)
    position = models.PositiveIntegerField(_("position"), default=0,
                                           help_text=_("Kinds are offered in this order."))

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("rule kind")
        verbose_name_plural = _("rule kinds")

    def __str__(self) -> str:
        return self.label_en


class KindParam(models.Model):
    kind = models.ForeignKey(RuleKind, on_delete=models.CASCADE, related_name="params",
                             verbose_name=_("rule kind"))
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("param name"), max_length=255)
    type = models.CharField(_("type"), max_length=16, choices=ParamType.choices,
                            default=ParamType.TEXT)
    label_en = models.CharField(_("label in English"), max_length=200)
    label_ru = models.CharField(_("label in Russian"), max_length=200)
    choices = models.TextField(
        _("choices"), blank=True,
        help_text=_("One value a line. For a fixed list: the values allowed. For text: values "
                    "offered as suggestions (any other may still be typed)."))

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("param")
        verbose_name_plural = _("params")

    def __str__(self) -> str:
        return self.name


class SeenShape(models.Model):
    """A rule shape (the four fields, the param names and their types) met in
    an import, a clone or an opened segment that no kind matched."""

    signature = models.CharField(max_length=64, unique=True, editable=False)
    compo = models.CharField("compo", max_length=255)
    name = models.CharField("name", max_length=255)
    type = models.CharField("type", max_length=255)
    operator = models.CharField("operator", max_length=255)
    # One rule of this shape, its own fields only (never a token, no sub-rules).
    example = models.JSONField(_("example"))
    times_seen = models.PositiveIntegerField(_("times seen"), default=0)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        ordering = ("-times_seen", "-last_seen")
        verbose_name = _("seen, not yet named")
        verbose_name_plural = _("seen, not yet named")

    def __str__(self) -> str:
        return f"{self.compo} / {self.name} / {self.type} / {self.operator}"


class SeenValue(models.Model):
    """A value sent for a known kind's text param (an email domain group, a
    POST-URL), counted, so the builder offers the team's values again."""

    kind_key = models.SlugField(_("rule kind"), max_length=64)
    param = models.CharField(_("param name"), max_length=255)
    value = models.CharField(_("value"), max_length=255)
    times_used = models.PositiveIntegerField(_("times sent"), default=0)
    last_used = models.DateTimeField(_("last sent"), auto_now=True)

    class Meta:
        ordering = ("kind_key", "param", "-times_used")
        verbose_name = _("value sent before")
        verbose_name_plural = _("values sent before")
        constraints = [models.UniqueConstraint(fields=("kind_key", "param", "value"),
                                               name="catalogue_seenvalue_once")]
        # The builder reads the most used first.
        indexes = [models.Index(fields=("-times_used", "-last_used"),
                                name="catalogue_seenvalue_most_used")]

    def __str__(self) -> str:
        return self.value
