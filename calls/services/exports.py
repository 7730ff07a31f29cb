"""Exports of a call's applications with their scores, as CSV and XLSX.

Rows come from one query read in chunks of 2,000, merged with one query of
the call's scores (aggregated in SQL, read in chunks too), plus two small
queries per chunk (districts, themes): the worker's memory stays flat and the
query count grows with the chunks, never with the rows. Every text cell is
made safe against spreadsheet formula injection.
"""

import csv
import itertools
import os
import tempfile
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from .. import selectors
from ..enums import ApplicationStatus, LegalForm, Maturity

CHUNK = 2000
# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)
BOM = "\ufeff"


def cell_safe(value):
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    if value.__class__ is str and value[:1] in FORMULA_FIRST:
        return "'" + value
    return value


def call_export_header(*, criteria) -> list[str]:
    return [
        _("Reference"),
        _("Status"),
        _("Submitted at (Paris time)"),
        _("Organisation"),
        _("Legal form"),
        _("Country"),
        _("SIRET"),
        _("Website"),
        _("Contact first name"),
        _("Contact last name"),
        _("Contact email"),
        _("Contact phone"),
        _("Solution"),
        _("Summary"),
        _("Maturity"),
        _("Town"),
        _("INSEE code"),
        _("Proposed district"),
        _("Selected for the district of"),
        _("Target districts"),
        _("Themes"),
        _("Weighted score"),
        _("Completed reviews"),
        _("Conflicts of interest"),
        _("Possible duplicate"),
        *[_("Mean score: %(criterion)s") % {"criterion": criterion.name} for criterion in criteria],
    ]


# Columns of the rows (see call_export_header): texts up to the themes, then numbers.
TEXT_COLUMNS = range(21)
WEIGHTED_COLUMN = 21
FIRST_MEAN_COLUMN = 25


def call_export_rows(*, call, criteria):
    """Yield the export's rows (lists of str, Decimal or int, formula-safe), in call order.

    The loop is the hot path of a 100,000-row export: labels are translated
    once, the scores stream is merged (both ordered by application id), and
    only text columns are checked for formulas.
    """
    rows = selectors.call_export_rows(call).iterator(chunk_size=CHUNK)
    statuses = {key: str(label) for key, label in ApplicationStatus.choices}
    legal_forms = {key: str(label) for key, label in LegalForm.choices}
    maturities = {key: str(label) for key, label in Maturity.choices}
    country_names = {code: str(name) for code, name in countries}
    yes, no = _("yes"), _("no")
    no_score = (None, None, 0, 0, *[None] * len(criteria))
    paris = timezone.get_current_timezone()
    shared_sirets, shared_names = selectors.call_duplicate_keys(call)
    scores = selectors.call_score_rows(call, criteria, chunk_size=CHUNK)
    score = next(scores, None)
    for chunk in _batched(rows, CHUNK):
        districts, themes = selectors.application_target_names(chunk[0][0], chunk[-1][0])
        for (
            pk,
            reference,
            status,
            submitted_at,
            organisation,
            legal_form,
            country,
            siret,
            website,
            first_name,
            last_name,
            email,
            phone,
            solution,
            summary,
            maturity,
            town,
            insee,
            district_name,
            selected_district,
        ) in chunk:
            while score is not None and score[0] < pk:
                score = next(scores, None)
            _id, weighted, reviews, conflicts, *means = (
                score if score is not None and score[0] == pk else no_score
            )
            duplicate = siret in shared_sirets or organisation.lower() in shared_names
            values = [
                reference or "",
                statuses.get(status, status),
                submitted_at.astimezone(paris).strftime("%Y-%m-%d %H:%M") if submitted_at else "",
                organisation,
                legal_forms.get(legal_form, legal_form),
                country_names.get(country, country),
                siret,
                website,
                first_name,
                last_name,
                email,
                phone,
                solution,
                summary,
                maturities.get(maturity, maturity),
                town,
                insee,
                district_name,
                selected_district or "",
                districts.get(pk, ""),
                themes.get(pk, ""),
                _rounded(weighted),
                reviews,
                conflicts,
                yes if duplicate else no,
                *[_rounded(mean) for mean in means],
            ]
            for index in TEXT_COLUMNS:
                value = values[index]
                if value and value[0] in FORMULA_FIRST:
                    values[index] = "'" + value
            yield values


