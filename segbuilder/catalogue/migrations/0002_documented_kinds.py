"""Seeds the catalogue with the kinds the documentation shows (API.md).

The data is frozen here, as it was when this migration was written: a
migration must give the same rows on every later run, whatever the app's
code says by then. segbuilder/catalogue/seed.py holds the same kinds for the
code and tests that read them without a database; tests/catalogue checks
that the two agree.
"""

from django.db import migrations

# (key, label_en, label_ru, compo, name, type, operator, params); a param is
# (name, type, label_en, label_ru). Their order here is their position.
DOCUMENTED_KINDS = (
    ("statseg", "Was in static segment", "Был в статическом сегменте",
     "default", "statseg", "statseg", "once",
     [("segment_id", "segment", "Segment id", "ID сегмента")]),
    ("domaingroup", "Email domain group", "Группа почтовых доменов",
     "domaingroup", "email", "email", "equal",
     [("domaingroup", "text", "Domain group", "Группа доменов")]),
    ("dataurl", "Field of a POST-URL response", "Поле ответа POST-URL",
     "dataurl", "subscription_email", "subscription_email", "in_data",
     [("field", "text", "Field", "Поле"),
      ("resource_id", "resource", "Resource id", "ID ресурса"),
      ("url", "text", "URL", "URL")]),
    # The one more kind of the segments/get example (API.md).
    ("custom_tags", "Tags from a POST-URL response", "Теги из ответа POST-URL",
     "default", "custom_tags", "subscription_email", "in_data",
     [("url", "text", "URL", "URL"),
      ("field", "text", "Field", "Поле"),
      ("resource_id", "resource", "Resource id", "ID ресурса")]),
)


def forwards(apps, schema_editor):
    """Adds the documented kinds that are missing (by key); leaves the rest."""
    rule_kind = apps.get_model("catalogue", "RuleKind")
    kind_param = apps.get_model("catalogue", "KindParam")
    for position, (key, label_en, label_ru, compo, name, type_, operator, params) in enumerate(
            DOCUMENTED_KINDS):
        row, created = rule_kind.objects.get_or_create(key=key, defaults={
            "label_en": label_en, "label_ru": label_ru, "compo": compo, "name": name,
            "type": type_, "operator": operator, "position": position})
        if not created:
            continue
        kind_param.objects.bulk_create(
            kind_param(kind=row, position=index, name=param_name, type=param_type,
                       label_en=param_en, label_ru=param_ru)
            for index, (param_name, param_type, param_en, param_ru) in enumerate(params))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
