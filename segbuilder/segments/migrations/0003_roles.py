"""The two roles: editors may send segments to Altcraft; viewers may build,
preview and read the history, but not send."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Segment editors"
VIEWERS = "Segment viewers"


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="segments", codename="view_submission")
    send = Permission.objects.get(content_type__app_label="segments", codename="send_segment")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(view, send)
    viewers, _ = Group.objects.get_or_create(name=VIEWERS)
    viewers.permissions.add(view)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, VIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0002_key_and_send_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
