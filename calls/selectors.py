"""Reads of calls and applications; states come from the clock, scores from the database.

Scores, rankings and statistics are computed in SQL here, never typed in and
never looped over in Python: their query counts do not grow with the rows.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower, NullIf, TruncDate
from django.utils import timezone, translation

from municipalities.models import InnovationDistrict
from municipalities.permissions import PROGRAMME_STAFF, REVIEWERS

from .enums import ApplicationStatus as S
from .enums import LegalForm, Opinion
from .models import (
    Application,
    ApplicationStatusChange,
    Call,
    MunicipalityOpinion,
    PreRegistration,
    ReviewAssignment,
    Score,
    SelectionCriterion,
)

SCORE_FIELD = DecimalField(max_digits=7, decimal_places=4)
# Statuses an application reaches only after being found eligible.
AFTER_ELIGIBLE = [S.ELIGIBLE, S.UNDER_REVIEW, S.SHORTLISTED, S.SELECTED, S.WAITING_LIST]
# What the ranking shows: applications that went to review or came out of it.
RANKED = [S.ELIGIBLE, S.UNDER_REVIEW, S.SHORTLISTED, S.SELECTED, S.WAITING_LIST, S.REJECTED]


def calls_open_or_upcoming(now=None) -> QuerySet[Call]:
    now = now or timezone.now()
    return Call.objects.filter(closes_at__gt=now).select_related("edition").order_by("closes_at")


def calls_public() -> QuerySet[Call]:
    return Call.objects.select_related("edition").order_by("-opens_at")


def call_districts(call) -> QuerySet:
    return call.districts.select_related("municipality").prefetch_related("themes")


# Scores ---------------------------------------------------------------------


def counted_assignments() -> QuerySet[ReviewAssignment]:
    """The reviews that count: completed, and no conflict of interest declared."""
    return ReviewAssignment.objects.filter(
        completed_at__isnull=False, conflict_declared_at__isnull=True
    )


def assignment_score_expression(outer: str = "pk") -> Subquery:
    """One review's weighted score: sum(value × weight) / sum(weight)."""
    weighted = ExpressionWrapper(F("value") * F("criterion__weight"), output_field=SCORE_FIELD)
    return Subquery(
        Score.objects.filter(assignment=OuterRef(outer))
        .order_by()
        .values("assignment")
        .annotate(
            score=ExpressionWrapper(
                Sum(weighted) / Sum("criterion__weight"), output_field=SCORE_FIELD
            )
        )
        .values("score")[:1],
        output_field=SCORE_FIELD,
    )


def weighted_score_expression(outer: str = "pk") -> Subquery:
    """An application's weighted score: the mean of its counted reviews' scores, or NULL."""
    return Subquery(
        counted_assignments()
        .filter(application=OuterRef(outer))
        .annotate(score=assignment_score_expression())
        .order_by()
        .values("application")
        .annotate(mean=Avg("score", output_field=SCORE_FIELD))
        .values("mean")[:1],
        output_field=SCORE_FIELD,
    )


def review_count_expression(outer: str = "pk") -> Coalesce:
    return _count(counted_assignments().filter(application=OuterRef(outer)), "application")


def conflict_count_expression(outer: str = "pk") -> Coalesce:
    return _count(
        ReviewAssignment.objects.filter(
            application=OuterRef(outer), conflict_declared_at__isnull=False
        ),
        "application",
    )


def assignment_count_expression(outer: str = "pk") -> Coalesce:
    return _count(ReviewAssignment.objects.filter(application=OuterRef(outer)), "application")


def criterion_mean_expression(criterion_id: int, outer: str = "pk") -> Subquery:
    """The mean value given to one criterion by the counted reviews of an application."""
    return Subquery(
        Score.objects.filter(
            criterion_id=criterion_id,
            assignment__application=OuterRef(outer),
            assignment__completed_at__isnull=False,
            assignment__conflict_declared_at__isnull=True,
        )
        .order_by()
        .values("criterion")
        .annotate(mean=Avg("value", output_field=SCORE_FIELD))
        .values("mean")[:1],
        output_field=SCORE_FIELD,
    )


