"""WSGI entry point for gunicorn: `gunicorn segbuilder.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segbuilder.settings")
application = get_wsgi_application()
