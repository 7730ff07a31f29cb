from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CallKind(models.TextChoices):
    MUNICIPALITIES = "municipalities", _("Call for interest to municipalities (AMI)")
    EXPERIMENTERS = "experimenters", _("Call for experimenters")


class CallState(models.TextChoices):
    """Computed from the clock and the call's dates, never stored."""

    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", pgettext_lazy("call state", "Closed")
