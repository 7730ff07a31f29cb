from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from municipalities.models import InnovationDistrict

from .enums import CallState
from .models import Call


class CallStateFilter(admin.SimpleListFilter):
    """Filter on the state computed from the clock."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return CallState.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == CallState.UPCOMING:
            return queryset.filter(opens_at__gt=now)
        if self.value() == CallState.OPEN:
            return queryset.filter(opens_at__lte=now, closes_at__gt=now)
        if self.value() == CallState.CLOSED:
            return queryset.filter(closes_at__lte=now)
        return queryset


@admin.register(Call)
class CallAdmin(TranslationAdmin):
    list_display = ["title", "edition", "kind", "phase", "opens_at", "closes_at", "state"]
    list_filter = [CallStateFilter, "kind", "edition"]
    list_select_related = ["edition"]
    search_fields = ["title_fr", "title_en", "slug"]
    autocomplete_fields = ["edition", "districts"]
    prepopulated_fields = {"slug": ["title_fr"]}
    date_hierarchy = "opens_at"

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.state.label

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "districts":
            kwargs["queryset"] = InnovationDistrict.objects.select_related(
                "municipality", "edition"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
