"""The kinds of reminder: what they are about, who gets them, and when they stop.

A kind is code; its offsets are rows (``ReminderRule``) that staff edit. The
sweep (``notifications.services.reminders_sweep``) asks each kind for the
occurrences whose date falls in the window of one rule and writes them to
the outbox in bulk; the outbox's unique occurrence key makes it exactly once.

Kinds are registered by the modules in SOURCES, imported on first use; the
experiments' reminders (milestones, progress reports, events) add theirs.
"""

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

SOURCES = [
    "calls.services.reminders",
    "experiments.reminders",
]
KEY_PREFIX = "reminder"


@dataclass(frozen=True)
class Reminder:
    """One mail to write: its occurrence key suffix is the kind's business."""

    key: str
    recipient: str
    language: str
    context: dict
    related_type_id: int | None = None
    related_id: int | None = None
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReminderKind:
    code: str
    label: str
    template_code: str
    due: Callable[..., Iterable[Reminder]]
    """due(*, anchor_after, anchor_until, key_prefix, now) → the reminders of the
    objects whose date is in (anchor_after, anchor_until] (anchor_after may be
    None), still worth a reminder at ``now``, and whose key (key_prefix + the
    kind's suffix) is not in the outbox yet."""
    still_due: Callable[[list, object], set] | None = None
    """(mails, now) → the ids of the claimed mails still worth sending: a draft
    submitted between the sweep and the send gets nothing."""
    after: bool = False
    """True: the rules count after the date (a milestone late), not before it."""
    defaults: tuple = ()
    """(days, hours) of the rules created for a new installation."""
    help_text: str = ""


_KINDS: dict[str, ReminderKind] = {}
_loaded = False


def register(kind: ReminderKind) -> ReminderKind:
    _KINDS[kind.code] = kind
    return kind


def reminder_kinds() -> dict[str, ReminderKind]:
    global _loaded
    if not _loaded:
        for source in SOURCES:
            importlib.import_module(source)
        _loaded = True
    return _KINDS


def reminder_key_prefix(kind_code: str, rule_id: int) -> str:
    return f"{KEY_PREFIX}:{kind_code}:{rule_id}:"


def reminder_kind_of_key(occurrence_key: str) -> ReminderKind | None:
    """The kind a reminder mail came from, read from its occurrence key."""
    parts = occurrence_key.split(":", 3)
    if len(parts) < 4 or parts[0] != KEY_PREFIX:
        return None
    return reminder_kinds().get(parts[1])


def suffix_of(occurrence_key: str) -> str:
    """What the kind put after the prefix: the ids that make the occurrence."""
    return occurrence_key.split(":", 3)[3]


def not_in_outbox(queryset, key_prefix: str, suffix):
    """Annotate ``reminder_key`` (prefix + the SQL expression ``suffix``) and keep the
    rows that have no mail with that key yet: a second sweep renders nothing."""
    from django.db.models import CharField, Exists, OuterRef, Value
    from django.db.models.functions import Concat

    from .models import OutgoingMail

    return queryset.annotate(
        reminder_key=Concat(Value(key_prefix), suffix, output_field=CharField())
    ).exclude(Exists(OutgoingMail.objects.filter(occurrence_key=OuterRef("reminder_key"))))
