"""Demo experiments of both editions.

Edition 1 (Aulnay-sous-Bois, Meudon, Noisy-le-Grand, Sceaux) hosted its
solutions from June 2023 for 18 months: here they are evaluated or ended, with
the final evaluation and what became of them. The four solutions the
Métropole's press release of 23 October 2023 names are real (Purple
Alternative Surface, Pélican Cycles, Vytal, Végétalisation 2e vie); the other
ones take the kinds of solution the release lists (modular street furniture,
biomimetic footbridge, insect farm…) and say "(fictif)" in their name. Their
evaluations, figures, people and comments are fictional.

Edition 2 (Athis-Mons, Aubervilliers, Fontenay-sous-Bois, Sucy-en-Brie,
Issy-les-Moulineaux, Argenteuil) named no solution publicly: its experiments
are fictional and say so, dated from today so they are always running, with
milestones (some late), monthly measurements, progress reports and comments.

Statuses go through ``experiment_set_status``; the history is then dated
when the step would have happened. Idempotent: an experiment found by its
stable uuid is left alone.
"""

import datetime as dt
import io
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from municipalities.models import InnovationDistrict

from .enums import Direction, MilestoneOwner, Outcome, ReportStatus
from .enums import ExperimentStatus as S
from .models import (
    Evaluation,
    Experiment,
    ExperimentSite,
    ExperimentStatusChange,
    Indicator,
    Measurement,
    Milestone,
    OutcomeUpdate,
    ProgressReport,
    ReportComment,
    ReportPhoto,
)
from .selectors import report_due_dates
from .services.lifecycle import experiment_set_status, milestones_generate

DEMO_NAMESPACE = uuid.UUID("0d6b7f0a-6f55-4d7e-9a0c-4f3f2e61d8b1")
# Signs in with this password on the sign-in page, or by email link (the username is the email).
DEMO_EXPERIMENTER = {
    "username": "demo-experimenter@example.org",
    "password": "qmi-demo-experiment",
}
EDITION_1_START = dt.date(2023, 6, 1)
FICTIONAL_FR = "(fictif)"


@dataclass(frozen=True)
class Demo:
    key: str
    town: str
    edition: int
    solution: str
    organisation: str
    summary_fr: str
    summary_en: str
    indicators: tuple
    country: str = "FR"
    status: str = S.RUNNING
    outcome: str = ""
    buyer: str = ""
    late: bool = False
    demo_login: bool = False


# What is measured: (name, unit, baseline, target, direction).
HEAT = ("Température de surface au soleil", "°C", "48", "38", Direction.DOWN)
VISITORS = ("Usagers du dispositif", "personnes/mois", "0", "400", Direction.UP)
SATISFACTION = ("Habitants satisfaits (enquête)", "%", "40", "75", Direction.UP)
WASTE = ("Déchets détournés", "kg/mois", "0", "900", Direction.UP)
PACKAGING = ("Emballages jetables", "unités/semaine", "2500", "900", Direction.DOWN)
DELIVERIES = ("Livraisons en vélo cargo", "livraisons/mois", "0", "320", Direction.UP)
ENERGY = ("Consommation d'énergie", "kWh/mois", "5200", "4100", Direction.DOWN)
WATER = ("Eau de pluie infiltrée", "m³/mois", "0", "60", Direction.UP)
ACTIVITY = ("Séances sportives", "séances/mois", "0", "45", Direction.UP)
SHOPS = ("Commerces participants", "commerces", "0", "25", Direction.UP)

