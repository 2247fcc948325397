"""The kinds the documentation shows (API.md), that the first data migration
puts in the catalogue. Takes the model classes, so a migration can pass its
historical ones."""

from __future__ import annotations

DOCUMENTED_KINDS = (
    {"key": "statseg", "label_en": "Was in static segment",
     "label_ru": "Был в статическом сегменте",
     "compo": "default", "name": "statseg", "type": "statseg", "operator": "once",
     "params": [("segment_id", "segment", "Segment id", "ID сегмента")]},
    {"key": "domaingroup", "label_en": "Email domain group",
     "label_ru": "Группа почтовых доменов",
     "compo": "domaingroup", "name": "email", "type": "email", "operator": "equal",
     "params": [("domaingroup", "text", "Domain group", "Группа доменов")]},
    {"key": "dataurl", "label_en": "Field of a POST-URL response",
     "label_ru": "Поле ответа POST-URL",
     "compo": "dataurl", "name": "subscription_email", "type": "subscription_email",
     "operator": "in_data",
     "params": [("field", "text", "Field", "Поле"),
                ("resource_id", "resource", "Resource id", "ID ресурса"),
                ("url", "text", "URL", "URL")]},
    # The one more kind of the segments/get example (API.md).
    {"key": "custom_tags", "label_en": "Tags from a POST-URL response",
     "label_ru": "Теги из ответа POST-URL",
     "compo": "default", "name": "custom_tags", "type": "subscription_email",
     "operator": "in_data",
     "params": [("url", "text", "URL", "URL"),
                ("field", "text", "Field", "Поле"),
                ("resource_id", "resource", "Resource id", "ID ресурса")]},
)


def seed(rule_kind_model, param_model) -> None:
    """Adds the documented kinds that are missing (by key); leaves the rest."""
    for position, kind in enumerate(DOCUMENTED_KINDS):
        fields = {name: value for name, value in kind.items() if name != "params"}
        row, created = rule_kind_model.objects.get_or_create(
            key=kind["key"], defaults={**fields, "position": position})
        if not created:
            continue
        param_model.objects.bulk_create(
            param_model(kind=row, position=index, name=name, type=type_,
                        label_en=label_en, label_ru=label_ru)
            for index, (name, type_, label_en, label_ru) in enumerate(kind["params"]))
