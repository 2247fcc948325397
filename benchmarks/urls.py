"""The app's URLs plus a bare view, reachable in bench mode only: the
throughput baseline, served by the same processes and middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from segbuilder.urls import urlpatterns as app_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: no template, no query of its own."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *app_urlpatterns]
