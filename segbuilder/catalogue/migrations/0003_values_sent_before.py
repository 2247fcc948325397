"""Values sent before: the table, and the values of the newest submissions
already in the history (frozen code: it reads the payloads as they are stored,
and imports nothing of the app that may change later)."""

from collections import Counter

from django.db import migrations, models

# The newest submissions read: enough to know the team's values, bounded for a
# history of millions.
NEWEST = 5_000
MAX_LENGTH = 255


def _rules(payload):
    for selection in payload.get("segment") or []:
        for rule in (selection.get("queries") or []) if isinstance(selection, dict) else []:
            if isinstance(rule, dict):
                yield rule
                yield from (child for child in rule.get("child") or [] if isinstance(child, dict))


def count_sent(apps, schema_editor):
    kinds = {}
    for kind in apps.get_model("catalogue", "RuleKind").objects.prefetch_related("params"):
        params = list(kind.params.order_by("position", "id"))
        kinds[kind.compo, kind.name, kind.type, kind.operator] = (
            kind.key, [param.name for param in params],
            {param.name for param in params if param.type == "text"})
    counts = Counter()
    submissions = apps.get_model("segments", "Submission").objects.order_by("-id")
    for payload in submissions.values_list("payload", flat=True)[:NEWEST]:
        if not isinstance(payload, dict):
            continue
        for rule in _rules(payload):
            found = kinds.get((rule.get("compo"), rule.get("name"), rule.get("type"),
                               rule.get("operator")))
            params = [param for param in rule.get("value") or [] if isinstance(param, dict)]
            if not found or [param.get("name") for param in params] != found[1]:
                continue
            for param in params:
                value = param.get("value")
                if (param["name"] in found[2] and isinstance(value, str)
                        and 0 < len(value.strip()) <= MAX_LENGTH):
                    counts[found[0], param["name"], value] += 1
    apps.get_model("catalogue", "SeenValue").objects.bulk_create(
        apps.get_model("catalogue", "SeenValue")(kind_key=kind_key, param=param, value=value,
                                                 times_used=times)
        for (kind_key, param, value), times in counts.items())


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0002_documented_kinds'),
        ('segments', '0010_edits'),
    ]

    operations = [
        migrations.AlterField(
            model_name='kindparam',
            name='choices',
            field=models.TextField(blank=True, help_text='One value a line. For a fixed list: the values allowed. For text: values offered as suggestions (any other may still be typed).', verbose_name='choices'),
        ),
        migrations.CreateModel(
            name='SeenValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind_key', models.SlugField(max_length=64, verbose_name='rule kind')),
                ('param', models.CharField(max_length=255, verbose_name='param name')),
                ('value', models.CharField(max_length=255, verbose_name='value')),
                ('times_used', models.PositiveIntegerField(default=0, verbose_name='times sent')),
                ('last_used', models.DateTimeField(auto_now=True, verbose_name='last sent')),
            ],
            options={
                'verbose_name': 'value sent before',
                'verbose_name_plural': 'values sent before',
                'ordering': ('kind_key', 'param', '-times_used'),
                'indexes': [models.Index(fields=['-times_used', '-last_used'], name='catalogue_seenvalue_most_used')],
                'constraints': [models.UniqueConstraint(fields=('kind_key', 'param', 'value'), name='catalogue_seenvalue_once')],
            },
        ),
        migrations.RunPython(count_sent, migrations.RunPython.noop),
    ]