def call_export_csv_chunks(*, call):
    """The CSV as text chunks: BOM, then `;`-separated lines, for French Excel."""
    criteria = selectors.call_export_criteria(call)
    decimal_columns = [
        WEIGHTED_COLUMN,
        *range(FIRST_MEAN_COLUMN, FIRST_MEAN_COLUMN + len(criteria)),
    ]
    buffer = _Lines()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(call_export_header(criteria=criteria))
    yield BOM + buffer.take()
    for chunk in _batched(call_export_rows(call=call, criteria=criteria), 1000):
        for row in chunk:
            for index in decimal_columns:
                # French Excel reads a decimal comma.
                value = row[index]
                row[index] = "" if value is None else str(value).replace(".", ",")
        writer.writerows(chunk)
        yield buffer.take()


def call_export_xlsx(*, call):
    """Write the XLSX to a temporary file, row by row (constant memory); return it open.

    The file is already unlinked: it disappears once the response closes it.
    """
    import xlsxwriter

    criteria = selectors.call_export_criteria(call)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "tmpdir": tempfile.gettempdir(),
            },
        )
        sheet = workbook.add_worksheet(_("Applications")[:31])
        bold = workbook.add_format({"bold": True})
        score = workbook.add_format({"num_format": "0.00"})
        header = call_export_header(criteria=criteria)
        for column, title in enumerate(header):
            sheet.write_string(0, column, title, bold)
        sheet.freeze_panes(1, 0)
        for line, row in enumerate(call_export_rows(call=call, criteria=criteria), start=1):
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, Decimal):
                    sheet.write_number(line, column, float(value), score)
                elif isinstance(value, int):
                    sheet.write_number(line, column, value)
                else:
                    sheet.write_string(line, column, str(value))
        workbook.close()
        file = open(path, "rb")  # noqa: SIM115 — the response closes it
    finally:
        os.unlink(path)
    return file


