from __future__ import annotations

import gc

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Allocations between two collections of the youngest generation (Python's
# default: 700). A 1,000-rule builder makes about a million objects, alive
# until its page is written, and with the default the collector ran a dozen
# full passes over all of them per request: about 40% of a 1,000-rule
# preview (benchmarks/bench_builder.py, 1.7 s against 1.1 s). The older
# generations keep Python's defaults.
GC_YOUNGEST_THRESHOLD = 50_000


class SegmentsConfig(AppConfig):
    name = "segbuilder.segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        # The admin of the history lives with the history (Django's autodiscovery
        # looks for segments/admin.py only).
        from segbuilder.segments.history import admin  # noqa: F401

        # Once per process, at start-up (never switched per request).
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(GC_YOUNGEST_THRESHOLD, middle, oldest)
