from django.urls import path

from segbuilder.segments import altcraft_views
from segbuilder.segments.build import views as build
from segbuilder.segments.history import views as history

urlpatterns = [
    # The builder: compose, preview, send; import (action=import); ?from=<pk> to start
    # from a past submission.
    path("", build.builder, name="builder"),
    path("pickers/", build.pickers, name="pickers"),
    path("history/", history.history, name="history"),
    path("history/csv/", history.history_csv, name="history_csv"),
    path("altcraft/", altcraft_views.altcraft_segments_view, name="altcraft_segments"),
    path("history/diff/", history.submission_diff, name="submission_diff"),
    path("history/<int:pk>/", history.submission_detail, name="submission_detail"),
    path("history/<int:pk>/check/", history.submission_check_view, name="submission_check"),
]
