from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "segbuilder.segments"
    verbose_name = "Segments"
