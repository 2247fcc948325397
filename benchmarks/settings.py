"""Settings of the benchmark runs: the production settings, plus the bare view
that only bench mode serves (benchmarks/urls.py) and test-speed password
hashing for the many accounts the runs create.

The database, Altcraft address and static root come from the environment
that benchmarks/run.py sets for each server it starts."""

import os

os.environ.setdefault("SECRET_KEY", "benchmarks-only-secret-key-never-used-for-real-data")

from segbuilder.settings import *  # noqa: E402,F403

ROOT_URLCONF = "benchmarks.urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
# Requests are timed one at a time or under load: request logs would only add
# noise, and so would the "Bad Request" warning of each tampered post.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"},  # noqa: F405
           "loggers": {**LOGGING["loggers"], "django.request": {"level": "ERROR"}}}  # noqa: F405
