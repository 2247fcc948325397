from django.db import migrations

from segbuilder.catalogue.seed import seed


def forwards(apps, schema_editor):
    seed(apps.get_model("catalogue", "RuleKind"), apps.get_model("catalogue", "KindParam"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