DEMOS = [
    # Edition 1: evaluated or ended.
    Demo(
        "purple-alternative-surface",
        "Aulnay-sous-Bois",
        1,
        "Purple Alternative Surface",
        "Purple Alternative Surface",
        "Un revêtement de sol perméable (dalle) adapté aux usages urbains, qui utilise des "
        "déchets plastiques comme matière première.",
        "A permeable paving slab for urban uses made from plastic waste.",
        (WATER, HEAT, SATISFACTION),
        status=S.ENDED,
        outcome=Outcome.CONTRACTED,
        buyer="Ville d'Aulnay-sous-Bois",
    ),
    Demo(
        "modular-furniture",
        "Aulnay-sous-Bois",
        1,
        f"Mobilier urbain modulaire {FICTIONAL_FR}",
        "Atelier Modulo",
        "Des bancs et jardinières que les habitants déplacent selon les usages de la place.",
        "Benches and planters residents move around as the square's uses change.",
        (VISITORS, SATISFACTION),
        status=S.ENDED,
        outcome=Outcome.TO_IMPROVE,
    ),
    Demo(
        "pelican-cycles",
        "Meudon",
        1,
        "Pélican Cycles",
        "Pélican Cycles",
        "Un service de vélos cargos pour les professionnels, qui transporte des marchandises "
        "lourdes et volumineuses (jusqu'à 500 kg et 3 m³).",
        "A cargo-bike service for professionals carrying heavy, bulky goods (up to 500 kg and "
        "3 m³).",
        (DELIVERIES, ENERGY),
        status=S.ENDED,
        outcome=Outcome.READY_TO_SCALE,
    ),
    Demo(
        "biomimetic-footbridge",
        "Meudon",
        1,
        f"Passerelle piétonne biomimétique {FICTIONAL_FR}",
        "Structures Vivantes",
        "Une passerelle légère inspirée des structures végétales pour relier deux quartiers.",
        "A light footbridge inspired by plant structures, linking two neighbourhoods.",
        (VISITORS, SATISFACTION),
        status=S.EVALUATING,
    ),
    Demo(
        "vytal",
        "Noisy-le-Grand",
        1,
        "Vytal",
        "Vytal",
        "Des contenants réutilisables pour réduire les déchets d'emballages des plats et "
        "boissons à emporter et en livraison dans la restauration.",
        "Reusable containers that cut packaging waste from take-away and delivered food and "
        "drinks.",
        (PACKAGING, WASTE),
        country="DE",
        status=S.ENDED,
        outcome=Outcome.CONTRACTED,
        buyer="Restaurants du centre commercial Arcades (fictif)",
    ),
    Demo(
        "sneaker-reuse",
        "Noisy-le-Grand",
        1,
        f"Atelier de réemploi de baskets {FICTIONAL_FR}",
        "Seconde Foulée",
        "Un atelier qui répare et revend des baskets, avec des parcours d'insertion.",
        "A workshop repairing and reselling trainers, with back-to-work programmes.",
        (WASTE, VISITORS),
        status=S.ENDED,
        outcome=Outcome.STOPPED,
    ),
    Demo(
        "vegetalisation-2e-vie",
        "Sceaux",
        1,
        "Végétalisation 2e vie",
        "Végétalisation 2e vie",
        "Une végétalisation urbaine contre les îlots de chaleur, avec un mobilier 100 % issu "
        "de l'économie circulaire et une production solidaire 100 % Grand Paris.",
        "Urban greening against heat islands with furniture made entirely from the circular "
        "economy, produced inclusively in Greater Paris.",
        (HEAT, SATISFACTION),
        status=S.ENDED,
        outcome=Outcome.CONTRACTED,
        buyer="Ville de Sceaux",
    ),
    Demo(
        "insect-farm",
        "Sceaux",
        1,
        f"Ferme urbaine à insectes {FICTIONAL_FR}",
        "Grillons de Bièvre",
        "Une micro-ferme qui valorise les biodéchets des cantines en nourriture pour volailles.",
        "A micro-farm turning school canteen food waste into poultry feed.",
        (WASTE,),
        country="BE",
        status=S.EVALUATING,
    ),
    # Edition 2: running (fictional).
    Demo(
        "fresh-benches",
        "Aubervilliers",
        2,
        f"Bancs rafraîchissants {FICTIONAL_FR}",
        "Ombre Fraîche",
        "Des bancs publics qui mesurent la chaleur et offrent de l'ombre sur les places du "
        "centre-ville.",
        "Public benches that measure heat and give shade on the town-centre squares.",
        (HEAT, VISITORS, SATISFACTION),
        late=True,
        demo_login=True,
    ),
    Demo(
        "shop-window",
        "Aubervilliers",
        2,
        f"Vitrines éphémères {FICTIONAL_FR}",
        "Boutiques Passantes",
        "Des commerces éphémères dans les cellules vides du centre-ville.",
        "Pop-up shops in the town centre's empty premises.",
        (SHOPS, VISITORS),
    ),
    Demo(
        "last-mile",
        "Aubervilliers",
        2,
        f"Logistique du dernier kilomètre {FICTIONAL_FR}",
        "Colis Doux",
        "Un point relais mutualisé et des livraisons à pied autour de la mairie.",
        "A shared parcel point and deliveries on foot around the town hall.",
        (DELIVERIES,),
        country="ES",
        late=True,
    ),
    Demo(
        "sport-health",
        "Athis-Mons",
        2,
        f"Parcours sport-santé connecté {FICTIONAL_FR}",
        "Bouger Ensemble",
        "Un parcours sportif en plein air avec des séances encadrées pour tous les âges.",
        "An outdoor fitness trail with coached sessions for all ages.",
        (ACTIVITY, VISITORS),
    ),
    Demo(
        "shade-sails",
        "Athis-Mons",
        2,
        f"Voiles d'ombrage solaires {FICTIONAL_FR}",
        "Toile Solaire",
        "Des voiles d'ombrage qui produisent de l'électricité pour l'éclairage du parvis.",
        "Shade sails producing electricity to light the forecourt.",
        (ENERGY, HEAT),
        late=True,
    ),
    Demo(
        "office-to-housing",
        "Fontenay-sous-Bois",
        2,
        f"Bureaux transformés en logements {FICTIONAL_FR}",
        "Réversible",
        "Un module qui transforme temporairement des bureaux vides en logements étudiants.",
        "A kit turning empty offices into student housing for a while.",
        (VISITORS, ENERGY),
    ),
    Demo(
        "green-roofs",
        "Fontenay-sous-Bois",
        2,
        f"Toitures végétalisées légères {FICTIONAL_FR}",
        "Toits Verts",
        "Des toitures végétalisées légères sur les bâtiments tertiaires du Val-de-Fontenay.",
        "Light green roofs on the Val-de-Fontenay office buildings.",
        (HEAT, WATER),
        status=S.SUSPENDED,
    ),
    Demo(
        "riverbank-clean",
        "Argenteuil",
        2,
        f"Berges propres {FICTIONAL_FR}",
        "Rive Nette",
        "Des filets de collecte des déchets flottants et des ateliers avec les écoles.",
        "Floating-waste nets and workshops with schools.",
        (WASTE, SATISFACTION),
    ),
    Demo(
        "worksite-noise",
        "Argenteuil",
        2,
        f"Chantier silencieux {FICTIONAL_FR}",
        "Calme Chantier",
        "Des capteurs de bruit et un affichage pour informer les riverains d'un chantier.",
        "Noise sensors and displays keeping a worksite's neighbours informed.",
        (SATISFACTION,),
        country="NL",
    ),
    Demo(
        "hydrogen-bikes",
        "Issy-les-Moulineaux",
        2,
        f"Vélos à hydrogène en libre-service {FICTIONAL_FR}",
        "H2 Roule",
        "Une petite flotte de vélos à hydrogène pour les salariés du quartier HydroSeine.",
        "A small fleet of hydrogen bikes for the HydroSeine district's workers.",
        (DELIVERIES, ENERGY),
        late=True,
    ),
    Demo(
        "shared-gardens",
        "Sucy-en-Brie",
        2,
        f"Jardins partagés nourriciers {FICTIONAL_FR}",
        "Potagers du Moulin",
        "Des jardins partagés au pied des immeubles de la Cité Verte.",
        "Shared vegetable gardens at the foot of the Cité Verte's buildings.",
        (VISITORS, SATISFACTION),
    ),
    Demo(
        "senior-mobility",
        "Sucy-en-Brie",
        2,
        f"Navette à la demande pour les seniors {FICTIONAL_FR}",
        "Roule Ma Poule",
        "Une navette électrique à la demande entre Fosse Rouge, le marché et la gare.",
        "An on-demand electric shuttle between Fosse Rouge, the market and the station.",
        (VISITORS,),
    ),
]

