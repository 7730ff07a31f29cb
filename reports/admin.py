import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .enums import ReportStatus
from .models import Report
from .registry import report_kinds


class ReportRequestForm(forms.ModelForm):
    """Staff ask for a report: a kind, its parameters (JSON), a language."""

    kind = forms.ChoiceField(label=_("kind"))
    parameters = forms.JSONField(
        label=_("parameters"),
        initial=dict,
        help_text=_(
            'For example {"call": 12} or {"call": 12, "district": 3} for a call report, '
            '{"application": 345, "audience": "jury"} for a dossier.'
        ),
    )
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)

    class Meta:
        model = Report
        fields = ["kind", "parameters", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(code, kind.label) for code, kind in report_kinds().items()]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind and isinstance(cleaned.get("parameters"), dict):
            try:
                cleaned["parameters"] = report_kinds()[kind].clean(cleaned["parameters"])
            except ValidationError as error:
                self.add_error("parameters", error)
        return cleaned


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "language",
        "status",
        "requested_by",
        "created_at",
        "finished_at",
        "pages",
        "download",
    ]
    list_filter = ["status", "kind", "language"]
    search_fields = ["title", "requested_by__email"]
    date_hierarchy = "created_at"
    actions = ["retry_reports"]
    list_select_related = ["requested_by"]
    readonly_fields = [
        "kind",
        "parameters_display",
        "language",
        "title",
        "requested_by",
        "status",
        "error",
        "download",
        "pages",
        "size",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ReportRequestForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "parameters", "language"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        report = services.report_request(
            kind=form.cleaned_data["kind"],
            parameters=form.cleaned_data["parameters"],
            language=form.cleaned_data["language"],
            requested_by=request.user,
        )
        obj.pk = report.pk
        obj.uuid = report.uuid

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("parameters"))
    def parameters_display(self, obj):
        return json.dumps(obj.parameters, ensure_ascii=False)

    @admin.display(description=_("file"))
    def download(self, obj):
        if obj.status != ReportStatus.DONE or not obj.file:
            return "—"
        url = reverse("reports:report_download", kwargs={"uuid": obj.uuid})
        return format_html('<a href="{}">{}</a>', url, _("Download the PDF"))

    @admin.action(description=_("Generate the selected failed reports again"))
    def retry_reports(self, request, queryset):
        count = services.report_retry(reports=queryset)
        self.message_user(
            request,
            ngettext("%(count)d report queued.", "%(count)d reports queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )
