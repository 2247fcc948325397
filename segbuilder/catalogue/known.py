"""The values the builder offers for a known kind's text params: the
catalogue's suggestions first, then the values the team has sent before
(counted when a submission is written), the most used first."""

from __future__ import annotations

from collections import defaultdict

from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from segbuilder.altcraft.rulekinds import RuleKind
from segbuilder.altcraft.segment import Segment
from segbuilder.catalogue import models
from segbuilder.catalogue.loader import catalogue
from segbuilder.catalogue.seen import all_rules

CACHE_KEY = "catalogue:known-values:v1"
# Offered per param: enough for a team's domain groups, few enough to scan.
MAX_OFFERED = 50
# Values read to fill the lists: the most used of all params together.
MAX_READ = 2_000
# Distinct values counted from one segment: a pasted segment of a thousand
# made-up values should not write a thousand rows.
MAX_PER_SEGMENT = 50
MAX_LENGTH = 255

Known = dict[tuple[str, str], tuple[str, ...]]


def remember_sent(segment: Segment) -> None:
    """Counts each text value of `segment`'s known-kind rules, once per segment."""
    values = _text_values(segment)
    if not values:
        return
    with transaction.atomic():
        for kind_key, param, value in values:
            models.SeenValue.objects.filter(kind_key=kind_key, param=param, value=value).update(
                times_used=F("times_used") + 1, last_used=timezone.now())
        models.SeenValue.objects.bulk_create(
            [models.SeenValue(kind_key=kind_key, param=param, value=value, times_used=1)
             for kind_key, param, value in values],
            ignore_conflicts=True)
    caches["local"].delete(CACHE_KEY)


def known_values() -> Known:
    """(kind key, param name) -> the values to offer, for every text param of
    the catalogue's kinds (an empty tuple when there is none)."""
    cache = caches["local"]
    found = cache.get(CACHE_KEY)
    if found is None:
        found = _load(catalogue().kinds)
        cache.set(CACHE_KEY, found)
    return found


def _load(kinds: tuple[RuleKind, ...]) -> Known:
    sent: dict[tuple[str, str], list[str]] = defaultdict(list)
    rows = (models.SeenValue.objects.order_by("-times_used", "-last_used")
            .values_list("kind_key", "param", "value")[:MAX_READ])
    for kind_key, param, value in rows:
        sent[kind_key, param].append(value)
    known: Known = {}
    for kind in kinds:
        for spec in kind.params:
            if spec.input == "text":
                offered = dict.fromkeys([*spec.suggestions, *sent[kind.key, spec.name]])
                known[kind.key, spec.name] = tuple(offered)[:MAX_OFFERED]
    return known


def _text_values(segment: Segment) -> list[tuple[str, str, str]]:
    known = catalogue()
    found: dict[tuple[str, str, str], None] = {}
    for rule in all_rules(segment):
        kind = known.kind_of(rule)
        if kind is None:
            continue
        for param, spec in zip(rule.params, kind.params, strict=True):
            if (spec.input == "text" and isinstance(param.value, str)
                    and 0 < len(param.value.strip()) <= MAX_LENGTH):
                found[kind.key, param.name, param.value] = None
        if len(found) >= MAX_PER_SEGMENT:
            break
    return list(found)[:MAX_PER_SEGMENT]


@receiver([post_save, post_delete], sender=models.RuleKind)
@receiver([post_save, post_delete], sender=models.KindParam)
@receiver([post_save, post_delete], sender=models.SeenValue)
def forget(**kwargs) -> None:
    caches["local"].delete(CACHE_KEY)
