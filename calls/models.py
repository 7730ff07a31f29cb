"""Calls of an edition: to municipalities (AMI) and to experimenters."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.models import Edition, InnovationDistrict

from .enums import CallKind, CallState


class Call(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="calls", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CallKind.choices)
    phase = models.PositiveSmallIntegerField(
        _("phase"), default=1, help_text=_("Calls run in phases when districts start apart.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    districts = models.ManyToManyField(
        InnovationDistrict,
        blank=True,
        related_name="calls",
        verbose_name=_("target districts"),
        help_text=_("For a call for experimenters: the districts it recruits for."),
    )
    is_fictional = models.BooleanField(
        _("fictional (demo data)"),
        default=False,
        help_text=_("Shown with a notice, so nobody mistakes demo data for a real call."),
    )

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="call_closes_after_it_opens",
                violation_error_message=_("A call must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(phase__gte=1),
                name="call_phase_positive",
                violation_error_message=_("The phase starts at 1."),
            ),
            models.UniqueConstraint(
                fields=["edition", "kind", "phase"],
                name="call_unique_kind_and_phase_per_edition",
                violation_error_message=_(
                    "This edition already has a call of this kind for this phase."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("calls:call_detail", kwargs={"slug": self.slug})

    def state_at(self, now) -> CallState:
        if now < self.opens_at:
            return CallState.UPCOMING
        if now < self.closes_at:
            return CallState.OPEN
        return CallState.CLOSED

    @property
    def state(self) -> CallState:
        return self.state_at(timezone.now())
