"""The builder's pickers: Altcraft's lists of databases, segments and
resources as JSON, for static/js/pickers.js."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from segbuilder.segments.pickers import picker_lists


@require_safe
@never_cache
def pickers(request: HttpRequest) -> JsonResponse:
    """{"databases": [{"id", "name"}...], "segments": [...], "resources": [...],
    "errors": {list: message}}; `?refresh=1` asks Altcraft again. Always 200:
    a list that failed is empty and has its message in `errors`. Login is
    required (LoginRequiredMiddleware)."""
    lists = picker_lists(refresh=request.GET.get("refresh") == "1")
    return JsonResponse(lists.as_json())