EVALUATION_CONCLUSIONS = {
    Outcome.CONTRACTED: "Résultats au rendez-vous ; la solution est adoptée par un acheteur.",
    Outcome.READY_TO_SCALE: "Solution mûre, prête à être déployée dans d'autres communes.",
    Outcome.TO_IMPROVE: "Usage réel mais irrégulier : le modèle économique est à revoir.",
    Outcome.STOPPED: "Peu d'usagers malgré l'animation : l'expérimentation s'arrête là.",
}
COMMENTS_STAFF = [
    "Merci pour ce rapport clair. Pensez à joindre la source des comptages.",
    "Très bonne dynamique ce trimestre ; parlons du calendrier de la suite en comité.",
    "Le retard sur l'installation est noté : la ville peut-elle aider pour l'autorisation ?",
]
COMMENTS_TOWN = [
    "Les habitants du quartier nous en parlent en bien, bravo.",
    "Le service voirie peut intervenir la semaine prochaine pour le raccordement.",
]


def _uuid(key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"experiment-{key}")


def _months_ago(today: dt.date, months: int) -> dt.date:
    return today.replace(day=1) - relativedelta(months=months)


def seed_experiments(*, staff, municipality_user, today: dt.date | None = None) -> list:
    """The demo experiments, their plan, measurements, reports and outcomes; idempotent.

    Returns the experiments created by this run.
    """
    today = today or timezone.localdate()
    experimenter = _demo_experimenter()
    districts = {
        (district.municipality.name, district.edition.number): district
        for district in InnovationDistrict.objects.select_related("municipality", "edition")
    }
    existing = set(
        Experiment.objects.filter(uuid__in=[_uuid(demo.key) for demo in DEMOS]).values_list(
            "uuid", flat=True
        )
    )
    created = []
    for index, demo in enumerate(DEMOS):
        if _uuid(demo.key) in existing:
            continue
        district = districts.get((demo.town, demo.edition))
        if district is None:
            continue
        rng = random.Random(index)  # noqa: S311 - demo data, not security
        created.append(
            _experiment(demo, district, rng, staff, municipality_user, experimenter, today)
        )
    return created