def duplicate_expression() -> ExpressionWrapper:
    """Another application to the same call by the same SIRET or organisation name.

    Two EXISTS rather than one with an OR inside: each follows its own index
    ((call, siret) and (lower(name), call)) instead of scanning the call.
    """
    others = Application.objects.filter(call=OuterRef("call")).exclude(pk=OuterRef("pk"))
    same_siret = others.filter(siret=OuterRef("siret")).exclude(siret="")
    same_name = (
        others.annotate(organisation_lower=Lower("organisation_name"))
        .filter(organisation_lower=Lower(OuterRef("organisation_name")))
        .exclude(organisation_name="")
    )
    # CASE evaluates lazily: an empty SIRET or name never runs its subquery.
    return ExpressionWrapper(
        Q(Case(When(siret="", then=Value(False)), default=Exists(same_siret)))
        | Q(Case(When(organisation_name="", then=Value(False)), default=Exists(same_name))),
        output_field=BooleanField(),
    )


def duplicates_q() -> Q:
    """The same flag as a filter over a whole table: two window counts, each run once."""

    def shared(*partition):
        return Application.objects.annotate(
            n=Window(Count("pk"), partition_by=[F("call_id"), *partition])
        ).filter(n__gt=1)

    by_siret = shared(F("siret")).exclude(siret="").values("pk")
    by_name = shared(Lower("organisation_name")).exclude(organisation_name="").values("pk")
    return Q(pk__in=by_siret) | Q(pk__in=by_name)


def _count(queryset, group_by) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def applications_with_scores(queryset=None) -> QuerySet[Application]:
    """Applications with their weighted score, reviews, conflicts and duplicate flag."""
    queryset = Application.objects.all() if queryset is None else queryset
    return queryset.annotate(
        weighted_score=weighted_score_expression(),
        review_count=review_count_expression(),
        conflict_count=conflict_count_expression(),
        possible_duplicate=duplicate_expression(),
    )


def assignments_with_scores(queryset) -> QuerySet[ReviewAssignment]:
    return queryset.annotate(score=assignment_score_expression())


# Reviewers ------------------------------------------------------------------


def reviewers_available() -> QuerySet:
    """Who may be asked to review: active members of the Reviewers group, or staff."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=REVIEWERS) | Q(groups__name=PROGRAMME_STAFF) | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def open_review_count_expression(outer: str = "pk") -> Coalesce:
    """A reviewer's reviews still to do (assigned, not completed, no conflict)."""
    return _count(
        ReviewAssignment.objects.filter(
            reviewer=OuterRef(outer), completed_at__isnull=True, conflict_declared_at__isnull=True
        ),
        "reviewer",
    )


def reviewer_assignments(user) -> QuerySet[ReviewAssignment]:
    """A reviewer's own assignments, without conflicts, for the "My reviews" page."""
    from .permissions import assignments_of_reviewer

    return (
        assignments_of_reviewer(user)
        .select_related("application", "application__call")
        .annotate(
            scored=Count("scores", distinct=True),
            criteria=Count("application__call__criteria", distinct=True),
        )
        .order_by("completed_at", "-assigned_at", "pk")
    )


def assignment_scores(assignment) -> dict:
    """{criterion id: Score} of one assignment (only its own reviewer's)."""
    return {score.criterion_id: score for score in assignment.scores.all()}


# Ranking --------------------------------------------------------------------


RANKING_LIMIT = 100
# What no limit means to call_ranking's query (positions are counted in a district).
NO_LIMIT = 2**31 - 1


def _scores_sql():
    """SQL of each application's weighted score, reviews and conflicts, for one call.

    Set-based (two grouped passes over the call's scores and assignments),
    so that ranking thousands of applications costs one aggregation, not a
    correlated subquery per row. Parameters: the call's id, twice.
    """
    score = Score._meta.db_table
    criterion = SelectionCriterion._meta.db_table
    assignment = ReviewAssignment._meta.db_table
    application = Application._meta.db_table
    return (
        f"SELECT a.application_id, AVG(r.score) AS weighted,"  # noqa: S608 — names only
        f" COUNT(r.assignment_id) AS reviews,"
        f" SUM(CASE WHEN a.conflict_declared_at IS NULL THEN 0 ELSE 1 END) AS conflicts"
        f" FROM {assignment} a JOIN {application} ap ON ap.id = a.application_id"
        f" LEFT JOIN ("
        f"  SELECT s.assignment_id, SUM(s.value * c.weight) / SUM(c.weight) AS score"
        f"  FROM {score} s JOIN {criterion} c ON c.id = s.criterion_id"
        f"  WHERE c.call_id = %s GROUP BY s.assignment_id"
        f" ) r ON r.assignment_id = a.id"
        f" AND a.completed_at IS NOT NULL AND a.conflict_declared_at IS NULL"
        f" WHERE ap.call_id = %s GROUP BY a.application_id"
    )


