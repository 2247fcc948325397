"""The catalogue as the builder reads it: the RuleKind dataclasses of
segbuilder.altcraft.rulekinds, loaded in one query and kept in the `local`
cache until the catalogue is saved (or the cache's minute is over, for the
other processes). Within a request it is read from the cache once: each
read unpickles a copy, which a thousand-row builder would otherwise pay for
a few thousand times."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language

from segbuilder.altcraft.rulekinds import Labelled, ParamSpec, RuleKind, kind_of
from segbuilder.altcraft.segment import Rule
from segbuilder.catalogue import models

CACHE_KEY = "catalogue:kinds:v1"
NUMBER_TYPES = {"number", "segment", "database", "resource"}


@dataclass(frozen=True)
class Catalogue:
    kinds: tuple[RuleKind, ...]
    by_key: dict[str, RuleKind] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {kind.key: kind for kind in self.kinds})

    def kind_of(self, rule: Rule) -> RuleKind | None:
        return kind_of(rule, self.kinds)


# The catalogue read in this request; None outside a request, which then
# reads the cache each time.
_in_request: ContextVar[list[Catalogue] | None] = ContextVar("catalogue_in_request",
                                                             default=None)


def catalogue() -> Catalogue:
    held = _in_request.get()
    if held:
        return held[0]
    cache = caches["local"]
    found = cache.get(CACHE_KEY)
    if found is None:
        found = Catalogue(tuple(_load()))
        cache.set(CACHE_KEY, found)
    if held is not None:
        held.append(found)
    return found


@receiver(request_started)
def _request_started(**kwargs) -> None:
    _in_request.set([])


@receiver(request_finished)
def _request_finished(**kwargs) -> None:
    _in_request.set(None)


def rule_kind_of(rule: Rule) -> RuleKind | None:
    """The known kind this rule is, or None for a custom rule."""
    return catalogue().kind_of(rule)


KIND_COLUMNS = ("key", "label_en", "label_ru", "compo", "name", "type", "operator")
PARAM_COLUMNS = ("name", "type", "label_en", "label_ru", "choices")


def _load() -> Iterator[RuleKind]:
    """The kinds in their order, each with its params in theirs: one query
    (a kind without params comes once, with its param columns empty)."""
    rows = (models.RuleKind.objects
            .order_by("position", "id", "params__position", "params__id")
            .values_list("id", *KIND_COLUMNS, *(f"params__{name}" for name in PARAM_COLUMNS)))
    for _, kind_rows in groupby(rows, key=itemgetter(0)):
        first, *rest = kind_rows
        kind = dict(zip(KIND_COLUMNS, first[1:8], strict=True))
        params = [dict(zip(PARAM_COLUMNS, row[8:], strict=True)) for row in [first, *rest]
                  if row[8] is not None]
        yield RuleKind(
            key=kind["key"], labels=labels_of(kind),
            compo=kind["compo"], name=kind["name"], type=kind["type"],
            operator=kind["operator"], params=tuple(param_spec(param) for param in params))


def param_spec(param: dict) -> ParamSpec:
    """A param of the catalogue (its columns by name) as the builder reads it."""
    is_choice = param["type"] == "choice"
    choices = tuple(line.strip() for line in param["choices"].splitlines() if line.strip())
    return ParamSpec(name=param["name"], type=int if param["type"] in NUMBER_TYPES else str,
                     labels=labels_of(param),
                     input=param["type"], choices=choices if is_choice else (),
                     suggestions=choices if param["type"] == "text" else ())


def labels_of(columns: dict) -> dict[str, str]:
    """A kind's or a param's names by language, from its label_* columns."""
    return {"en": columns["label_en"], "ru": columns["label_ru"]}


def current_label(labelled: Labelled) -> str:
    """A rule kind's or param's name in the current language (the catalogue
    carries both; its RuleKinds stay free of Django)."""
    return labelled.label(get_language() or "en")


@receiver([post_save, post_delete], sender=models.RuleKind)
@receiver([post_save, post_delete], sender=models.KindParam)
def forget(**kwargs) -> None:
    caches["local"].delete(CACHE_KEY)
    held = _in_request.get()
    if held:
        held.clear()
