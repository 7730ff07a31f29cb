"""The outbox: every email the portal sends is a row first.

A mail is unique per occurrence (``occurrence_key``), enforced by the
database, so a retry or a second sweep can never send the same thing twice.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import MailStatus


class MailTemplate(models.Model):
    """A bilingual email, editable by staff; its variables come from the registry."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    description = models.CharField(_("when it is sent"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("body"),
        help_text=_("Plain text. Variables are written {{ name }}; the list is shown below."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")

    def __str__(self):
        return self.code


class OutgoingMail(models.Model):
    template_code = models.SlugField(_("template"), max_length=60)
    occurrence_key = models.CharField(
        _("occurrence"),
        max_length=200,
        unique=True,
        help_text=_("What this mail is for; the same occurrence is never mailed twice."),
    )
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=20, choices=MailStatus.choices, default=MailStatus.DRAFT
    )
    related_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("related object type"),
    )
    related_id = models.PositiveBigIntegerField(_("related object id"), null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    headers = models.JSONField(
        _("extra headers"),
        default=dict,
        blank=True,
        help_text=_("For example List-Unsubscribe, so mail clients offer one-click unsubscribe."),
    )
    redact_after_sending = models.BooleanField(
        _("wipe the body once sent"),
        default=False,
        help_text=_("The body holds a secret (a sign-in link): it is wiped once sent."),
    )
    not_before = models.DateTimeField(
        _("not before"),
        null=True,
        blank=True,
        help_text=_("After a failure, the next attempt waits until then (backoff)."),
    )
    claim = models.CharField(max_length=32, blank=True, editable=False)
    attachments = models.ManyToManyField(
        "reports.Report",
        blank=True,
        related_name="mails",
        verbose_name=_("attached documents"),
        help_text=_("Generated when the mail is sent, if they are not ready yet."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("email")
        verbose_name_plural = _("emails (outbox)")
        indexes = [
            models.Index(fields=["related_type", "related_id"], name="mail_related"),
            # The sweep's claims read only what is still to send, in order: two small
            # partial indexes (a sent mail leaves them), nothing to sort.
            models.Index(fields=["id"], condition=models.Q(status="queued"), name="mail_queued"),
            models.Index(
                fields=["claimed_at"], condition=models.Q(status="sending"), name="mail_sending"
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"


class ReminderRule(models.Model):
    """When a reminder goes: so long before (or after, for "late") its date.

    Rules are rows that staff edit in the admin, one per offset, rather than
    fields on each call: the same offsets hold for every call, and milestones
    or events (experiments) use the same table. Which reminders exist (the
    kinds, their dates and recipients) is code: ``notifications.reminders``.
    Only the rule whose time came last is sent for an occurrence: someone who
    starts a draft two days before the deadline gets the "2 days" reminder,
    not a late "7 days" one.
    """

    kind = models.CharField(_("reminder"), max_length=60)
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    hours = models.PositiveSmallIntegerField(_("hours"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "-days", "-hours"]
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "days", "hours"],
                name="reminder_rule_unique_offset",
                violation_error_message=_("This reminder already has a rule with this offset."),
            ),
            models.CheckConstraint(
                condition=models.Q(hours__lt=24),
                name="reminder_rule_hours_below_24",
                violation_error_message=_("Hours go from 0 to 23; use days beyond."),
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.days} d {self.hours} h"

    @property
    def offset(self):
        import datetime as dt

        return dt.timedelta(days=self.days, hours=self.hours)