def call_export_filename(call, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{call.slug}-applications-{stamp}.{extension}"


class _Lines:
    """A file-like object for csv.writer that hands back what was written."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _batched(iterable, size):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _rounded(value):
    # Half up, as PostgreSQL's ROUND does for the COPY path.
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)


def call_export_csv_stream(*, call):
    """The CSV of a call, by PostgreSQL's COPY when available, else row by row in Python.

    COPY builds every line in the database (labels, Paris time, formula
    guard, decimal comma, scores aggregated set-based) and streams it: at
    100,000 applications the Python loop costs seconds that COPY does not.
    Both give the same cells (tested).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield from call_export_csv_chunks(call=call)
        return
    criteria = selectors.call_export_criteria(call)
    buffer = _Lines()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(
        call_export_header(criteria=criteria)
    )
    yield (BOM + buffer.take()).encode()
    sql, params = _copy_query(call, criteria)
    connection.ensure_connection()
    raw = connection.connection
    # Its own transaction (a savepoint inside one) for settings that last only
    # as long as the COPY.
    with raw.transaction(), raw.cursor() as cursor:
        cursor.execute(COPY_SETTINGS)
        with cursor.copy(sql, params) as copy:
            pending, size = [], 0
            for data in copy:
                pending.append(bytes(data))
                size += len(data)
                if size >= 256 * 1024:
                    yield b"".join(pending)
                    pending, size = [], 0
            if pending:
                yield b"".join(pending)


# For the export's one big query. Parallel workers would each compute every
# aggregate again (only the scans are shared) on a server of two cores; JIT
# compiling its hundreds of expressions costs more than it saves; its hash
# aggregates of 100,000 applications need about 150 MB, or spill to disk.
COPY_SETTINGS = (
    "SELECT set_config('max_parallel_workers_per_gather', '0', true),"
    " set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
)


def _safe_sql(expression: str) -> str:
    """The formula guard of cell_safe, in SQL: a code point compared, no substring made."""
    codes = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
    return (
        f"CASE WHEN ASCII({expression}) IN ({codes})"
        f" THEN '''' || {expression} ELSE {expression} END"
    )


def _label_sql(column: str, choices, params: list) -> str:
    cases = []
    for key, label in choices:
        cases.append("WHEN %s THEN %s")
        params.extend([key, str(label)])
    return f"CASE {column} {' '.join(cases)} ELSE {column} END"


def _decimal_sql(expression: str) -> str:
    # ROUND(…, 2) keeps two decimals: its text is the figure (TO_CHAR on a
    # numeric is several times slower), with a decimal comma.
    return f"COALESCE(REPLACE(CAST({expression} AS TEXT), '.', ','), '')"


def _copy_query(call, criteria):
    """COPY (SELECT …) TO STDOUT: the export's rows as `;`-separated CSV lines.

    The applications table is wide: it is scanned twice, once for the rows and
    once for ``listed`` (the call's ids and duplicate keys, drafts included),
    which the aggregates (scores, districts, themes, duplicates) join instead
    of scanning the table again. Each aggregate is one grouped subquery joined
    by application id; the duplicate keys are probed as hashed subplans.
    """
    from django.conf import settings
    from django.utils import translation

    from municipalities.models import InnovationDistrict, Municipality, UrbanChallenge

    from ..models import Application

    application = Application._meta.db_table
    districts = Application.target_districts.through._meta.db_table
    themes = Application.themes.through._meta.db_table
    district = InnovationDistrict._meta.db_table
    municipality = Municipality._meta.db_table
    challenge = UrbanChallenge._meta.db_table
    language = translation.get_language() or "fr"
    if language not in dict(settings.LANGUAGES):
        language = "fr"
    theme_name = (
        "uc.name_fr"
        if language == "fr"
        else f"COALESCE(NULLIF(uc.name_{language}, ''), uc.name_fr)"
    )
    status_params: list = []
    status = _label_sql("ap.status", ApplicationStatus.choices, status_params)
    legal_form_params: list = []
    legal_form = _label_sql("ap.legal_form", LegalForm.choices, legal_form_params)
    maturity_params: list = []
    maturity = _label_sql("ap.maturity", Maturity.choices, maturity_params)
    # (SQL, its parameters), in the order of the header.
    columns = [
        ("COALESCE(ap.reference, '')", []),
        (status, status_params),
        (
            "COALESCE(TO_CHAR(ap.submitted_at AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI'), '')",
            [str(timezone.get_current_timezone())],
        ),
        (_safe_sql("ap.organisation_name"), []),
        (legal_form, legal_form_params),
        ("COALESCE(cn.name, ap.country)", []),
        *[
            (_safe_sql(f"ap.{field}"), [])
            for field in (
                "siret",
                "website",
                "contact_first_name",
                "contact_last_name",
                "contact_email",
                "contact_phone",
                "solution_name",
                "solution_summary",
            )
        ],
        (maturity, maturity_params),
        (_safe_sql("ap.town_name"), []),
        (_safe_sql("ap.town_insee_code"), []),
        (_safe_sql("ap.district_name"), []),
        (_safe_sql("COALESCE(sm.name, '')"), []),
        (_safe_sql("COALESCE(tdn.names, '')"), []),
        (_safe_sql("COALESCE(thn.names, '')"), []),
        (_decimal_sql("ROUND(p.weighted, 2)"), []),
        ("COALESCE(p.reviews, 0)", []),
        ("COALESCE(p.conflicts, 0)", []),
        (
            "CASE WHEN ap.siret IN (SELECT siret FROM dup WHERE siret IS NOT NULL)"
            " OR LOWER(ap.organisation_name) IN (SELECT name FROM dup WHERE name IS NOT NULL)"
            " THEN %s ELSE %s END",
            [str(_("yes")), str(_("no"))],
        ),
        *[(_decimal_sql(f"ROUND(p.c{index}, 2)"), []) for index in range(len(criteria))],
    ]
    select_params = [param for _sql, column_params in columns for param in column_params]
    country_values = ", ".join(["(%s, %s)"] * len(list(countries)))
    country_params = [value for code, name in countries for value in (code, str(name))]
    scores_sql, scores_params = _scores_with_means_sql(criteria, call)
    sql = (
        # The call's applications, and the SIRETs and lower-cased names found on
        # several of them.
        f"COPY (WITH listed AS MATERIALIZED (SELECT id, NULLIF(siret, '') AS siret,"  # noqa: S608 — names and placeholders only
        f"  NULLIF(LOWER(organisation_name), '') AS name FROM {application} WHERE call_id = %s),"
        f" dup AS MATERIALIZED (SELECT siret, name FROM listed"
        f"  GROUP BY GROUPING SETS ((siret), (name)) HAVING COUNT(*) > 1)"
        f" SELECT {', '.join(sql for sql, _params in columns)}"
        f" FROM {application} ap"
        f" LEFT JOIN {district} sd ON sd.id = ap.selected_district_id"
        f" LEFT JOIN {municipality} sm ON sm.id = sd.municipality_id"
        f" LEFT JOIN (VALUES {country_values}) AS cn(code, name) ON cn.code = ap.country"
        f" LEFT JOIN ({scores_sql}) p ON p.application_id = ap.id"
        # Districts and themes aggregated once per call, not a subquery per row. The
        # names come in order from the subquery (not pulled up, no parallel workers:
        # STRING_AGG reads them in that order); an ORDER BY in STRING_AGG would sort
        # again for each application (PostgreSQL 15 does not see the presorted input).
        f" LEFT JOIN (SELECT application_id, STRING_AGG(name, ', ') AS names FROM"
        f"  (SELECT td.application_id, m.name FROM {districts} td"
        f"  JOIN listed l ON l.id = td.application_id"
        f"  JOIN {district} d ON d.id = td.innovationdistrict_id"
        f"  JOIN {municipality} m ON m.id = d.municipality_id"
        f"  ORDER BY td.application_id, m.name) s GROUP BY application_id) tdn"
        f"  ON tdn.application_id = ap.id"
        f" LEFT JOIN (SELECT application_id, STRING_AGG(name, ', ') AS names FROM"
        f"  (SELECT th.application_id, {theme_name} AS name FROM {themes} th"
        f"  JOIN listed l ON l.id = th.application_id"
        f"  JOIN {challenge} uc ON uc.id = th.urbanchallenge_id"
        f'  ORDER BY th.application_id, uc."order") s GROUP BY application_id) thn'
        f"  ON thn.application_id = ap.id"
        f" WHERE ap.call_id = %s AND ap.status <> %s ORDER BY ap.id)"
        f" TO STDOUT WITH (FORMAT csv, DELIMITER ';')"
    )
    params = [
        call.pk,
        *select_params,
        *country_params,
        *scores_params,
        call.pk,
        ApplicationStatus.DRAFT.value,
    ]
    return sql, params


def _scores_with_means_sql(criteria, call):
    """Per application of ``listed``: weighted score, counted reviews, conflicts, means.

    Two levels: each review's weighted score and its score per criterion,
    then their means over the application's counted reviews.
    """
    from ..models import ReviewAssignment, Score, SelectionCriterion

    score = Score._meta.db_table
    criterion = SelectionCriterion._meta.db_table
    assignment = ReviewAssignment._meta.db_table
    inner = "".join(
        f", MAX(CASE WHEN s.criterion_id = %s THEN s.value END) AS c{index}"
        for index in range(len(criteria))
    )
    outer = "".join(f", AVG(r.c{index}) AS c{index}" for index in range(len(criteria)))
    sql = (
        f"SELECT a.application_id, AVG(r.score) AS weighted,"  # noqa: S608 — names only
        f" COUNT(r.assignment_id) AS reviews,"
        f" SUM(CASE WHEN a.conflict_declared_at IS NULL THEN 0 ELSE 1 END) AS conflicts{outer}"
        f" FROM {assignment} a JOIN listed l ON l.id = a.application_id"
        f" LEFT JOIN ("
        f"  SELECT s.assignment_id, SUM(s.value * c.weight) / SUM(c.weight) AS score{inner}"
        f"  FROM {score} s JOIN {criterion} c ON c.id = s.criterion_id"
        f"  WHERE c.call_id = %s GROUP BY s.assignment_id"
        f" ) r ON r.assignment_id = a.id"
        f" AND a.completed_at IS NOT NULL AND a.conflict_declared_at IS NULL"
        f" GROUP BY a.application_id"
    )
    return sql, [criterion.pk for criterion in criteria] + [call.pk]
