"""Settings of the segment builder. Every deployment knob comes from the
environment through segbuilder.env; `.env.example` lists them all."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from segbuilder.directory import sign_in_backends, sign_in_settings
from segbuilder.env import (
    env_bool,
    env_choice,
    env_database,
    env_float,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true on a developer machine."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Altcraft: the base URL up to and including /api/v1.1/. The default is the
# sandbox that `make run` starts on SANDBOX_PORT, with the token the Altcraft
# docs print; a real Altcraft needs its token.
SANDBOX_PORT = env_int("SANDBOX_PORT", 8765, minimum=1, maximum=65535)
ALTCRAFT_API_URL = env_url("ALTCRAFT_API_URL", f"http://127.0.0.1:{SANDBOX_PORT}/api/v1.1/")
if env_str("ALTCRAFT_API_URL") and not env_str("ALTCRAFT_API_TOKEN"):
    raise ImproperlyConfigured(
        "ALTCRAFT_API_TOKEN is not set. With ALTCRAFT_API_URL set, give your Altcraft API "
        "token in ALTCRAFT_API_TOKEN (or unset ALTCRAFT_API_URL to use the sandbox).")
ALTCRAFT_API_TOKEN = env_str("ALTCRAFT_API_TOKEN", "abcdefghijklmnqrstuvwxyz")
ALTCRAFT_TIMEOUT = env_float("ALTCRAFT_TIMEOUT", 10.0)
ALTCRAFT_FORMAT = env_choice("ALTCRAFT_FORMAT", ("json", "xml"), "json")
# How long the builder's pickers keep Altcraft's lists of databases, segments
# and resources before asking again (the "Refresh lists" button asks at once).
ALTCRAFT_PICKER_CACHE_SECONDS = env_float("ALTCRAFT_PICKER_CACHE_SECONDS", 300.0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "segbuilder.segments",
    "segbuilder.catalogue",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "segbuilder.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the switcher's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # REMOTE_USER_HEADER from TRUSTED_PROXIES; not loaded when unset.
    "segbuilder.signin.TrustedHeaderMiddleware",
    # Every page needs a login, except the ones marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "segbuilder.urls"
WSGI_APPLICATION = "segbuilder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The builder's rows only (templates/segments/rows.jinja), asked for by
        # name through django.template.engines["jinja2"]: pages stay Django's.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "segbuilder.jinja2.environment"},
    },
]

DATABASES = {"default": env_database("DATABASE_URL", sqlite_path=str(BASE_DIR / "db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache in the database, so every gunicorn worker shares it (the pickers'
# lists). Its table comes from `manage.py createcachetable`, run beside
# `migrate`; test databases get it from Django's test setup.
# One cache layer, Django's: the shared default (the database's cache table, or
# Redis with REDIS_URL) for what every worker must see alike (Altcraft's lists
# for the pickers), and `local`, what each process may keep for a minute
# (who has sent something, which lists pass the count cap).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}.")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL else
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
         "LOCATION": "segbuilder_cache"}
    ),
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "segbuilder-local",
        "TIMEOUT": 60,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The company directory (LDAP_SERVER_URI) and the trusted header, when set.
    *sign_in_backends(),
    "django.contrib.auth.backends.ModelBackend",
]
# AUTH_LDAP_*, ACCESS_CONTACT, REMOTE_USER_HEADER...: see segbuilder/directory.py.
# The ones the app reads itself, declared here with their types (off):
ACCESS_CONTACT = ""
DIRECTORY_ENABLED = False
DIRECTORY_ROLES: dict[str, str] = {}
REMOTE_USER_HEADER = ""
TRUSTED_PROXIES: list[str] = []
globals().update(sign_in_settings())
# Lock a username from one address after 5 failed logins, for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "builder"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
# The compiled catalogue (django.mo) is committed: `make messages` rebuilds it.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The biggest builder post the row budgets let through (segments/row_budget.py:
# 10,000 rows, removed ones included, about ten fields each) posts about
# 100,000 fields; Django's default cap is 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 150_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# HTTPS hardening. Off by default because intranet installs often serve plain
# HTTP; turn on with SECURE_HTTPS=true behind TLS (see README).
SECURE_HTTPS = env_bool("SECURE_HTTPS", False)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"],
             "level": env_choice("LOG_LEVEL", ("debug", "info", "warning", "error", "critical"),
                                 "info").upper()},
    # django-axes logs every successful login's bookkeeping at INFO; lockouts
    # are warnings and still show.
    "loggers": {"axes": {"level": "WARNING"}},
}
