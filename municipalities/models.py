"""The programme in its own words: editions, municipalities and their districts.

Texts the public reads are translated with django-modeltranslation
(``name_fr`` / ``name_en`` columns, see ``translation.py``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .enums import Department, EditionStatus, Ept, MembershipRole, PartnerKind
from .validators import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    validate_geojson_outline,
    validate_insee_code,
)


class Edition(models.Model):
    """A promotion of the programme: its municipalities, calls and experiments."""

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1)]
    )
    name = models.CharField(_("name"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("last year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=EditionStatus.choices,
        default=EditionStatus.PREPARATION,
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="edition_number_positive",
                violation_error_message=_("The edition number starts at 1."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="edition_years_in_order",
                violation_error_message=_("The last year cannot come before the first year."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("municipalities:edition_detail", kwargs={"number": self.number})

    @property
    def years(self):
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"


class UrbanChallenge(models.Model):
    """One of the urban challenge themes an edition's solutions must address."""

    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name=_("edition"),
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["edition__number", "order", "code"]
        verbose_name = _("urban challenge theme")
        verbose_name_plural = _("urban challenge themes")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "code"],
                name="challenge_code_unique_per_edition",
                violation_error_message=_("This edition already has a theme with this code."),
            ),
        ]

    def __str__(self):
        return self.name


class Municipality(models.Model):
    """A town of the Métropole du Grand Paris."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    insee_code = models.CharField(
        _("INSEE code"), max_length=5, unique=True, validators=[validate_insee_code]
    )
    department = models.CharField(_("department"), max_length=2, choices=Department.choices)
    ept = models.CharField(_("territory (EPT)"), max_length=3, choices=Ept.choices, blank=True)
    mayor = models.CharField(_("mayor"), max_length=120, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=Q(insee_code__regex=r"^(2[AB]|[0-9]{2})[0-9]{3}$"),
                name="municipality_insee_code_format",
                violation_error_message=_("An INSEE code has five characters."),
            ),
            models.CheckConstraint(
                condition=Q(insee_code__startswith=F("department")),
                name="municipality_insee_code_in_department",
                violation_error_message=_("The INSEE code must start with the department number."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("municipalities:municipality_detail", kwargs={"slug": self.slug})


class InnovationDistrict(models.Model):
    """The district a municipality opens to experiments in one edition."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("municipality"),
    )
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("edition"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    priority_challenge = models.TextField(_("priority challenge"))
    themes = models.ManyToManyField(
        UrbanChallenge,
        blank=True,
        related_name="districts",
        verbose_name=_("challenge themes"),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        validators=[
            MinValueValidator(Decimal(str(LATITUDE_RANGE[0]))),
            MaxValueValidator(Decimal(str(LATITUDE_RANGE[1]))),
        ],
        help_text=_("Of the district's centre, in degrees (WGS 84), e.g. 48.938600."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=6,
        validators=[
            MinValueValidator(Decimal(str(LONGITUDE_RANGE[0]))),
            MaxValueValidator(Decimal(str(LONGITUDE_RANGE[1]))),
        ],
        help_text=_("Of the district's centre, in degrees (WGS 84), e.g. 2.497500."),
    )
    outline = models.JSONField(
        _("outline (GeoJSON)"),
        null=True,
        blank=True,
        validators=[validate_geojson_outline],
        help_text=_("Optional: a GeoJSON Polygon or MultiPolygon, longitude first."),
    )
    surface_hectares = models.DecimalField(
        _("surface (hectares)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        ordering = ["edition__number", "municipality__name"]
        verbose_name = _("innovation district")
        verbose_name_plural = _("innovation districts")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "edition"],
                name="district_unique_per_municipality_and_edition",
                violation_error_message=_(
                    "This municipality already has an innovation district in this edition."
                ),
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=LATITUDE_RANGE[0], latitude__lte=LATITUDE_RANGE[1])
                & Q(longitude__gte=LONGITUDE_RANGE[0], longitude__lte=LONGITUDE_RANGE[1]),
                name="district_location_in_ile_de_france",
                violation_error_message=_("The district's location must be in Île-de-France."),
            ),
            models.CheckConstraint(
                condition=Q(surface_hectares__isnull=True) | Q(surface_hectares__gt=0),
                name="district_surface_positive",
                violation_error_message=_("The surface must be greater than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.municipality.name}, {self.edition.name})"

    def get_absolute_url(self):
        return (
            reverse(
                "municipalities:municipality_detail",
                kwargs={"slug": self.municipality.slug},
            )
            + f"#district-{self.pk}"
        )


class Partner(models.Model):
    """An organisation that runs, funds or lends expertise to the programme."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    description = models.TextField(_("role in the programme"), blank=True)
    website = models.URLField(_("website"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name


class MunicipalityMembership(models.Model):
    """Which user works for which municipality, and as what."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="municipality_memberships",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("municipality"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.OFFICER
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["municipality__name", "user__email"]
        verbose_name = _("municipality membership")
        verbose_name_plural = _("municipality memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"],
                name="membership_unique_per_user_and_municipality",
                violation_error_message=_("This person is already a member of this municipality."),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.municipality}"
