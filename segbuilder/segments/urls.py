from django.urls import path

from segbuilder.segments import views

urlpatterns = [
    path("", views.builder, name="builder"),
    path("history/", views.history, name="history"),
    path("history/<int:pk>/", views.submission_detail, name="submission_detail"),
]
