"""Remembering the rule shapes that no kind names: how often each is met in
an import, a clone or an opened segment, when first and last, and one example
(the rule's own fields only). Staff turn one into a kind in the admin."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from segbuilder.altcraft.segment import Rule, Segment
from segbuilder.catalogue import models
from segbuilder.catalogue.loader import catalogue

# Distinct shapes remembered from one segment: a pasted segment of a
# thousand made-up rules should not write a thousand rows.
MAX_SHAPES_PER_SEGMENT = 20


def remember_unnamed(segment: Segment) -> None:
    """Counts each shape of `segment` that no kind matches, once per segment."""
    known = catalogue()
    shapes: dict[str, Rule] = {}
    for rule in all_rules(segment):
        if rule.has_own_fields and known.kind_of(rule) is None:
            shapes.setdefault(signature(rule), rule)
            if len(shapes) >= MAX_SHAPES_PER_SEGMENT:
                break
    if not shapes:
        return
    with transaction.atomic():
        seen = set(models.SeenShape.objects.filter(signature__in=shapes)
                   .values_list("signature", flat=True))
        if seen:
            models.SeenShape.objects.filter(signature__in=seen).update(
                times_seen=F("times_seen") + 1, last_seen=timezone.now())
        models.SeenShape.objects.bulk_create(
            [_new_shape(key, rule) for key, rule in shapes.items() if key not in seen],
            ignore_conflicts=True)


def signature(rule: Rule) -> str:
    """What makes two rules the same shape: the four fields, and each param's
    name and whether it is a number."""
    shape = [rule.compo, rule.name, rule.type, rule.operator,
             [[param.name, isinstance(param.value, int)] for param in rule.params]]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()


def name_kind(shape: models.SeenShape) -> models.RuleKind:
    """A new kind from a seen shape's example, its names still to be written
    by staff; the shape is then named and forgotten."""
    example = shape.example
    with transaction.atomic():
        kind = models.RuleKind.objects.create(
            key=_free_key(example["name"] or example["compo"] or "kind"),
            label_en=example["name"], label_ru=example["name"],
            compo=example["compo"], name=example["name"], type=example["type"],
            operator=example["operator"],
            position=models.RuleKind.objects.count())
        for position, param in enumerate(example["value"]):
            is_number = isinstance(param["value"], int)
            models.KindParam.objects.create(
                kind=kind, position=position, name=param["name"],
                type=models.ParamType.NUMBER if is_number else models.ParamType.TEXT,
                label_en=param["name"], label_ru=param["name"])
        shape.delete()
    return kind


def _new_shape(key: str, rule: Rule) -> models.SeenShape:
    own = Rule(compo=rule.compo, name=rule.name, type=rule.type, operator=rule.operator,
               params=rule.params)
    return models.SeenShape(signature=key, compo=rule.compo, name=rule.name, type=rule.type,
                            operator=rule.operator, example=own.to_payload(), times_seen=1)


def _free_key(name: str) -> str:
    base = slugify(name)[:50] or "kind"
    key, number = base, 1
    while models.RuleKind.objects.filter(key=key).exists():
        number += 1
        key = f"{base}-{number}"
    return key


def all_rules(segment: Segment) -> Iterator[Rule]:
    for selection in segment.selections:
        for rule in selection.rules:
            yield rule
            yield from rule.children