def call_ranking(call, *, limit: int | None = RANKING_LIMIT) -> list[dict]:
    """Per district, the applications ranked by weighted score (best first), in SQL.

    A call for experimenters ranks per target district (an application that
    targets two districts is ranked in both), each row with the opinion of
    the district's town; a call to municipalities ranks all its applications
    together. Only the first ``limit`` ranks of each district are returned
    (None: all). Returns [{"district": district or None, "total": n, "rows": [...]}].
    """
    application = Application._meta.db_table
    statuses = ", ".join(["%s"] * len(RANKED))
    if call.is_for_municipalities:
        source = f"{application} ap"
        district = "NULL"
    else:
        through = Application.target_districts.through._meta.db_table
        source = f"{through} td JOIN {application} ap ON ap.id = td.application_id"
        district = "td.innovationdistrict_id"
    sql = (
        f"WITH scores AS ({_scores_sql()}),"  # noqa: S608 — names and placeholders only
        f" ranked AS ("
        f"  SELECT {district} AS district_id, ap.id AS application_id, p.weighted,"
        f"  COALESCE(p.reviews, 0) AS reviews, COALESCE(p.conflicts, 0) AS conflicts,"
        f"  RANK() OVER (PARTITION BY {district}"
        f"   ORDER BY CASE WHEN p.weighted IS NULL THEN 1 ELSE 0 END, p.weighted DESC) AS rank,"
        f"  ROW_NUMBER() OVER (PARTITION BY {district}"
        f"   ORDER BY CASE WHEN p.weighted IS NULL THEN 1 ELSE 0 END, p.weighted DESC, ap.id)"
        f"   AS position,"
        f"  COUNT(*) OVER (PARTITION BY {district}) AS total"
        f"  FROM {source} LEFT JOIN scores p ON p.application_id = ap.id"
        f"  WHERE ap.call_id = %s AND ap.status IN ({statuses})"
        f" )"
        f" SELECT district_id, application_id, weighted, reviews, conflicts, rank, total"
        f" FROM ranked WHERE position <= %s"
        f" ORDER BY district_id, position"
    )
    # No limit: every rank (a typed bound, as the server binds the parameters).
    params = [call.pk, call.pk, call.pk, *RANKED, NO_LIMIT if limit is None else limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    applications = Application.objects.select_related("call").in_bulk({row[1] for row in rows})
    districts = InnovationDistrict.objects.select_related("municipality").in_bulk(
        {row[0] for row in rows if row[0] is not None}
    )
    opinions = {}
    if districts:
        opinions = {
            (opinion.application_id, opinion.district_id): opinion
            for opinion in MunicipalityOpinion.objects.filter(
                application_id__in=applications, district_id__in=districts
            )
        }
    groups: dict = {}
    for district_id, application_id, weighted, reviews, conflicts, rank, total in rows:
        group = groups.setdefault(
            district_id,
            {"district": districts.get(district_id), "total": total, "rows": []},
        )
        opinion = opinions.get((application_id, district_id))
        group["rows"].append(
            {
                "application": applications[application_id],
                "rank": rank,
                "weighted_score": _decimal(weighted),
                "review_count": reviews,
                "conflict_count": conflicts,
                "opinion": Opinion(opinion.opinion) if opinion else None,
                "opinion_comment": opinion.comment if opinion else "",
            }
        )
    return sorted(
        groups.values(),
        key=lambda group: group["district"].municipality.name if group["district"] else "",
    )


# Statistics -----------------------------------------------------------------


STATISTICS_TTL = 60


def call_statistics_cached(call, *, fresh: bool = False) -> dict:
    """The statistics, kept a minute: at 100,000 applications they cost a few table scans.

    ``fresh`` recomputes them now. The figures carry the instant they were
    computed at, which the page shows.
    """
    key = f"calls:statistics:{call.pk}"
    stats = None if fresh else cache.get(key)
    if stats is None:
        stats = call_statistics(call)
        stats["computed_at"] = timezone.now()
        cache.set(key, stats, STATISTICS_TTL)
    return stats


def call_statistics(call) -> dict:
    """Every figure of a call's statistics page, in a fixed number of queries."""
    applications = Application.objects.filter(call=call)

    def reached(status):
        # A non-correlated IN: PostgreSQL hashes the history once instead of probing per row.
        # Not joined to the applications: the outer query already keeps this call's.
        return Q(
            pk__in=ApplicationStatusChange.objects.filter(to_status=status).values("application_id")
        )

    submitted = Q(submitted_at__isnull=False) | ~Q(status__in=[S.DRAFT, S.WITHDRAWN])
    funnel = applications.aggregate(
        started=Count("pk"),
        submitted=Count("pk", filter=submitted),
        eligible=Count("pk", filter=Q(status__in=AFTER_ELIGIBLE) | reached(S.ELIGIBLE)),
        selected=Count("pk", filter=Q(status=S.SELECTED) | reached(S.SELECTED)),
        with_country=Count("pk", filter=submitted & ~Q(country="")),
        international=Count("pk", filter=submitted & ~Q(country="") & ~Q(country="FR")),
        # The legal forms in the same pass over the applications.
        **{
            f"legal_form_{code}": Count("pk", filter=submitted & Q(legal_form=code))
            for code in LegalForm.values
        },
    )
    preregistrations = PreRegistration.objects.filter(call=call, confirmed_at__isnull=False).count()
    funnel_rows = _bars(
        [
            ("preregistrations", preregistrations),
            ("started", funnel["started"]),
            ("submitted", funnel["submitted"]),
            ("eligible", funnel["eligible"]),
            ("selected", funnel["selected"]),
        ]
    )

    legal_forms = _bars(
        sorted(
            (
                (label, funnel[f"legal_form_{code}"])
                for code, label in LegalForm.choices
                if funnel[f"legal_form_{code}"]
            ),
            key=lambda pair: -pair[1],
        )
    )

    Districts = Application.target_districts.through
    district_counts = {
        row["innovationdistrict_id"]: row
        for row in Districts.objects.filter(application__call=call)
        .filter(
            Q(application__submitted_at__isnull=False)
            | ~Q(application__status__in=[S.DRAFT, S.WITHDRAWN])
        )
        .order_by()
        .values("innovationdistrict_id")
        .annotate(
            submitted=Count("pk"),
            selected=Count("pk", filter=Q(application__status=S.SELECTED)),
        )
    }
    per_district = [
        {
            "district": district,
            "submitted": district_counts.get(district.pk, {}).get("submitted", 0),
            "selected": district_counts.get(district.pk, {}).get("selected", 0),
        }
        for district in call.districts.select_related("municipality").order_by("municipality__name")
    ]
    _widths(per_district, "submitted")

    Themes = Application.themes.through
    theme_counts = dict(
        Themes.objects.filter(application__call=call)
        .filter(
            Q(application__submitted_at__isnull=False)
            | ~Q(application__status__in=[S.DRAFT, S.WITHDRAWN])
        )
        .order_by()
        .values_list("urbanchallenge_id")
        .annotate(n=Count("pk"))
    )
    per_theme = _bars(
        [
            (theme, theme_counts.get(theme.pk, 0))
            for theme in call.edition.challenges.order_by("order", "pk")
        ]
    )

    per_day = _bars(
        list(
            applications.filter(submitted_at__isnull=False)
            .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_default_timezone()))
            .order_by()
            .values_list("day")
            .annotate(n=Count("pk"))
            .order_by("day")
        )
    )
    return {
        "funnel": funnel_rows,
        "submitted": funnel["submitted"],
        "legal_forms": legal_forms,
        "with_country": funnel["with_country"],
        "international": funnel["international"],
        "international_share": _percent(funnel["international"], funnel["with_country"]),
        "per_district": per_district,
        "per_theme": per_theme,
        "per_day": per_day,
    }


