from django.urls import path

from segbuilder.segments.views import builder, history

urlpatterns = [
    path("", builder.builder, name="builder"),
    path("history/", history.history, name="history"),
    path("history/<int:pk>/", history.submission_detail, name="submission_detail"),
]
