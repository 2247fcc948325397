from django.urls import path

from segbuilder.segments.views import builder, diff, history, imports, pickers

urlpatterns = [
    path("", builder.builder, name="builder"),
    path("import/", imports.builder_import, name="builder_import"),
    path("pickers/", pickers.pickers, name="pickers"),
    path("history/", history.history, name="history"),
    path("history/diff/", diff.submission_diff, name="submission_diff"),
    path("history/<int:pk>/", history.submission_detail, name="submission_detail"),
    path("history/<int:pk>/clone/", imports.submission_clone, name="submission_clone"),
    path("history/<int:pk>/check/", history.submission_check_view, name="submission_check"),
]
