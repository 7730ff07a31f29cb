"""The calls' admin, where Paris&Co staff run calls, applications and decisions.

Statuses are read-only here: every change goes through the workflow
(``calls.services.workflow.application_set_status``), by the actions below,
which call the same services as the views.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from municipalities.models import InnovationDistrict

from . import selectors
from .enums import ApplicationStatus as S
from .enums import CallState
from .forms.staff import (
    AssignReviewersForm,
    DeadlineExtensionForm,
    ReasonForm,
    ScreenForm,
    SelectForm,
)
from .models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    Call,
    DeadlineExtension,
    ErasureRequest,
    KeyDate,
    MunicipalityOpinion,
    PreRegistration,
    ReferenceCounter,
    RetentionRun,
    ReviewAssignment,
    SelectionCriterion,
    SignInLink,
    TeamMember,
)
from .services.calls import call_ensure_default_criteria
from .services.decisions import applications_decide
from .services.privacy import ErasureRefused, applicant_erase
from .services.reviews import assignments_create_balanced


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


class KeyDateInline(TranslationTabularInline):
    model = KeyDate
    extra = 0


class SelectionCriterionInline(TranslationTabularInline):
    model = SelectionCriterion
    extra = 0
    fields = ["order", "code", "name", "description", "weight"]


@admin.register(Call)
class CallAdmin(TranslationAdmin):
    list_display = [
        "title",
        "edition",
        "kind",
        "phase",
        "opens_at",
        "closes_at",
        "state",
        "staff_pages",
    ]
    list_filter = [CallStateFilter, "kind", "edition"]
    list_select_related = ["edition"]
    search_fields = ["title_fr", "title_en", "slug"]
    autocomplete_fields = ["edition", "districts"]
    prepopulated_fields = {"slug": ["title_fr"]}
    date_hierarchy = "opens_at"
    inlines = [KeyDateInline, SelectionCriterionInline]
    readonly_fields = ["staff_pages"]

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.state.label

    @admin.display(description=_("applications"))
    def staff_pages(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        links = [
            (
                reverse("admin:calls_application_changelist") + f"?call__id__exact={obj.pk}",
                _("Applications"),
            ),
            (reverse("calls:call_ranking", kwargs={"slug": obj.slug}), _("Ranking")),
            (reverse("calls:call_statistics", kwargs={"slug": obj.slug}), _("Statistics")),
            (reverse("calls:call_export_csv", kwargs={"slug": obj.slug}), _("Export CSV")),
            (reverse("calls:call_export_xlsx", kwargs={"slug": obj.slug}), _("Export XLSX")),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "districts":
            kwargs["queryset"] = InnovationDistrict.objects.select_related(
                "municipality", "edition"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        call_ensure_default_criteria(call=form.instance)


# Applications ---------------------------------------------------------------


class DuplicateFilter(admin.SimpleListFilter):
    title = _("possible duplicate")
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(selectors.duplicates_q())
        if self.value() == "no":
            return queryset.exclude(selectors.duplicates_q())
        return queryset


class CountryFilter(admin.SimpleListFilter):
    """France, the rest of the world, or one of the countries applicants come from."""

    title = _("country")
    parameter_name = "country"
    INTERNATIONAL = "international"

    def lookups(self, request, model_admin):
        from django_countries import countries

        codes = (
            Application.objects.exclude(country="")
            .order_by()
            .values_list("country", flat=True)
            .distinct()
        )
        named = sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])
        return [(self.INTERNATIONAL, _("Outside France")), *named]

    def queryset(self, request, queryset):
        if self.value() == self.INTERNATIONAL:
            return queryset.exclude(country="").exclude(country="FR")
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusHistoryInline(ReadOnlyInline):
    model = ApplicationStatusChange
    fields = ["at", "from_status", "to_status", "by", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history of the status")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind", "download", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application")

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)


class DeadlineExtensionInline(admin.TabularInline):
    model = DeadlineExtension
    form = DeadlineExtensionForm
    extra = 0
    fields = ["until", "reason", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]
    verbose_name_plural = _("deadline extensions (the applicant may submit until then)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("granted_by")


class AssignmentInline(ReadOnlyInline):
    model = ReviewAssignment
    fields = [
        "reviewer",
        "assigned_at",
        "completed_at",
        "review_score",
        "score_details",
        "comment",
        "conflict_declared_at",
        "conflict_reason",
    ]
    readonly_fields = fields
    verbose_name_plural = _("reviews (staff only)")

    def get_queryset(self, request):
        return (
            selectors.assignments_with_scores(super().get_queryset(request))
            .select_related("reviewer")
            .prefetch_related("scores__criterion")
        )

    @admin.display(description=_("weighted score"))
    def review_score(self, obj):
        return _score(getattr(obj, "score", None))

    @admin.display(description=_("scores"))
    def score_details(self, obj):
        return format_html_join(
            "",
            "<div>{}{} <strong>{}</strong>{}</div>",
            (
                (
                    score.criterion.name,
                    pgettext("before a value", ":"),
                    score.value,
                    f" – {score.comment}" if score.comment else "",
                )
                for score in obj.scores.all()
            ),
        )


class OpinionInline(ReadOnlyInline):
    model = MunicipalityOpinion
    fields = ["district", "opinion", "comment", "author", "updated_at"]
    readonly_fields = fields
    verbose_name_plural = _("opinions of the towns (co-selection)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("district__municipality", "author")


def _score(value):
    return "—" if value is None else f"{value:.2f}"


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "reference_or_draft",
        "title_display",
        "call",
        "status",
        "legal_form",
        "country_display",
        "weighted_score_display",
        "review_count_display",
        "duplicate_display",
        "submitted_at",
    ]
    list_display_links = ["reference_or_draft", "title_display"]
    list_filter = ["call", "status", "legal_form", CountryFilter, DuplicateFilter]
    list_select_related = ["call"]
    list_per_page = 50
    # Newest first along the primary key's index: no sort of the whole table.
    ordering = ["-pk"]
    show_full_result_count = False
    search_fields = ["reference", "organisation_name", "solution_name", "town_name"]
    search_help_text = _("Reference, organisation, solution or town.")
    raw_id_fields = ["applicant"]
    autocomplete_fields = ["themes", "target_districts"]
    actions = [
        "screen",
        "start_review",
        "assign_reviewers",
        "shortlist",
        "select",
        "put_on_waiting_list",
        "reject",
    ]
    readonly_fields = [
        "uuid",
        "call",
        "status",
        "reference",
        "submitted_at",
        "created_at",
        "updated_at",
        "weighted_score_display",
        "review_count_display",
        "duplicate_display",
        "selected_district",
        "created_municipality",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("reference", "status"),
                    ("call", "uuid"),
                    "applicant",
                    "language",
                    ("submitted_at", "created_at", "updated_at"),
                    ("weighted_score_display", "review_count_display", "duplicate_display"),
                    ("selected_district", "created_municipality"),
                ]
            },
        ),
        (
            _("Organisation"),
            {"fields": ["organisation_name", "legal_form", "country", "siret", "website"]},
        ),
        (
            _("Contact"),
            {
                "fields": [
                    ("contact_first_name", "contact_last_name"),
                    ("contact_email", "contact_phone"),
                    "contact_role",
                ]
            },
        ),
        (
            _("Solution"),
            {
                "classes": ["collapse"],
                "fields": [
                    "solution_name",
                    "solution_summary",
                    "solution_description",
                    "maturity",
                    "themes",
                    "target_districts",
                    "expected_impacts",
                    "site_needs",
                ],
            },
        ),
        (
            _("Municipality (call for interest)"),
            {
                "classes": ["collapse"],
                "fields": [
                    ("town_name", "town_insee_code"),
                    ("town_department", "town_ept"),
                    "town_mayor",
                    "priority_challenge",
                    "district_name",
                    "district_description",
                    ("district_latitude", "district_longitude"),
                    "motivation",
                    "commitments",
                ],
            },
        ),
        (
            _("Declarations"),
            {"fields": ["declares_accuracy", "accepts_privacy", "consents_publication"]},
        ),
    ]
    inlines = [
        StatusHistoryInline,
        AssignmentInline,
        OpinionInline,
        DeadlineExtensionInline,
        TeamMemberInline,
        AttachmentInline,
    ]

    def get_queryset(self, request):
        return selectors.applications_with_scores(super().get_queryset(request))

    def has_add_permission(self, request):
        # Applications come from applicants, through the portal.
        return False

    def has_delete_permission(self, request, obj=None):
        # An application's history is kept; only a superuser may erase one (privacy requests).
        return request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # Columns.

    @admin.display(description=_("reference"), ordering="reference")
    def reference_or_draft(self, obj):
        return obj.reference or _("(draft)")

    @admin.display(description=_("solution or town"))
    def title_display(self, obj):
        return obj.title or obj.organisation_name or "—"

    @admin.display(description=_("country"), ordering="country")
    def country_display(self, obj):
        # The field's own display walks 250 countries per row.
        return obj.country.name if obj.country else "—"

    # Not sortable: sorting 100,000 applications by a computed score belongs to the
    # ranking page, which does it per district.
    @admin.display(description=_("weighted score"))
    def weighted_score_display(self, obj):
        return _score(getattr(obj, "weighted_score", None))

    @admin.display(description=_("reviews"))
    def review_count_display(self, obj):
        reviews = getattr(obj, "review_count", 0)
        conflicts = getattr(obj, "conflict_count", 0)
        if conflicts:
            return ngettext(
                "%(reviews)d (%(conflicts)d conflict)",
                "%(reviews)d (%(conflicts)d conflicts)",
                conflicts,
            ) % {"reviews": reviews, "conflicts": conflicts}
        return reviews

    @admin.display(description=_("possible duplicate"), boolean=True)
    def duplicate_display(self, obj):
        return bool(getattr(obj, "possible_duplicate", False))

    # Saving.

    def save_formset(self, request, form, formset, change):
        if formset.model is DeadlineExtension:
            for extension in formset.save(commit=False):
                if extension.granted_by_id is None:
                    extension.granted_by = request.user
                extension.save()
            for extension in formset.deleted_objects:
                extension.delete()
            return
        super().save_formset(request, form, formset, change)

    # Actions: each calls a service; refusals are reported per application.

    @admin.action(description=_("Screen the selected applications (eligible or not)…"))
    def screen(self, request, queryset):
        form = ScreenForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            return self._decide(
                request,
                queryset,
                form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        return self._intermediate(
            request,
            queryset,
            form,
            action="screen",
            title=_("Screen the applications"),
        )

    @admin.action(description=_("Start the review"))
    def start_review(self, request, queryset):
        return self._decide(request, queryset, S.UNDER_REVIEW)

    @admin.action(description=_("Shortlist"))
    def shortlist(self, request, queryset):
        return self._decide(request, queryset, S.SHORTLISTED)

    @admin.action(description=_("Put on the waiting list"))
    def put_on_waiting_list(self, request, queryset):
        return self._decide(request, queryset, S.WAITING_LIST)

    @admin.action(description=_("Reject…"))
    def reject(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            return self._decide(request, queryset, S.REJECTED, reason=form.cleaned_data["reason"])
        return self._intermediate(
            request,
            queryset,
            form,
            action="reject",
            title=_("Reject the applications"),
            intro=_(
                "The rejection emails are drafted in the outbox; they are sent only when "
                "you send them from there."
            ),
        )

    @admin.action(description=_("Select…"))
    def select(self, request, queryset):
        applications = list(
            queryset.select_related("call", "selected_district").prefetch_related(
                Prefetch(
                    "target_districts",
                    queryset=InnovationDistrict.objects.select_related("municipality"),
                )
            )
        )
        form = SelectForm(
            request.POST if "apply" in request.POST else None, applications=applications
        )
        if form.is_bound and form.is_valid():
            return self._decide(request, applications, S.SELECTED, districts=form.districts())
        return self._intermediate(
            request,
            applications,
            form,
            action="select",
            title=_("Select the applications"),
            template="admin/calls/application/select.html",
        )

    @admin.action(description=_("Assign reviewers…"))
    def assign_reviewers(self, request, queryset):
        form = AssignReviewersForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                result = assignments_create_balanced(
                    applications=list(queryset),
                    reviewers=list(form.cleaned_data["reviewers"]),
                    per_application=form.cleaned_data["per_application"],
                    by=request.user,
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            self.message_user(
                request,
                ngettext(
                    "%(count)d review assigned.", "%(count)d reviews assigned.", len(result.created)
                )
                % {"count": len(result.created)},
                messages.SUCCESS,
            )
            self._report_errors(request, result.errors)
            return None
        return self._intermediate(
            request,
            queryset,
            form,
            action="assign_reviewers",
            title=_("Assign reviewers"),
            intro=_(
                "Each application gets the number of reviewers asked for, from the reviewers "
                "ticked, least-loaded first; nobody reviews the same application twice."
            ),
        )

    def _decide(self, request, applications, status, *, reason="", districts=None):
        result = applications_decide(
            applications=list(applications),
            status=status,
            by=request.user,
            reason=reason,
            districts=districts,
        )
        if result.done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d application is now “%(status)s”.",
                    "%(count)d applications are now “%(status)s”.",
                    len(result.done),
                )
                % {"count": len(result.done), "status": S(status).label},
                messages.SUCCESS,
            )
        if result.done and status in (S.SELECTED, S.WAITING_LIST, S.REJECTED):
            outbox = reverse("admin:notifications_outgoingmail_changelist") + "?status__exact=draft"
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("The decision emails are drafts: check and send them from the outbox."),
                    outbox,
                    _("Open the outbox"),
                ),
                messages.INFO,
            )
        self._report_errors(request, result.errors)
        return None

    def _report_errors(self, request, errors):
        for application, message in errors:
            self.message_user(
                request,
                _("%(application)s was not changed: %(message)s")
                % {"application": application, "message": message},
                messages.ERROR,
            )

    def _intermediate(self, request, applications, form, *, action, title, intro="", template=None):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "form": form,
            "applications": applications,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, template or "admin/calls/application/action_form.html", context
        )


# Other records ----------------------------------------------------------------


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(confirmed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(confirmed_at__isnull=True)
        return queryset


@admin.register(PreRegistration)
class PreRegistrationAdmin(admin.ModelAdmin):
    list_display = ["email", "call", "language", "confirmed", "created_at"]
    list_filter = ["call", ConfirmedFilter, "language"]
    list_select_related = ["call"]
    search_fields = ["email"]
    show_full_result_count = False
    readonly_fields = [
        "call",
        "email",
        "language",
        "consent_text",
        "consented_at",
        "confirmed_at",
        "created_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed_at")
    def confirmed(self, obj):
        return obj.confirmed_at is not None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SignInLink)
class SignInLinkAdmin(admin.ModelAdmin):
    """Read-only, and never the token: only its hash is stored, and it is not shown."""

    list_display = ["email", "created_at", "expires_at", "used_at", "requested_ip"]
    search_fields = ["email"]
    show_full_result_count = False
    fields = ["email", "next_url", "requested_ip", "created_at", "expires_at", "used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(admin.ModelAdmin):
    list_display = ["edition", "kind", "last_number"]
    list_select_related = ["edition"]
    readonly_fields = ["edition", "kind", "last_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ErasureStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", _("To carry out")), ("done", _("Carried out"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(executed_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(executed_at__isnull=False)
        return queryset


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Applicants' requests; the action carries them out (calls.services.privacy)."""

    list_display = ["__str__", "requested_by", "requested_at", "executed_at", "executed_by"]
    list_filter = [ErasureStateFilter]
    list_select_related = ["requested_by", "executed_by"]
    raw_id_fields = ["requested_by"]
    readonly_fields = ["executed_at", "executed_by", "summary"]
    actions = ["erase"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["requested_by", "requested_at", *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Erase the data of the selected people"), permissions=["change"])
    def erase(self, request, queryset):
        done = 0
        for erasure_request in queryset.filter(executed_at__isnull=True).order_by("pk"):
            try:
                applicant_erase(erasure_request=erasure_request, by=request.user)
            except ErasureRefused as error:
                self.message_user(
                    request, f"{erasure_request}: {error.message}", level=messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d erasure carried out.", "%(count)d erasures carried out.", done)
                % {"count": done},
                level=messages.SUCCESS,
            )


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    """The log of the nightly retention task: read only."""

    list_display = [
        "started_at",
        "finished_at",
        "triggered_by",
        "applications_anonymised",
        "drafts_deleted",
        "files_deleted",
        "preregistrations_deleted",
        "signin_links_deleted",
        "accounts_anonymised",
        "error",
    ]
    list_select_related = ["triggered_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
