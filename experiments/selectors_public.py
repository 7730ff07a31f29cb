"""Reads behind the public pages: programme events, the showcase, an edition's figures.

Programme events are scoped to the visitor first: everybody sees the public
ones; a signed-in experimenter also sees the events for experimenters, and
municipality staff the events for towns; when an event names the towns it
concerns, only the people of those towns see it. Paris&Co staff see all.

The showcase shows an experiment only when its organisation consented to
publication and the consent is recorded; nothing else ever reaches it.
"""

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from municipalities.models import Edition, Municipality, MunicipalityMembership, UrbanChallenge
from municipalities.permissions import is_programme_staff

from .enums import EventAudience, Outcome, RegistrationStatus
from .models import Experiment, ExperimentSite, OutcomeUpdate, ProgrammeEvent

HOME_EVENTS = 3


# Programme events.


def events_visible_to(user) -> QuerySet[ProgrammeEvent]:
    """Every event the user may see, past ones included; see the module docstring."""
    public = Q(audience=EventAudience.PUBLIC)
    if not user.is_authenticated or not user.is_active:
        return ProgrammeEvent.objects.filter(public)
    if is_programme_staff(user):
        return ProgrammeEvent.objects.all()
    towns = ProgrammeEvent.municipalities.through.objects.filter(programmeevent_id=OuterRef("pk"))
    member_towns = MunicipalityMembership.objects.filter(user=user).values("municipality_id")
    experiment_towns = Experiment.objects.filter(experimenter=user).values(
        "district__municipality_id"
    )
    for_towns = Q(audience=EventAudience.MUNICIPALITIES) & Q(
        Exists(towns.filter(municipality_id__in=member_towns))
        | (~Exists(towns) & Exists(MunicipalityMembership.objects.filter(user=user)))
    )
    for_experimenters = Q(audience=EventAudience.EXPERIMENTERS) & Q(
        Exists(towns.filter(municipality_id__in=experiment_towns))
        | (~Exists(towns) & Exists(Experiment.objects.filter(experimenter=user)))
    )
    return ProgrammeEvent.objects.filter(public | for_towns | for_experimenters)


def with_seats_taken(queryset: QuerySet[ProgrammeEvent]) -> QuerySet[ProgrammeEvent]:
    """``seats_taken``: registrations holding a seat (not the waiting list)."""
    return queryset.annotate(
        seats_taken=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
        )
    )


def events_upcoming_for(user, *, now=None) -> QuerySet[ProgrammeEvent]:
    """Events not over yet that the user may see, soonest first, with their seats taken."""
    now = now or timezone.now()
    return (
        with_seats_taken(events_visible_to(user).filter(ends_at__gt=now))
        .prefetch_related(Prefetch("municipalities", queryset=Municipality.objects.only("name")))
        .order_by("starts_at", "pk")
    )


def events_public_upcoming(*, limit: int = HOME_EVENTS, now=None) -> list[ProgrammeEvent]:
    """The next public events, for the home page (one query)."""
    now = now or timezone.now()
    return list(
        ProgrammeEvent.objects.filter(audience=EventAudience.PUBLIC, ends_at__gt=now).order_by(
            "starts_at", "pk"
        )[:limit]
    )


# Public showcase.


def experiments_published() -> QuerySet[Experiment]:
    """Experiments whose organisation consented to publication, consent recorded."""
    return Experiment.objects.filter(consents_publication=True, consent_recorded_at__isnull=False)


def with_public_outcome(queryset: QuerySet[Experiment]) -> QuerySet[Experiment]:
    """``public_outcome`` / ``public_buyer``: the latest update after the programme, else
    the final evaluation's outcome; None while unknown."""
    latest = OutcomeUpdate.objects.filter(experiment=OuterRef("pk")).order_by("-recorded_on", "-pk")
    return queryset.annotate(
        public_outcome=Coalesce(
            Subquery(latest.values("outcome")[:1]), NullIf("evaluation__outcome", Value(""))
        ),
        public_buyer=Coalesce(
            Subquery(latest.values("buyer")[:1]), NullIf("evaluation__buyer", Value(""))
        ),
    )


def outcome_label(value) -> str:
    return Outcome(value).label if value in Outcome.values else ""


def showcase_experiments(
    *, edition: Edition | None = None, municipality=None, theme=None
) -> list[Experiment]:
    """Published experiments, filtered, with their district, themes, sites and outcome."""
    queryset = experiments_published()
    if edition is not None:
        queryset = queryset.filter(district__edition=edition)
    if municipality is not None:
        queryset = queryset.filter(district__municipality=municipality)
    if theme is not None:
        queryset = queryset.filter(themes=theme)
    experiments = list(
        with_public_outcome(queryset)
        .select_related("district__municipality", "district__edition")
        .prefetch_related(
            Prefetch("themes", queryset=UrbanChallenge.objects.order_by("order", "pk")),
            Prefetch("sites", queryset=ExperimentSite.objects.order_by("name", "pk")),
        )
        .order_by("-district__edition__number", "district__municipality__name", "solution_name")
    )
    for experiment in experiments:
        experiment.outcome_label = outcome_label(experiment.public_outcome)
    return experiments


def showcase_experiment(uuid) -> Experiment | None:
    """One published experiment with what its public page shows; None if not published."""
    experiment = (
        with_public_outcome(experiments_published().filter(uuid=uuid))
        .select_related("district__municipality", "district__edition")
        .prefetch_related(
            Prefetch("themes", queryset=UrbanChallenge.objects.order_by("order", "pk")),
            Prefetch("sites", queryset=ExperimentSite.objects.order_by("name", "pk")),
        )
        .first()
    )
    if experiment is not None:
        experiment.outcome_label = outcome_label(experiment.public_outcome)
    return experiment


def showcase_filter_choices() -> dict:
    """What the showcase's filters offer: every edition (its page links here), and the
    towns and themes that have published experiments."""
    published = experiments_published()
    return {
        "editions": Edition.objects.order_by("-number"),
        "municipalities": Municipality.objects.filter(
            Exists(published.filter(district__municipality=OuterRef("pk")))
        ).order_by("name"),
        "themes": UrbanChallenge.objects.filter(Exists(published.filter(themes=OuterRef("pk"))))
        .select_related("edition")
        .order_by("-edition__number", "order", "pk"),
    }


# Figures of an edition.


def edition_figures(edition: Edition) -> dict:
    """Key figures computed from the data, in one query.

    solutions: experiments of the edition; towns: municipalities hosting
    them; international_share: percentage of experimenters based outside
    France (None without experiments).
    """
    figures = Experiment.objects.filter(district__edition=edition).aggregate(
        solutions=Count("pk"),
        towns=Count("district__municipality", distinct=True),
        international=Count("pk", filter=~Q(country="FR") & ~Q(country="")),
    )
    solutions = figures["solutions"]
    figures["international_share"] = (
        round(100 * figures["international"] / solutions) if solutions else None
    )
    return figures
