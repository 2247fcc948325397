"""Start-up that never surprises: a bad setting stops the process with one
line naming the variable (the message of the settings' ImproperlyConfigured),
not with a traceback. manage.py and wsgi.py call it before Django starts."""

from __future__ import annotations

import importlib
import os
import sys

from django.core.exceptions import ImproperlyConfigured


def settings_or_exit() -> None:
    """Import the settings module, or exit 2 saying which setting is wrong."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segbuilder.settings")
    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ImproperlyConfigured as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        sys.exit(2)
