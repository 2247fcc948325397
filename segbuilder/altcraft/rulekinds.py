"""Known rule kinds: combinations of compo/name/type/operator with named,
typed params and friendly names. The kinds themselves live in the database
(segbuilder/catalogue, grown by staff in the admin); these plain values are
what the builder and the history read, free of Django.

Any other rule is a custom rule: the builder lets users enter its fields by
hand, and it passes through unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from segbuilder.altcraft.segment import Param, Rule

CUSTOM = "custom"


class Labelled:
    """A friendly name in each language of the app (rule kinds and their
    params both carry one): the one place that picks one by language."""

    labels: dict[str, str]

    def label(self, language: str = "en") -> str:
        """The name in `language` ("ru", "ru-ru"), else the English one."""
        return self.labels.get(language[:2], self.labels["en"])


@dataclass(frozen=True)
class ParamSpec(Labelled):
    name: str
    type: type  # int or str
    labels: dict[str, str]
    # How the builder asks for it: number, text, segment / database / resource
    # (an id picked from Altcraft's list) or choice (one of `choices`).
    input: str = "text"
    choices: tuple[str, ...] = ()
    # For text: values offered, any other may still be typed.
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleKind(Labelled):
    key: str
    labels: dict[str, str]
    compo: str
    name: str
    type: str
    operator: str
    params: tuple[ParamSpec, ...]

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
        return all(_fits(param.value, spec) for param, spec in pairs)

    def build(self, values: dict[str, str | int]) -> Rule:
        """A rule of this kind from its param values, in the catalogue's order."""
        return Rule(
            compo=self.compo,
            name=self.name,
            type=self.type,
            operator=self.operator,
            params=[Param(spec.name, values[spec.name]) for spec in self.params],
        )


def _fits(value: str | int, spec: ParamSpec) -> bool:
    if spec.type is int:
        return isinstance(value, int) and not isinstance(value, bool)
    # A value off a fixed list would not round-trip through its select.
    return isinstance(value, str) and (not spec.choices or value in spec.choices)


def kind_of(rule: Rule, kinds: tuple[RuleKind, ...]) -> RuleKind | None:
    """The first of `kinds` this rule is, or None for a custom rule."""
    return next((kind for kind in kinds if kind.matches(rule)), None)
