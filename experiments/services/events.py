"""Programme events: registration with a waiting list, cancellation by link, attendance.

Seats are counted under a lock on the event's row: every function that
changes who holds a seat (register, cancel, fill from the waiting list)
first takes ``SELECT … FOR UPDATE`` on the event, so two people cannot both
take the last seat, and a freed seat goes to exactly one person.

A registration is found again by its email (case-insensitive; the database
holds one row per event and address). Registering twice returns the row that
exists and changes nothing, so the answer to a visitor never depends on
whether an address was already registered. A cancelled registration that
registers again takes a new place at the back of the queue.

Each mail is an outbox row (``notifications``), keyed per registration and
sequence: a confirmation, a waiting-list notice or a promotion, each with
the link that cancels.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from notifications.models import OutgoingMail
from notifications.services import mail_draft
from qmi_portal.links import absolute_url

from ..enums import RegistrationStatus
from ..models import EventRegistration, ProgrammeEvent

R = RegistrationStatus
# Registering again with the same address sends its mail again, at most this often.
RESEND_AFTER = dt.timedelta(minutes=10)
MAIL_CODES = {
    R.REGISTERED: "event_registration_confirmed",
    R.WAITING_LIST: "event_registration_waiting_list",
}
PROMOTED_MAIL = "event_registration_promoted"


class EventRegistrationError(ValidationError):
    """A refusal with a message for the visitor or the staff member."""


class RegistrationClosed(EventRegistrationError):
    pass


def event_registration_is_open(event: ProgrammeEvent, *, now=None) -> bool:
    """Registration (and cancellation) close when the event starts."""
    return (now or timezone.now()) < event.starts_at


def event_seats_taken(event: ProgrammeEvent) -> int:
    return event.registrations.filter(status=R.REGISTERED).count()


def _seat_free(event: ProgrammeEvent) -> bool:
    return event.capacity is None or event_seats_taken(event) < event.capacity


def _lock(event: ProgrammeEvent) -> ProgrammeEvent:
    return ProgrammeEvent.objects.select_for_update().get(pk=event.pk)


def event_register(
    *,
    event: ProgrammeEvent,
    name: str,
    email: str,
    language: str,
    user=None,
    organisation: str = "",
    now=None,
) -> EventRegistration:
    """Register a person for an event: a seat if one is free, else the waiting list.

    Side effects: under a lock on the event, a new EventRegistration
    (registered, or waiting list when the event is full) and its queued mail
    (``event_registration_confirmed`` or ``event_registration_waiting_list``).
    When the address is already registered or waiting, nothing changes and
    that registration is returned; its mail is queued again if the last one
    is older than RESEND_AFTER. A cancelled registration of the address
    becomes active again, at the back of the queue. Raises RegistrationClosed
    once the event has started.
    """
    now = now or timezone.now()
    email = email.strip()
    with transaction.atomic():
        event = _lock(event)
        if not event_registration_is_open(event, now=now):
            raise RegistrationClosed(
                _("Registration is closed: the event has started."), code="closed"
            )
        registration = (
            EventRegistration.objects.select_for_update()
            .alias(email_lower=Lower("email"))
            .filter(event=event, email_lower=email.lower())
            .first()
        )
        if registration is not None and registration.status != R.CANCELLED:
            _mail_status(registration, now=now, resend=True)
            return registration
        status = R.REGISTERED if _seat_free(event) else R.WAITING_LIST
        if registration is None:
            registration = EventRegistration.objects.create(
                event=event,
                user=user,
                name=name.strip(),
                email=email,
                organisation=organisation.strip(),
                language=language,
                status=status,
                registered_at=now,
            )
        else:
            registration.name = name.strip()
            registration.organisation = organisation.strip()
            registration.language = language
            registration.user = registration.user or user
            registration.status = status
            registration.registered_at = now
            registration.cancelled_at = None
            registration.attended = None
            registration.save()
        _mail_status(registration, now=now)
    return registration


def event_cancel_registration(*, registration: EventRegistration, now=None) -> EventRegistration:
    """Cancel a registration (the registrant's link, or staff); idempotent.

    Side effects: the registration becomes cancelled (with its time); when it
    held a seat, the first people of the waiting list take the free seats and
    each gets the queued ``event_registration_promoted`` mail (see
    ``event_fill_from_waiting_list``). Raises RegistrationClosed once the
    event has started.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(registration.event)
        registration = EventRegistration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == R.CANCELLED:
            return registration
        if not event_registration_is_open(event, now=now):
            raise RegistrationClosed(
                _("The event has started: the registration can no longer be cancelled."),
                code="closed",
            )
        held_seat = registration.status == R.REGISTERED
        registration.status = R.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        if held_seat:
            _fill(event, now=now)
    return registration


def event_fill_from_waiting_list(*, event: ProgrammeEvent, now=None) -> list[EventRegistration]:
    """Give the free seats to the waiting list, first come first served.

    Called after a cancellation and when staff raise the capacity. Side
    effects: each promoted registration becomes registered and gets the
    queued ``event_registration_promoted`` mail. Does nothing once the event
    has started.
    """
    now = now or timezone.now()
    with transaction.atomic():
        return _fill(_lock(event), now=now)


def _fill(event: ProgrammeEvent, *, now) -> list[EventRegistration]:
    """With the event locked: promote as many as there are free seats."""
    if not event_registration_is_open(event, now=now):
        return []
    waiting = EventRegistration.objects.filter(event=event, status=R.WAITING_LIST).order_by(
        "registered_at", "pk"
    )
    if event.capacity is not None:
        free = event.capacity - event_seats_taken(event)
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for registration in promoted:
        registration.status = R.REGISTERED
        registration.save(update_fields=["status"])
        _mail(registration, code=PROMOTED_MAIL)
    return promoted


def registration_set_attendance(
    *, registration: EventRegistration, attended: bool | None, now=None
) -> EventRegistration:
    """Staff record whether a registered person came (None: not recorded).

    Only a registration holding a seat, and only once the event has started.
    """
    now = now or timezone.now()
    if registration.status != R.REGISTERED:
        raise EventRegistrationError(
            _("Only a confirmed registration can be marked present or absent."),
            code="not_registered",
        )
    if now < registration.event.starts_at:
        raise EventRegistrationError(
            _("Attendance can be recorded once the event has started."), code="not_started"
        )
    EventRegistration.objects.filter(pk=registration.pk).update(attended=attended)
    registration.attended = attended
    return registration


def registration_from_cancel_token(token) -> EventRegistration | None:
    return EventRegistration.objects.select_related("event").filter(cancel_token=token).first()


def seats_left(event: ProgrammeEvent) -> int | None:
    """Free seats of an event annotated with ``seats_taken``
    (``selectors_public.with_seats_taken``); None: no limit."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - event.seats_taken)


# Mails.


def _mail_status(registration: EventRegistration, *, now, resend: bool = False) -> None:
    """The mail telling where the registration stands; again only after RESEND_AFTER."""
    if resend:
        last = (
            _mails_of(registration)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None and now - last < RESEND_AFTER:
            return
    _mail(registration, code=MAIL_CODES[registration.status])


def _mails_of(registration):
    return OutgoingMail.objects.filter(occurrence_key__startswith=_key_prefix(registration))


def _key_prefix(registration) -> str:
    return f"event_registration:{registration.pk}:"


def _mail(registration: EventRegistration, *, code: str) -> None:
    event = registration.event
    language = registration.language
    with translation.override(language):
        starts_at = formats.date_format(timezone.localtime(event.starts_at), "l j F Y, H:i")
    sequence = _mails_of(registration).count() + 1
    mail_draft(
        code=code,
        recipient=registration.email,
        language=language,
        context={
            "name": registration.name,
            "event_title": getattr(event, f"title_{language}", None) or event.title,
            "starts_at": starts_at,
            "place": event.place or event.online_url,
            "event_url": absolute_url(
                "experiments:event_detail", language=language, uuid=event.uuid
            ),
            "calendar_url": absolute_url(
                "experiments:event_ics", language=language, uuid=event.uuid
            ),
            "cancel_url": absolute_url(
                "experiments:registration_cancel",
                language=language,
                token=registration.cancel_token,
            ),
        },
        occurrence_key=f"{_key_prefix(registration)}{sequence}",
        related=registration,
        queue=True,
    )