def _demo_experimenter():
    User = get_user_model()
    user, _ = User.objects.update_or_create(
        username=DEMO_EXPERIMENTER["username"],
        defaults={
            "email": DEMO_EXPERIMENTER["username"],
            "first_name": "Inès",
            "last_name": "Démo",
            "is_staff": False,
            "is_superuser": False,
            "is_active": True,
        },
    )
    if not user.check_password(DEMO_EXPERIMENTER["password"]):
        user.set_password(DEMO_EXPERIMENTER["password"])
        user.save(update_fields=["password"])
    return user


def _experimenter_user(demo: Demo, rng):
    person = Faker("fr_FR")
    person.seed_instance(rng.randint(0, 10**6))
    first, last = person.first_name(), person.last_name()
    email = f"{slugify(first)}.{slugify(last)}@{slugify(demo.organisation)[:30]}.example.org"
    user, _ = get_user_model().objects.get_or_create(
        username=email,
        defaults={
            "email": email,
            "first_name": first,
            "last_name": last,
            "password": make_password(None),
        },
    )
    return user


def _dates(demo: Demo, index: int, today: dt.date) -> tuple[dt.date, dt.date]:
    # Edition 2 in two waves, as its two calls: ten and six months ago.
    start = EDITION_1_START if demo.edition == 1 else _months_ago(today, 10 if index % 3 else 6)
    return start, start + relativedelta(months=18)


def _experiment(demo, district, rng, staff, town_user, demo_experimenter, today):
    index = DEMOS.index(demo)
    start, end = _dates(demo, index, today)
    user = demo_experimenter if demo.demo_login else _experimenter_user(demo, rng)
    experiment = Experiment.objects.create(
        uuid=_uuid(demo.key),
        district=district,
        organisation_name=demo.organisation,
        country=demo.country,
        solution_name=demo.solution,
        summary_fr=demo.summary_fr,
        summary_en=demo.summary_en,
        experimenter=user,
        contact_email=user.email,
        language="fr" if demo.country in ("FR", "BE") else "en",
        project_manager=staff,
        start_date=start,
        end_date=end,
        consents_publication=True,
        consent_recorded_at=_at(start - relativedelta(months=1)),
        created_at=_at(start - relativedelta(months=2)),
    )
    experiment.themes.set(district.themes.all()[:1])
    _history(experiment, staff, "", S.PLANNED, start - relativedelta(months=2), "")
    _walk(experiment, demo, staff, start, end, today)
    _sites(experiment, district, rng)
    milestones_generate(experiment=experiment)
    horizon = min(today, end)
    _milestones_done(experiment, demo, rng, horizon)
    reports = _reports(experiment, demo, rng, staff, town_user, today)
    _indicators(experiment, demo, rng, horizon, reports)
    if demo.edition == 1:
        _evaluation(experiment, demo, rng, staff, end, today)
    return experiment


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _history(experiment, by, origin, target, day, reason):
    ExperimentStatusChange.objects.create(
        experiment=experiment,
        from_status=origin,
        to_status=target,
        by=by,
        at=_at(day),
        reason=reason,
    )


