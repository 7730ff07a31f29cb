"""The experiments' admin, where Paris&Co staff follow experiments from plan to outcome.

Statuses are read-only here: every change goes through
``experiment_set_status`` (the "Change the status…" action). Milestones,
indicators, measurements, the evaluation and outcomes are saved through the
same services as the experimenter's pages, whose rules the admin forms check
in ``clean``; their earlier versions are in each object's "History".
Programme events have their own module, ``admin_events``.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .enums import EVALUATION_CRITERIA
from .enums import ExperimentStatus as S
from .forms import (
    EvaluationAdminForm,
    ExperimentStatusForm,
    IndicatorAdminForm,
    MeasurementAdminForm,
    MilestoneAdminForm,
    OutcomeUpdateAdminForm,
    ReportCommentAdminForm,
    SiteAdminForm,
)
from .models import (
    Evaluation,
    Experiment,
    ExperimentSite,
    ExperimentStatusChange,
    Indicator,
    Measurement,
    Milestone,
    OutcomeUpdate,
    ProgressReport,
    ReportComment,
    ReportPhoto,
)
from .permissions import reports_visible_to
from .selectors import experiments_with_counts, indicators_with_latest, late_milestone_q
from .services.lifecycle import (
    INDICATOR_FIELDS,
    experiment_register,
    experiment_set_status,
    indicator_create,
    indicator_update,
    measurement_add,
    measurement_update,
    milestone_save,
)
from .services.reports import (
    EVALUATION_FIELDS,
    evaluation_save,
    outcome_update_add,
    report_comment_add,
)

# --- Inlines --------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusHistoryInline(ReadOnlyInline):
    model = ExperimentStatusChange
    fields = ["at", "from_status", "to_status", "by", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class SiteInline(admin.TabularInline):
    model = ExperimentSite
    form = SiteAdminForm
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneAdminForm
    extra = 0
    fields = ["order", "name", "due_date", "done_date", "late", "owner", "evidence"]
    readonly_fields = ["late"]

    @admin.display(description=_("late"), boolean=True)
    def late(self, obj):
        return obj.is_late() if obj.pk else None


class IndicatorInline(admin.TabularInline):
    model = Indicator
    form = IndicatorAdminForm
    extra = 0
    fields = ["order", "name", "unit", "baseline", "target", "direction"]


# --- Experiments ------------------------------------------------------------------


class LateFilter(admin.SimpleListFilter):
    title = _("late milestones")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("With late milestones")), ("no", _("None late"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(late_milestone_count__gt=0)
        if self.value() == "no":
            return queryset.filter(late_milestone_count=0)
        return queryset


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = [
        "solution_name",
        "organisation_name",
        "status",
        "municipality_display",
        "edition_display",
        "late_milestones_display",
        "start_date",
        "end_date",
    ]
    list_filter = ["status", "district__edition", LateFilter, "district__municipality"]
    list_select_related = ["district__municipality", "district__edition"]
    search_fields = ["solution_name", "organisation_name", "contact_email"]
    search_help_text = _("Solution, organisation or contact email.")
    ordering = ["district__edition__number", "district__municipality__name", "solution_name"]
    raw_id_fields = ["application", "experimenter", "project_manager"]
    autocomplete_fields = ["themes"]
    readonly_fields = ["uuid", "status", "created_at", "late_milestones_display"]
    actions = ["change_status"]
    # The experiment's page on the site is the experimenter's own: staff read it here.
    view_on_site = False
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("status", "late_milestones_display"),
                    "district",
                    ("organisation_name", "country"),
                    "solution_name",
                    "summary_fr",
                    "summary_en",
                    "themes",
                ]
            },
        ),
        (
            _("People"),
            {"fields": ["experimenter", "contact_email", "language", "project_manager"]},
        ),
        (
            _("Dates"),
            {"fields": [("start_date", "end_date"), "report_interval_months"]},
        ),
        (
            _("Publication"),
            {"fields": [("consents_publication", "consent_recorded_at")]},
        ),
        (
            _("Origin"),
            {"classes": ["collapse"], "fields": ["application", "uuid", "created_at"]},
        ),
    ]
    inlines = [StatusHistoryInline, SiteInline, MilestoneInline, IndicatorInline]

    def get_queryset(self, request):
        return experiments_with_counts(super().get_queryset(request), timezone.localdate())

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # An experiment's history is kept; abandon it instead.
        return request.user.is_superuser

    @admin.display(description=_("municipality"), ordering="district__municipality__name")
    def municipality_display(self, obj):
        return obj.district.municipality.name

    @admin.display(description=_("edition"), ordering="district__edition__number")
    def edition_display(self, obj):
        return obj.district.edition

    @admin.display(description=_("late milestones"), ordering="late_milestone_count")
    def late_milestones_display(self, obj):
        count = getattr(obj, "late_milestone_count", None)
        if count is None:
            return "—"
        if count:
            return format_html('<strong class="late">{}</strong>', count)
        return count

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            experiment_register(experiment=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is Milestone:
            for milestone in formset.save(commit=False):
                milestone_save(milestone=milestone, by=request.user)
            for milestone in formset.deleted_objects:
                milestone.delete()
            return
        if formset.model is Indicator:
            for indicator_form in formset.forms:
                if indicator_form in formset.deleted_forms:
                    continue
                if not indicator_form.has_changed():
                    continue
                data = {name: indicator_form.cleaned_data.get(name) for name in INDICATOR_FIELDS}
                indicator = indicator_form.instance
                if indicator.pk:
                    indicator_update(indicator=indicator, by=request.user, **data)
                else:
                    indicator_create(experiment=form.instance, by=request.user, **data)
            formset.save(commit=False)
            for indicator in formset.deleted_objects:
                indicator.delete()
            return
        super().save_formset(request, form, formset, change)

    @admin.action(description=_("Change the status…"))
    def change_status(self, request, queryset):
        experiments = list(queryset.select_related("district__municipality"))
        form = ExperimentStatusForm(
            request.POST if "apply" in request.POST else None, experiments=experiments
        )
        if form.is_bound and form.is_valid():
            status = form.cleaned_data["status"]
            done = 0
            for experiment in experiments:
                try:
                    experiment_set_status(
                        experiment=experiment,
                        status=status,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except (ValidationError, PermissionDenied) as error:
                    message = " ".join(getattr(error, "messages", None) or [str(error)])
                    self.message_user(
                        request,
                        _("%(experiment)s was not changed: %(message)s")
                        % {"experiment": experiment, "message": message},
                        messages.ERROR,
                    )
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d experiment is now “%(status)s”.",
                        "%(count)d experiments are now “%(status)s”.",
                        done,
                    )
                    % {"count": done, "status": S(status).label},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change the status of the experiments"),
            "intro": _(
                "Only the changes the programme allows are applied; the others are reported. "
                "Each change is kept in the experiment's history."
            ),
            "form": form,
            "experiments": experiments,
            "applications": experiments,
            "action": "change_status",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/experiments/experiment/status_form.html", context)


# --- Milestones, indicators, measurements (with their history) -------------------


class MilestoneLateFilter(admin.SimpleListFilter):
    title = _("late")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("Late")), ("no", _("Not late"))]

    def queryset(self, request, queryset):
        late = late_milestone_q(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


class MilestoneStandaloneForm(MilestoneAdminForm):
    class Meta(MilestoneAdminForm.Meta):
        fields = ["experiment", *MilestoneAdminForm.Meta.fields]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    form = MilestoneStandaloneForm
    list_display = ["name", "experiment", "due_date", "done_date", "late", "owner"]
    list_filter = [MilestoneLateFilter, "owner", "experiment__district__edition"]
    list_select_related = ["experiment"]
    search_fields = ["name", "experiment__solution_name", "experiment__organisation_name"]
    raw_id_fields = ["experiment"]
    ordering = ["due_date", "order"]

    @admin.display(description=_("late"), boolean=True)
    def late(self, obj):
        return obj.is_late()

    def save_model(self, request, obj, form, change):
        milestone_save(milestone=obj, by=request.user)


class IndicatorStandaloneForm(IndicatorAdminForm):
    class Meta(IndicatorAdminForm.Meta):
        fields = ["experiment", *IndicatorAdminForm.Meta.fields]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    form = IndicatorStandaloneForm
    list_display = ["name", "experiment", "unit", "baseline", "target", "direction", "latest"]
    list_filter = ["direction", "experiment__district__edition"]
    list_select_related = ["experiment"]
    search_fields = ["name", "experiment__solution_name"]
    raw_id_fields = ["experiment"]

    def get_queryset(self, request):
        return indicators_with_latest(super().get_queryset(request))

    @admin.display(description=_("latest value"))
    def latest(self, obj):
        value = getattr(obj, "latest_value", None)
        return "—" if value is None else f"{value.normalize():f} ({obj.latest_measured_on})"

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in INDICATOR_FIELDS}
        if change:
            indicator_update(indicator=obj, by=request.user, **data)
        else:
            created = indicator_create(
                experiment=form.cleaned_data["experiment"], by=request.user, **data
            )
            obj.pk = created.pk


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    form = MeasurementAdminForm
    list_display = ["indicator", "experiment_display", "measured_on", "value", "source", "report"]
    list_filter = ["indicator__experiment__district__edition"]
    list_select_related = ["indicator__experiment", "report"]
    search_fields = ["indicator__name", "indicator__experiment__solution_name", "source"]
    raw_id_fields = ["indicator", "report"]
    date_hierarchy = "measured_on"

    @admin.display(description=_("experiment"))
    def experiment_display(self, obj):
        return obj.indicator.experiment

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            measurement_update(
                measurement=obj,
                by=request.user,
                measured_on=data["measured_on"],
                value=data["value"],
                source=data.get("source") or "",
            )
        else:
            created = measurement_add(
                indicator=data["indicator"],
                by=request.user,
                measured_on=data["measured_on"],
                value=data["value"],
                source=data.get("source") or "",
                report=data.get("report"),
            )
            obj.pk = created.pk


# --- Progress reports: read and comment -----------------------------------------


class PhotoInline(ReadOnlyInline):
    model = ReportPhoto
    fields = ["preview", "caption", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, obj):
        url = reverse("experiments:photo_file", kwargs={"uuid": obj.report.uuid, "pk": obj.pk})
        return format_html('<a href="{}"><img src="{}" alt="" width="120"></a>', url, url)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("report")


class CommentInline(admin.TabularInline):
    """Existing comments are read-only; a new one goes through ``report_comment_add``."""

    model = ReportComment
    form = ReportCommentAdminForm
    extra = 1
    can_delete = False
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = [
        "experiment",
        "period_start",
        "period_end",
        "status",
        "submitted_at",
        "comments",
    ]
    list_filter = ["status", "experiment__district__edition", "experiment__district__municipality"]
    list_select_related = ["experiment"]
    search_fields = ["experiment__solution_name", "experiment__organisation_name"]
    date_hierarchy = "submitted_at"
    fields = [
        "experiment",
        ("period_start", "period_end"),
        ("status", "submitted_at", "author"),
        "work_done",
        "difficulties",
        "next_steps",
        "measurement_list",
    ]
    readonly_fields = [
        "experiment",
        "period_start",
        "period_end",
        "status",
        "submitted_at",
        "author",
        "work_done",
        "difficulties",
        "next_steps",
        "measurement_list",
    ]
    inlines = [PhotoInline, CommentInline]

    def get_queryset(self, request):
        # What the programme's permissions let this user read: submitted reports.
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=reports_visible_to(request.user).values("pk"))
            .annotate(comment_count=Count("comments"))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("comments"), ordering="comment_count")
    def comments(self, obj):
        return obj.comment_count

    @admin.display(description=_("measurements"))
    def measurement_list(self, obj):
        rows = list(obj.measurements.select_related("indicator").order_by("indicator__order"))
        if not rows:
            return "—"
        items = format_html_join(
            "",
            "<li>{}: {} {} ({})</li>",
            (
                (m.indicator.name, f"{m.value.normalize():f}", m.indicator.unit, m.measured_on)
                for m in rows
            ),
        )
        return format_html("<ul>{}</ul>", items)

    def save_model(self, request, obj, form, change):
        # Every field of the report is read-only: only the comments change.
        pass

    def save_formset(self, request, form, formset, change):
        if formset.model is not ReportComment:
            return super().save_formset(request, form, formset, change)
        for comment in formset.save(commit=False):
            try:
                created = report_comment_add(
                    report=form.instance, author=request.user, body=comment.body
                )
            except (ValidationError, PermissionDenied) as error:
                message = " ".join(getattr(error, "messages", None) or [str(error)])
                messages.error(request, message)
                continue
            # The admin's change message reads the formset's objects.
            comment.pk, comment.author, comment.created_at = (
                created.pk,
                created.author,
                created.created_at,
            )
        return None


# --- Final evaluation and outcomes ---------------------------------------------


@admin.register(Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    form = EvaluationAdminForm
    list_display = ["experiment", "outcome", "buyer", "average", "evaluated_on", "evaluated_by"]
    list_filter = ["outcome", "experiment__district__edition"]
    list_select_related = ["experiment", "evaluated_by"]
    search_fields = ["experiment__solution_name", "experiment__organisation_name", "buyer"]
    raw_id_fields = ["experiment"]
    readonly_fields = ["evaluated_by"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "experiment"] if obj else fields

    @admin.display(description=_("average score"))
    def average(self, obj):
        scores = [getattr(obj, code) for code, _label in EVALUATION_CRITERIA]
        scores = [score for score in scores if score is not None]
        return f"{sum(scores) / len(scores):.1f}" if scores else "—"

    def save_model(self, request, obj, form, change):
        experiment = obj.experiment if change else form.cleaned_data["experiment"]
        values = {name: form.cleaned_data.get(name) for name in EVALUATION_FIELDS}
        values["buyer"] = values.get("buyer") or ""
        values["conclusion"] = values.get("conclusion") or ""
        saved = evaluation_save(experiment=experiment, by=request.user, **values)
        obj.pk = saved.pk


@admin.register(OutcomeUpdate)
class OutcomeUpdateAdmin(admin.ModelAdmin):
    """After the programme: outcomes are added, never rewritten."""

    form = OutcomeUpdateAdminForm
    list_display = ["experiment", "recorded_on", "outcome", "buyer", "recorded_by"]
    list_filter = ["outcome", "experiment__district__edition"]
    list_select_related = ["experiment", "recorded_by"]
    search_fields = ["experiment__solution_name", "buyer", "note"]
    raw_id_fields = ["experiment"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = outcome_update_add(
            experiment=data["experiment"],
            by=request.user,
            outcome=data["outcome"],
            buyer=data.get("buyer") or "",
            note=data.get("note") or "",
            recorded_on=data.get("recorded_on"),
        )
        obj.pk = created.pk


from . import admin_events  # noqa: E402, F401 - registers ProgrammeEvent and EventRegistration
