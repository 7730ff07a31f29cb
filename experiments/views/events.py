"""Programme events: the list, an event, registering, cancelling by link, the .ics file.

The list and the event page are cached for anonymous visitors (no form on
them); registering happens on its own page, with a CSRF token. Whether an
address was already registered never shows: the answer is the same page.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from calls.views.signin import TOKEN_PAGE_REFERRER_POLICY
from qmi_portal.cache import public_page
from qmi_portal.links import absolute_url

from ..enums import RegistrationStatus
from ..models import EventRegistration, ProgrammeEvent
from ..selectors_public import events_upcoming_for, events_visible_to, with_seats_taken
from ..services import events as services

# The right-hand part of every event's UID; the left-hand part is the event's UUID.
ICS_UID_DOMAIN = "qmi-portal.parisandco"


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.CharField(
        label=gettext_lazy("Organisation (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the emails"),
        choices=[
            (code, get_language_info(code)["name_local"].capitalize())
            for code, _name in settings.LANGUAGES
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        if language in dict(settings.LANGUAGES):
            self.fields["language"].initial = language
        if user is not None and user.is_authenticated:
            self.fields["name"].initial = user.get_full_name()
            self.fields["email"].initial = user.email


def _event_or_404(request, uuid) -> ProgrammeEvent:
    return get_object_or_404(
        with_seats_taken(events_visible_to(request.user)).prefetch_related("municipalities"),
        uuid=uuid,
    )


def _event_context(event, *, now) -> dict:
    return {
        "event": event,
        "seats_left": services.seats_left(event),
        "registration_open": services.event_registration_is_open(event, now=now),
        "is_over": event.ends_at <= now,
        "is_online": bool(event.online_url),
    }


@public_page
def event_list(request):
    now = timezone.now()
    events = list(events_upcoming_for(request.user, now=now))
    for event in events:
        event.seats_left = services.seats_left(event)
        event.registration_open = services.event_registration_is_open(event, now=now)
    return render(request, "experiments/events/event_list.html", {"events": events})


@public_page
def event_detail(request, uuid):
    event = _event_or_404(request, uuid)
    context = _event_context(event, now=timezone.now())
    if request.user.is_authenticated:
        context["my_registration"] = (
            EventRegistration.objects.filter(event=event, user=request.user)
            .exclude(status=RegistrationStatus.CANCELLED)
            .first()
        )
    return render(request, "experiments/events/event_detail.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def event_register(request, uuid):
    event = _event_or_404(request, uuid)
    now = timezone.now()
    if not services.event_registration_is_open(event, now=now):
        messages.info(request, _("Registration is closed: the event has started."))
        return redirect(event)
    form = RegistrationForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.event_register(
                event=event,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                organisation=form.cleaned_data["organisation"],
                language=form.cleaned_data["language"],
                user=request.user if request.user.is_authenticated else None,
                now=now,
            )
        except services.EventRegistrationError as error:
            form.add_error(None, error)
        else:
            # The same page whether the address is new or was registered before;
            # only its owner, signed in, is told where it stands.
            mine = request.user.is_authenticated and registration.user_id == request.user.pk
            return render(
                request,
                "experiments/events/registered.html",
                {
                    "event": event,
                    "email": form.cleaned_data["email"],
                    "registration": registration if mine else None,
                },
            )
    context = _event_context(event, now=now)
    context["form"] = form
    return render(request, "experiments/events/register.html", context)


def _token_page(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response.headers["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def registration_cancel(request, token):
    """GET shows a Cancel button (mail scanners fetch links); only the POST cancels."""
    registration = services.registration_from_cancel_token(token)
    if registration is None:
        raise Http404
    error = None
    if request.method == "POST" and registration.status != RegistrationStatus.CANCELLED:
        try:
            services.event_cancel_registration(registration=registration)
        except services.EventRegistrationError as refusal:
            error = " ".join(refusal.messages)
        else:
            return redirect(request.path)
    return _token_page(
        request,
        "experiments/events/cancel.html",
        {
            "registration": registration,
            "event": registration.event,
            "error": error,
            "can_cancel": services.event_registration_is_open(registration.event),
        },
        status=400 if error else 200,
    )


@require_GET
def event_ics(request, uuid):
    """The event as an iCalendar file: Paris times, a UID that never changes."""
    event = get_object_or_404(events_visible_to(request.user), uuid=uuid)
    response = HttpResponse(event_calendar(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="qmi-event-{event.uuid}.ics"'
    return response


def event_calendar(event: ProgrammeEvent) -> bytes:
    paris = ZoneInfo(settings.TIME_ZONE)
    language = get_language() or settings.LANGUAGE_CODE
    url = absolute_url("experiments:event_detail", language=language[:2], uuid=event.uuid)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Paris&Co//QMI portal//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"event-{event.uuid}@{ICS_UID_DOMAIN}")
    entry.add("dtstamp", timezone.now().astimezone(dt.UTC))
    entry.add("dtstart", event.starts_at.astimezone(paris))
    entry.add("dtend", event.ends_at.astimezone(paris))
    entry.add("summary", event.title)
    description = "\n\n".join(part for part in (event.description, url) if part)
    entry.add("description", description)
    entry.add("location", event.place or event.online_url)
    entry.add("url", event.online_url or url)
    calendar.add_component(entry)
    calendar.add_missing_timezones(
        first_date=event.starts_at.date() - dt.timedelta(days=366),
        last_date=event.ends_at.date() + dt.timedelta(days=366),
    )
    return calendar.to_ical()
