from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from segbuilder.catalogue import models, seen


class KindParamInline(admin.TabularInline):
    model = models.KindParam
    extra = 0
    fields = ("position", "name", "type", "label_en", "label_ru", "choices")


@admin.register(models.RuleKind)
class RuleKindAdmin(admin.ModelAdmin):
    list_display = ("label_en", "label_ru", "compo", "name", "type", "operator", "position")
    list_editable = ("position",)
    search_fields = ("key", "label_en", "label_ru", "compo", "name", "type", "operator")
    inlines = (KindParamInline,)


@admin.register(models.SeenShape)
class SeenShapeAdmin(admin.ModelAdmin):
    list_display = ("compo", "name", "type", "operator", "times_seen", "first_seen",
                    "last_seen")
    readonly_fields = ("compo", "name", "type", "operator", "example", "times_seen",
                       "first_seen", "last_seen")
    actions = ("name_as_kind",)

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Turn into a rule kind to be named"),
                  permissions=("change",))
    def name_as_kind(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Pick one shape to name at a time."),
                              messages.WARNING)
            return None
        kind = seen.name_kind(queryset.get())
        self.message_user(request, gettext(
            "A rule kind was made from the example: give it its names in both languages."))
        return HttpResponseRedirect(reverse("admin:catalogue_rulekind_change", args=[kind.pk]))


@admin.register(models.SeenValue)
class SeenValueAdmin(admin.ModelAdmin):
    """The values the builder offers from what was sent: a wrong one (a typo
    Altcraft took) is deleted here, and is offered no more."""

    list_display = ("value", "kind_key", "param", "times_used", "last_used")
    list_filter = ("kind_key", "param")
    search_fields = ("value",)
    readonly_fields = ("kind_key", "param", "value", "times_used", "last_used")

    def has_add_permission(self, request) -> bool:
        return False
