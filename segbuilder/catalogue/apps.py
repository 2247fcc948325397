from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "segbuilder.catalogue"
    verbose_name = _("Rule kinds")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Saving the catalogue forgets the loaded copy (loader.py).
        from segbuilder.catalogue import loader  # noqa: F401