def _walk(experiment, demo, staff, start, end, today):
    """Through ``experiment_set_status``, then each history row dated when it happened."""
    path = [
        (S.PREPARING, start - relativedelta(months=1), ""),
        (S.RUNNING, start, ""),
    ]
    if demo.status in (S.EVALUATING, S.ENDED):
        path.append((S.EVALUATING, end, ""))
    if demo.status == S.ENDED:
        path.append((S.ENDED, end + relativedelta(months=4), ""))
    if demo.status == S.SUSPENDED:
        reason = "Travaux d'étanchéité sur le toit d'accueil (fictif)."
        path.append((S.SUSPENDED, min(today, start + relativedelta(months=4)), reason))
    for status, day, reason in path:
        experiment_set_status(
            experiment=experiment, status=status, by=staff, reason=reason, today=today
        )
        experiment.status_changes.filter(to_status=status).update(at=_at(min(day, today)))
    experiment.refresh_from_db()


def _sites(experiment, district, rng):
    names = ["Place de la mairie", "Parvis de la gare", "Cour de l'école", "Square du marché"]
    for number in range(rng.randint(1, 2)):
        ExperimentSite.objects.create(
            experiment=experiment,
            name=names[(number + rng.randint(0, 3)) % len(names)],
            address=f"{rng.randint(1, 80)} rue de la République, {district.municipality.name}",
            latitude=district.latitude + Decimal(rng.randint(-40, 40)) / 10000,
            longitude=district.longitude + Decimal(rng.randint(-60, 60)) / 10000,
        )


def _milestones_done(experiment, demo, rng, horizon):
    """Past milestones are done a few days after their due date, except one when late."""
    milestones = list(experiment.milestones.order_by("due_date"))
    past = [m for m in milestones if m.due_date <= horizon]
    left_late = past[-1] if demo.late and past and past[-1].code != "kick-off" else None
    for milestone in past:
        if milestone is left_late:
            continue
        milestone.done_date = min(
            milestone.due_date + dt.timedelta(days=rng.randint(0, 12)), horizon
        )
        milestone.evidence = {
            MilestoneOwner.PROGRAMME: "Compte rendu de réunion partagé.",
            MilestoneOwner.MUNICIPALITY: "Convention d'occupation signée.",
            MilestoneOwner.EXPERIMENTER: "Photos et relevé de l'installation.",
        }[milestone.owner]
    Milestone.objects.bulk_update(past, ["done_date", "evidence"])


def _reports(experiment, demo, rng, staff, town_user, today):
    """Submitted reports for each period already due (the latest one missing when late)."""
    dates = [day for day in report_due_dates(experiment) if day <= today]
    if demo.late and dates and demo.edition == 2:
        dates = dates[:-1]
    reports = []
    previous = experiment.start_date
    for number, due in enumerate(dates, start=1):
        submitted = _at(min(due + dt.timedelta(days=rng.randint(1, 10)), today), 16)
        report = ProgressReport.objects.create(
            experiment=experiment,
            period_start=previous,
            period_end=due - dt.timedelta(days=1),
            status=ReportStatus.SUBMITTED,
            work_done=(
                f"Période {number} : installation et suivi du dispositif, "
                f"{rng.randint(2, 6)} ateliers avec les habitants."
            ),
            difficulties=rng.choice(
                [
                    "Un retard de livraison du matériel.",
                    "Peu de participation pendant les vacances scolaires.",
                    "Aucune difficulté majeure.",
                ]
            ),
            next_steps="Poursuivre les mesures et préparer le bilan avec la ville.",
            author=experiment.experimenter,
            created_at=submitted - dt.timedelta(days=2),
            submitted_at=submitted,
        )
        reports.append(report)
        previous = due
        if number % 2 == 1:
            ReportComment.objects.create(
                report=report,
                author=staff,
                body=COMMENTS_STAFF[number % len(COMMENTS_STAFF)],
                created_at=submitted + dt.timedelta(days=2),
            )
        if town_user is not None and experiment.district.municipality.name == "Aubervilliers":
            ReportComment.objects.create(
                report=report,
                author=town_user,
                body=COMMENTS_TOWN[number % len(COMMENTS_TOWN)],
                created_at=submitted + dt.timedelta(days=3),
            )
    living = experiment.status in (S.RUNNING, S.PREPARING, S.SUSPENDED)
    if demo.demo_login and living and previous <= today:
        draft = ProgressReport.objects.create(
            experiment=experiment,
            period_start=previous,
            period_end=min(previous + relativedelta(months=3) - dt.timedelta(days=1), today),
            work_done="Deux nouveaux bancs posés sur la place du marché.",
            difficulties="",
            next_steps="",
            author=experiment.experimenter,
        )
        for caption, colour in [("Le banc de la place", (40, 120, 70)), ("Relevé", (30, 80, 160))]:
            content = _demo_photo(colour)
            ReportPhoto.objects.create(
                report=draft,
                file=ContentFile(content, name="photo.png"),
                caption=f"{caption} (photo de démonstration)",
                content_type="image/png",
                size=len(content),
            )
    return reports


