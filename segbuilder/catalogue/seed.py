"""The kinds the documentation shows (API.md), as the data migration
0002_documented_kinds puts them in the catalogue: for what reads the seeded
catalogue without a database (the tests' catalogue, tests/conftest.py). The
migration keeps its own frozen copy; tests/catalogue checks the two agree."""

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

