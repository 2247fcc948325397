"""WSGI entry point for gunicorn: `gunicorn segbuilder.wsgi`."""

from django.core.wsgi import get_wsgi_application

from segbuilder.startup import settings_or_exit

settings_or_exit()
application = get_wsgi_application()