def _percent(part, whole):
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _bars(pairs) -> list[dict]:
    """[(label, count)] → rows with the bar's width in percent of the largest."""
    rows = [{"label": label, "count": count} for label, count in pairs]
    _widths(rows, "count")
    return rows


def _widths(rows, key):
    top = max((row[key] for row in rows), default=0)
    for row in rows:
        row["width"] = round(row[key] * 100 / top) if top else 0


# Exports --------------------------------------------------------------------


def call_export_criteria(call) -> list[SelectionCriterion]:
    return list(call.criteria.order_by("order", "pk"))


def call_export_rows(call) -> QuerySet:
    """The export's rows as plain tuples, read with ``.iterator(chunk_size=...)``.

    Nothing computed per row here: the scores come from ``call_score_rows``
    and the duplicates from ``call_duplicate_keys``, each one set-based
    query, merged in the export (a correlated subquery per row and column
    costs seconds at 100,000 applications).
    """
    return (
        Application.objects.filter(call=call)
        .exclude(status=S.DRAFT)
        .order_by("pk")
        .values_list(*EXPORT_FIELDS)
    )


def call_duplicate_keys(call) -> tuple[set, set]:
    """SIRETs and lower-cased organisation names found on several applications of the call."""

    def shared(expression):
        return set(
            Application.objects.filter(call=call)
            .annotate(key=expression)
            .exclude(key="")
            .order_by()
            .values_list("key", flat=True)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )

    return shared(F("siret")), shared(Lower("organisation_name"))


