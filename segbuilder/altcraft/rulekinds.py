"""The catalogue of known rule kinds: combinations of compo/name/type/operator
seen in the Altcraft docs (API.md), with named, typed params and friendly names.

Any other rule is a custom rule: the builder lets users enter its fields by
hand, and it passes through unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from segbuilder.altcraft.segment import Param, Rule

CUSTOM = "custom"


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: type  # int or str
    labels: dict[str, str]

    def label(self, language: str = "en") -> str:
        return self.labels.get(language[:2], self.labels["en"])


@dataclass(frozen=True)
class RuleKind:
    key: str
    labels: dict[str, str]
    compo: str
    name: str
    type: str
    operator: str
    params: tuple[ParamSpec, ...]

    def label(self, language: str = "en") -> str:
        return self.labels.get(language[:2], self.labels["en"])

    def matches(self, rule: Rule) -> bool:
        """True when the rule is this kind exactly: same four fields, the same
        params in the catalogue's order (so the builder sends them back as they
        came), each value of the param's type."""
        if (rule.compo, rule.name, rule.type, rule.operator) != (
            self.compo,
            self.name,
            self.type,
            self.operator,
        ):
            return False
        if [param.name for param in rule.params] != [spec.name for spec in self.params]:
            return False
        pairs = zip(rule.params, self.params, strict=True)
        return all(_fits(param.value, spec.type) for param, spec in pairs)

    def build(self, values: dict[str, str | int]) -> Rule:
        """A rule of this kind from its param values, in the catalogue's order."""
        return Rule(
            compo=self.compo,
            name=self.name,
            type=self.type,
            operator=self.operator,
            params=[Param(spec.name, values[spec.name]) for spec in self.params],
        )


def _fits(value: str | int, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


RULE_KINDS: tuple[RuleKind, ...] = (
    RuleKind(
        key="statseg",
        labels={"en": "Was in static segment", "ru": "Был в статическом сегменте"},
        compo="default",
        name="statseg",
        type="statseg",
        operator="once",
        params=(ParamSpec("segment_id", int, {"en": "Segment id", "ru": "ID сегмента"}),),
    ),
    RuleKind(
        key="domaingroup",
        labels={"en": "Email domain group", "ru": "Группа почтовых доменов"},
        compo="domaingroup",
        name="email",
        type="email",
        operator="equal",
        params=(
            ParamSpec(
                "domaingroup", str, {"en": "Domain group", "ru": "Группа доменов"}
            ),
        ),
    ),
    RuleKind(
        key="dataurl",
        labels={"en": "Field of a POST-URL response", "ru": "Поле ответа POST-URL"},
        compo="dataurl",
        name="subscription_email",
        type="subscription_email",
        operator="in_data",
        params=(
            ParamSpec("field", str, {"en": "Field", "ru": "Поле"}),
            ParamSpec("resource_id", int, {"en": "Resource id", "ru": "ID ресурса"}),
            ParamSpec("url", str, {"en": "URL", "ru": "URL"}),
        ),
    ),
)

RULE_KINDS_BY_KEY = {kind.key: kind for kind in RULE_KINDS}


def rule_kind_of(rule: Rule) -> RuleKind | None:
    """The known kind this rule is, or None for a custom rule."""
    return next((kind for kind in RULE_KINDS if kind.matches(rule)), None)
