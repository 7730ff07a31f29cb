"""The Django admin, where Paris&Co staff run the programme."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from .forms import InnovationDistrictForm, UrbanChallengeForm
from .models import (
    Edition,
    InnovationDistrict,
    Municipality,
    MunicipalityMembership,
    Partner,
    UrbanChallenge,
)
from .permissions import MUNICIPALITY_STAFF, PROGRAMME_STAFF, REVIEWERS


@admin.register(Edition)
class EditionAdmin(TranslationAdmin):
    list_display = ["number", "name", "years", "status", "district_count", "challenge_count"]
    list_filter = ["status"]
    search_fields = ["name_fr", "name_en"]
    ordering = ["number"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                district_count=Count("districts", distinct=True),
                challenge_count=Count("challenges", distinct=True),
            )
            .order_by("number")
        )

    @admin.display(description=_("years"))
    def years(self, obj):
        return obj.years

    @admin.display(description=_("districts"), ordering="district_count")
    def district_count(self, obj):
        return obj.district_count

    @admin.display(description=_("themes"), ordering="challenge_count")
    def challenge_count(self, obj):
        return obj.challenge_count


@admin.register(UrbanChallenge)
class UrbanChallengeAdmin(TranslationAdmin):
    form = UrbanChallengeForm
    list_display = ["name", "edition", "order", "code"]
    list_filter = ["edition"]
    list_select_related = ["edition"]
    search_fields = ["name_fr", "name_en", "code"]
    autocomplete_fields = ["edition"]
    prepopulated_fields = {"code": ["name_fr"]}


class InnovationDistrictInline(TranslationStackedInline):
    model = InnovationDistrict
    form = InnovationDistrictForm
    extra = 0
    autocomplete_fields = ["edition", "themes"]
    show_change_link = True


class MunicipalityMembershipInline(admin.TabularInline):
    model = MunicipalityMembership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "department", "ept", "mayor", "district_count"]
    list_filter = ["department", "ept", "districts__edition"]
    search_fields = ["name", "insee_code", "mayor", "contact_name", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [InnovationDistrictInline, MunicipalityMembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "insee_code", "department", "ept", "mayor"]}),
        (_("Contact"), {"fields": ["contact_name", "contact_email", "contact_phone", "website"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(district_count=Count("districts", distinct=True))
            # Meta.ordering is dropped by GROUP BY queries: keep pages stable.
            .order_by("name")
        )

    @admin.display(description=_("districts"), ordering="district_count")
    def district_count(self, obj):
        return obj.district_count


@admin.register(InnovationDistrict)
class InnovationDistrictAdmin(TranslationAdmin):
    form = InnovationDistrictForm
    list_display = ["name", "municipality", "edition", "surface_hectares", "theme_list"]
    list_filter = ["edition", "municipality__department", "themes"]
    list_select_related = ["municipality", "edition"]
    search_fields = ["name_fr", "name_en", "municipality__name", "priority_challenge_fr"]
    autocomplete_fields = ["municipality", "edition", "themes"]
    fieldsets = [
        (None, {"fields": ["municipality", "edition", "name", "priority_challenge", "themes"]}),
        (_("Description"), {"fields": ["description"]}),
        (_("Location"), {"fields": ["latitude", "longitude", "outline", "surface_hectares"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("municipality", "edition")
            .prefetch_related("themes")
        )

    @admin.display(description=_("themes"))
    def theme_list(self, obj):
        return ", ".join(theme.name for theme in obj.themes.all())


@admin.register(Partner)
class PartnerAdmin(TranslationAdmin):
    list_display = ["name", "kind", "website", "order"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(MunicipalityMembership)
class MunicipalityMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role", "created_at"]
    list_filter = ["role", "municipality"]
    list_select_related = ["user", "municipality"]
    search_fields = ["user__email", "user__username", "municipality__name"]
    autocomplete_fields = ["user", "municipality"]


class MembershipOfUserInline(admin.TabularInline):
    model = MunicipalityMembership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["municipality"]
    readonly_fields = ["created_at"]


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Staff manage colleagues' accounts, but only superusers hand out power.

    Without this, the ``change_user`` permission of the Paris&Co staff role
    would let a staff member make themselves superuser.
    """

    inlines = [MembershipOfUserInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions", "last_login", "date_joined"]
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(
                name__in=[PROGRAMME_STAFF, REVIEWERS, MUNICIPALITY_STAFF]
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
