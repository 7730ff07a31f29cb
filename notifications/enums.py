from django.db import models
from django.utils.translation import gettext_lazy as _


class MailStatus(models.TextChoices):
    """draft → queued → sending → sent, or failed (then queued again by staff)."""

    DRAFT = "draft", _("Draft, waiting for staff")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