def _demo_photo(colour) -> bytes:
    """A small drawn picture (a bench in the shade), made with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (200, 225, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 220, 480, 320], fill=(190, 190, 180))
    draw.ellipse([300, 20, 460, 150], fill=colour)
    draw.rectangle([370, 140, 385, 230], fill=(110, 80, 50))
    draw.rectangle([90, 190, 290, 205], fill=(120, 90, 60))
    draw.rectangle([100, 205, 110, 240], fill=(80, 80, 80))
    draw.rectangle([270, 205, 280, 240], fill=(80, 80, 80))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _indicators(experiment, demo, rng, horizon, reports):
    """Indicators and a measurement at the end of each month, drifting toward the target."""
    pace = rng.uniform(0.6, 1.15)
    measurements = []
    for order, (name, unit, baseline, target, direction) in enumerate(demo.indicators):
        indicator = Indicator.objects.create(
            experiment=experiment,
            name=name,
            unit=unit,
            baseline=Decimal(baseline),
            target=Decimal(target),
            direction=direction,
            order=order,
        )
        span = indicator.target - indicator.baseline
        month = 1
        while True:
            day = experiment.start_date + relativedelta(months=month) - dt.timedelta(days=1)
            if day > horizon or day > experiment.end_date:
                break
            share = min(1.1, pace * month / 18) + rng.uniform(-0.06, 0.06)
            value = (indicator.baseline + span * Decimal(str(round(share, 3)))).quantize(
                Decimal("0.1")
            )
            report = next(
                (r for r in reports if r.period_start <= day <= r.period_end),
                None,
            )
            measurements.append(
                Measurement(
                    indicator=indicator,
                    measured_on=day,
                    value=max(value, Decimal(0)),
                    source=rng.choice(["Comptage sur site", "Capteur", "Enquête", "Relevé"]),
                    report=report,
                    recorded_by=experiment.experimenter,
                    recorded_at=_at(day, 18),
                )
            )
            month += 1
    Measurement.objects.bulk_create(measurements)


def _evaluation(experiment, demo, rng, staff, end, today):
    grid = {
        code: rng.randint(2, 5)
        for code in (
            "utility",
            "sustainable_development",
            "sobriety",
            "resilience",
            "quality_of_life",
            "feasibility",
            "user_feedback",
        )
    }
    if demo.status == S.EVALUATING:
        # Being evaluated: half the grid filled in, no outcome yet.
        Evaluation.objects.create(
            experiment=experiment,
            **dict(list(grid.items())[:4]),
            evaluated_by=staff,
            evaluated_on=min(end + relativedelta(months=2), today),
        )
        return
    Evaluation.objects.create(
        experiment=experiment,
        **grid,
        conclusion=EVALUATION_CONCLUSIONS[demo.outcome],
        outcome=demo.outcome,
        buyer=demo.buyer,
        evaluated_by=staff,
        evaluated_on=min(end + relativedelta(months=3), today),
    )
    # Alumni: what became of it after the programme.
    first = min(end + relativedelta(months=6), today)
    updates = [(first, demo.outcome, demo.buyer, "Point d'étape six mois après le programme.")]
    if demo.outcome == Outcome.READY_TO_SCALE:
        updates.append(
            (
                min(end + relativedelta(months=14), today),
                Outcome.CONTRACTED,
                "Ville de Clamart (fictif)",
                "Déploiement dans une deuxième commune.",
            )
        )
    for recorded_on, outcome, buyer, note in updates:
        OutcomeUpdate.objects.create(
            experiment=experiment,
            recorded_on=recorded_on,
            outcome=outcome,
            buyer=buyer,
            note=note,
            recorded_by=staff,
        )