def call_score_rows(call, criteria, *, chunk_size: int = 2000):
    """Yield (application id, weighted score, reviews, conflicts, *mean per criterion).

    One query for the whole call, ordered by application id and read in
    chunks through a server-side cursor, to be merged with the export's rows
    (same order): set-based aggregation (hash aggregates over the call's
    scores) instead of a correlated subquery per row and column, which costs
    seconds at 100,000 applications. The weighted score is the mean over
    counted reviews (completed, no conflict) of each review's
    sum(value × weight) / sum(weight): two levels of aggregation, hence SQL
    with a derived table (portable: PostgreSQL and SQLite). Applications
    without any assignment do not appear.
    """
    score = Score._meta.db_table
    criterion = SelectionCriterion._meta.db_table
    assignment = ReviewAssignment._meta.db_table
    application = Application._meta.db_table
    per_criterion_inner = "".join(
        f", MAX(CASE WHEN s.criterion_id = %s THEN s.value END) AS c{index}"
        for index in range(len(criteria))
    )
    per_criterion_outer = "".join(f", AVG(r.c{index})" for index in range(len(criteria)))
    sql = (
        f"SELECT a.application_id, AVG(r.score), COUNT(r.assignment_id),"  # noqa: S608 — names only
        f" SUM(CASE WHEN a.conflict_declared_at IS NULL THEN 0 ELSE 1 END){per_criterion_outer}"
        f" FROM {assignment} a JOIN {application} ap ON ap.id = a.application_id"
        f" LEFT JOIN ("
        f"  SELECT s.assignment_id,"
        f"  SUM(s.value * CAST(c.weight AS DOUBLE PRECISION))"
        f"  / SUM(CAST(c.weight AS DOUBLE PRECISION)) AS score"
        f"  {per_criterion_inner}"
        f"  FROM {score} s JOIN {criterion} c ON c.id = s.criterion_id"
        f"  WHERE c.call_id = %s GROUP BY s.assignment_id"
        f" ) r ON r.assignment_id = a.id"
        f" AND a.completed_at IS NOT NULL AND a.conflict_declared_at IS NULL"
        f" WHERE ap.call_id = %s"
        f" GROUP BY a.application_id ORDER BY a.application_id"
    )
    params = [criterion.pk for criterion in criteria] + [call.pk, call.pk]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            for application_id, mean, reviews, conflicts, *means in rows:
                yield (
                    application_id,
                    _decimal(mean),
                    reviews,
                    conflicts or 0,
                    *[_decimal(value) for value in means],
                )


def _decimal(value):
    return None if value is None else Decimal(str(value))


EXPORT_FIELDS = [
    "pk",
    "reference",
    "status",
    "submitted_at",
    "organisation_name",
    "legal_form",
    "country",
    "siret",
    "website",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
    "solution_name",
    "solution_summary",
    "maturity",
    "town_name",
    "town_insee_code",
    "district_name",
    "selected_district__municipality__name",
]


def application_target_names(first_id: int, last_id: int) -> tuple[dict, dict]:
    """{application id: "town, town"}, {application id: "theme, theme"} for a range of ids."""
    in_range = {"application_id__gte": first_id, "application_id__lte": last_id}
    districts: dict[int, list[str]] = {}
    for application_id, name in (
        Application.target_districts.through.objects.filter(**in_range)
        .order_by("innovationdistrict__municipality__name")
        .values_list("application_id", "innovationdistrict__municipality__name")
    ):
        districts.setdefault(application_id, []).append(name)
    themes: dict[int, list[str]] = {}
    for application_id, name in (
        Application.themes.through.objects.filter(**in_range)
        .order_by("urbanchallenge__order")
        .values_list("application_id", _translated("urbanchallenge__name"))
    ):
        themes.setdefault(application_id, []).append(name)
    return (
        {key: ", ".join(value) for key, value in districts.items()},
        {key: ", ".join(value) for key, value in themes.items()},
    )


def _translated(field: str):
    """A translated column in the current language, French when it is empty."""
    language = translation.get_language() or "fr"
    if language == "fr":
        return F(f"{field}_fr")
    return Coalesce(
        NullIf(F(f"{field}_{language}"), Value("")),
        F(f"{field}_fr"),
        output_field=CharField(),
    )
