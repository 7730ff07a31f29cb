from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext
from modeltranslation.admin import TranslationAdmin

from . import services
from .models import MailTemplate, OutgoingMail, ReminderRule
from .registry import BY_CODE
from .reminders import reminder_kinds


@admin.register(MailTemplate)
class MailTemplateAdmin(TranslationAdmin):
    list_display = ["code", "description", "updated_at"]
    search_fields = ["code", "description", "subject_fr", "subject_en"]
    readonly_fields = ["code", "description", "variables"]
    fields = ["code", "description", "variables", "subject", "body"]

    @admin.display(description=_("variables it may use"))
    def variables(self, obj):
        definition = BY_CODE.get(obj.code)
        if not definition:
            return "—"
        return format_html_join(
            "",
            "<div><code>{{{{ {} }}}}</code>{} {}</div>",
            (
                (name, pgettext("before a value", ":"), label)
                for name, label in definition.variables.items()
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "recipient",
        "template_code",
        "language",
        "status",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "template_code", "language"]
    search_fields = ["recipient", "subject", "occurrence_key"]
    date_hierarchy = "created_at"
    actions = ["send_mails", "cancel_mails"]
    readonly_fields = [
        "template_code",
        "occurrence_key",
        "recipient",
        "language",
        "subject",
        "body",
        "status",
        "created_at",
        "queued_at",
        "claimed_at",
        "sent_at",
        "attempts",
        "not_before",
        "last_error",
        "documents",
    ]
    fields = readonly_fields

    @admin.display(description=_("attached documents"))
    def documents(self, obj):
        reports = list(obj.attachments.all())
        if not reports:
            return "—"
        return format_html_join(
            "",
            '<div><a href="{}">{}</a> ({})</div>',
            (
                (
                    reverse("admin:reports_report_change", args=[report.pk]),
                    report,
                    report.get_status_display(),
                )
                for report in reports
            ),
        )

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected emails (drafts and failed ones)"))
    def send_mails(self, request, queryset):
        count = services.mail_queue(mails=queryset)
        self.message_user(
            request,
            ngettext("%(count)d email queued.", "%(count)d emails queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel the selected emails"))
    def cancel_mails(self, request, queryset):
        count = services.mail_cancel(mails=queryset)
        self.message_user(
            request,
            ngettext("%(count)d email cancelled.", "%(count)d emails cancelled.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class ReminderRuleForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("reminder"))

    class Meta:
        model = ReminderRule
        fields = ["kind", "days", "hours", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (code, kind.label) for code, kind in reminder_kinds().items()
        ]
        help_texts = [f"{kind.label}: {kind.help_text}" for kind in reminder_kinds().values()]
        self.fields["kind"].help_text = format_html_join(
            "", "<div>{}</div>", ((text,) for text in help_texts)
        )


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    """Offsets of each reminder. Changing one keeps what was sent; a new rule sends anew."""

    form = ReminderRuleForm
    list_display = ["kind_label", "days", "hours", "is_active"]
    list_filter = ["kind", "is_active"]
    list_editable = ["is_active"]

    @admin.display(description=_("reminder"), ordering="kind")
    def kind_label(self, obj):
        kind = reminder_kinds().get(obj.kind)
        return kind.label if kind else obj.kind
