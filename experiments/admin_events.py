"""Programme events in the admin: staff publish events, follow registrations, record attendance.

Registrations are read-only here but for attendance, which goes through
``registration_set_attendance`` (the list is editable, and two actions mark
people present or absent). Cancelling calls ``event_cancel_registration``,
which promotes the waiting list; raising an event's capacity fills it too.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from .enums import RegistrationStatus
from .models import EventRegistration, ProgrammeEvent
from .services.events import (
    EventRegistrationError,
    event_cancel_registration,
    event_fill_from_waiting_list,
    registration_set_attendance,
)

R = RegistrationStatus


class EventRegistrationInline(admin.TabularInline):
    """Who registered, at a glance; changes go through the registrations' own list."""

    model = EventRegistration
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["name", "email", "organisation", "status", "registered_at", "attended"]
    readonly_fields = fields
    ordering = ["status", "registered_at", "pk"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgrammeEvent)
class ProgrammeEventAdmin(TranslationAdmin):
    list_display = [
        "title",
        "kind",
        "audience",
        "starts_at",
        "capacity",
        "seats_taken",
        "waiting",
        "registrations_link",
    ]
    list_filter = ["kind", "audience", "edition"]
    search_fields = ["title_fr", "title_en", "place"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["edition", "municipalities"]
    inlines = [EventRegistrationInline]
    fieldsets = [
        (None, {"fields": ["edition", "kind", "title", "description"]}),
        (_("When and where"), {"fields": ["starts_at", "ends_at", "place", "online_url"]}),
        (_("Who"), {"fields": ["audience", "municipalities", "capacity"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                seats_taken=Count("registrations", filter=Q(registrations__status=R.REGISTERED)),
                waiting=Count("registrations", filter=Q(registrations__status=R.WAITING_LIST)),
            )
            .order_by("-starts_at")
        )

    @admin.display(description=_("seats taken"), ordering="seats_taken")
    def seats_taken(self, obj):
        return obj.seats_taken

    @admin.display(description=_("waiting list"), ordering="waiting")
    def waiting(self, obj):
        return obj.waiting

    @admin.display(description=_("registrations"))
    def registrations_link(self, obj):
        url = reverse("admin:experiments_eventregistration_changelist")
        return format_html('<a href="{}?event__id__exact={}">{}</a>', url, obj.pk, _("List"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # More seats (or no limit any more): the waiting list moves up, with its mails.
        promoted = event_fill_from_waiting_list(event=form.instance)
        if promoted:
            self.message_user(
                request,
                ngettext(
                    "%(count)d person moved up from the waiting list.",
                    "%(count)d people moved up from the waiting list.",
                    len(promoted),
                )
                % {"count": len(promoted)},
                messages.SUCCESS,
            )


class AttendanceForm(forms.ModelForm):
    """The editable list's row: the rule is the service's, shown next to the field."""

    class Meta:
        model = EventRegistration
        fields = ["attended"]

    def clean_attended(self):
        attended = self.cleaned_data["attended"]
        if "attended" not in self.changed_data:
            return attended
        registration = self.instance
        if registration.status != R.REGISTERED:
            raise ValidationError(
                _("Only a confirmed registration can be marked present or absent.")
            )
        if timezone.now() < registration.event.starts_at:
            raise ValidationError(_("Attendance can be recorded once the event has started."))
        return attended


@admin.register(EventRegistration)
class EventRegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "event", "status", "registered_at", "attended"]
    list_editable = ["attended"]
    list_filter = ["status", "attended", ("event", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["event"]
    search_fields = ["name", "email", "organisation", "event__title_fr", "event__title_en"]
    readonly_fields = [
        "event",
        "user",
        "name",
        "email",
        "organisation",
        "language",
        "status",
        "registered_at",
        "cancelled_at",
    ]
    fields = [*readonly_fields, "attended"]
    actions = ["mark_present", "mark_absent", "cancel_registrations"]

    def has_add_permission(self, request):
        return False

    def get_changelist_form(self, request, **kwargs):
        return AttendanceForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AttendanceForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if "attended" in form.changed_data:
            registration_set_attendance(registration=obj, attended=obj.attended)

    def _set_attendance(self, request, queryset, attended):
        done, refused = 0, []
        for registration in queryset.select_related("event"):
            try:
                registration_set_attendance(registration=registration, attended=attended)
            except EventRegistrationError as error:
                refused.append(f"{registration.name}: {' '.join(error.messages)}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d registration updated.", "%(count)d registrations updated.", done
                )
                % {"count": done},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description=_("Mark as present"))
    def mark_present(self, request, queryset):
        self._set_attendance(request, queryset, True)

    @admin.action(description=_("Mark as absent"))
    def mark_absent(self, request, queryset):
        self._set_attendance(request, queryset, False)

    @admin.action(description=_("Cancel the registrations (the waiting list moves up)"))
    def cancel_registrations(self, request, queryset):
        done = 0
        for registration in queryset.select_related("event"):
            try:
                event_cancel_registration(registration=registration)
            except ValidationError as error:
                self.message_user(
                    request, f"{registration.name}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d registration cancelled.", "%(count)d registrations cancelled.", done
                )
                % {"count": done},
                messages.SUCCESS,
            )
