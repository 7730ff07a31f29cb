"""Demo calls and applications: every state, every status, a real history; bulk at scale."""

import datetime as dt
import io
import itertools
import re
from collections import Counter
from zoneinfo import ZoneInfo

import filetype
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils.functional import empty

from calls.demo import DEMO_REVIEWER, demo_pdf
from calls.demo_scale import USERNAME_PREFIX, seed_scale
from calls.enums import ApplicationStatus, CallKind, CallState, KeyDateKind
from calls.models import (
    Application,
    ApplicationStatusChange,
    Call,
    MunicipalityOpinion,
    ReferenceCounter,
    Score,
    private_storage,
)
from calls.permissions import applications_for_coselection
from calls.services.calls import DEFAULT_CRITERIA
from calls.services.completeness import application_missing

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REFERENCE = re.compile(r"^QMI(\d+)-(EXP|AMI)-(\d{4,})$")
# Where the module's seed stored its files (each test gets its own PRIVATE_MEDIA_ROOT).
SEEDED_FILES = {}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module, in a transaction rolled back at its end."""
    private_root = tmp_path_factory.mktemp("private")
    SEEDED_FILES["root"] = private_root
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHER, PRIVATE_MEDIA_ROOT=private_root),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        private_storage._wrapped = empty
        out = io.StringIO()
        call_command("seed_demo", force=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
    private_storage._wrapped = empty


def _demo_applications():
    return Application.objects.exclude(applicant__username__startswith=USERNAME_PREFIX)


# Calls.


def test_seed_demo_calls_in_every_state(seeded):
    states = Counter(call.state for call in Call.objects.all())

    assert set(states) == {CallState.UPCOMING, CallState.OPEN, CallState.CLOSED}
    open_experimenters = [
        call
        for call in Call.objects.filter(kind=CallKind.EXPERIMENTERS, is_fictional=True)
        if call.state == CallState.OPEN
    ]
    assert len(open_experimenters) == 1
    assert open_experimenters[0].districts.exists()
    for call in Call.objects.filter(is_fictional=True):
        assert "(fictif)" in call.title_fr
        assert "(fictional)" in call.title_en


def test_seed_demo_every_call_has_the_five_criteria(seeded):
    codes = [code for code, *_ in DEFAULT_CRITERIA]

    for call in Call.objects.prefetch_related("criteria"):
        assert [criterion.code for criterion in call.criteria.all()] == codes, call.slug


def test_seed_demo_real_key_dates_in_paris_time(seeded):
    meeting = Call.objects.get(slug="qmi1-experimenters").key_dates.get()
    webinars = Call.objects.get(slug="qmi2-municipalities").key_dates.order_by("starts_at")

    assert meeting.kind == KeyDateKind.INFORMATION_MEETING
    assert meeting.starts_at.astimezone(PARIS).timetuple()[:5] == (2023, 3, 21, 11, 30)
    assert [
        (
            webinar.kind,
            webinar.starts_at.astimezone(PARIS).timetuple()[:5],
            webinar.ends_at.astimezone(PARIS).timetuple()[3:5],
        )
        for webinar in webinars
    ] == [
        (KeyDateKind.WEBINAR, (2023, 11, 14, 9, 0), (10, 0)),
        (KeyDateKind.WEBINAR, (2023, 11, 23, 12, 30), (13, 30)),
    ]
    assert meeting.title_en == "Information meeting"


# Applications.


def test_seed_demo_applications_in_every_status(seeded):
    statuses = set(_demo_applications().values_list("status", flat=True))

    assert statuses == set(ApplicationStatus.values)


def test_seed_demo_applications_only_on_fictional_calls(seeded):
    assert not _demo_applications().filter(call__is_fictional=False).exists()
    emails = _demo_applications().values_list("contact_email", "applicant__email")
    for contact, applicant in emails:
        assert contact.endswith("@example.org")
        assert applicant.endswith("@example.org")


def test_seed_demo_some_applicants_from_abroad(seeded):
    countries = Counter(
        _demo_applications()
        .filter(call__kind=CallKind.EXPERIMENTERS)
        .values_list("country", flat=True)
    )

    assert countries["FR"] > 0
    assert sum(count for country, count in countries.items() if country != "FR") >= 3


def test_seed_demo_history_leads_to_each_status(seeded):
    for application in _demo_applications().prefetch_related("status_changes"):
        changes = list(application.status_changes.all())
        if application.status == ApplicationStatus.DRAFT:
            assert changes == []
            continue
        assert changes[-1].to_status == application.status
        assert changes[0].from_status == ApplicationStatus.DRAFT
        for before, after in itertools.pairwise(changes):
            assert before.to_status == after.from_status
            assert before.at <= after.at
        assert changes[-1].at <= dt.datetime.now(tz=dt.UTC)
        assert all(change.by_id for change in changes)


def test_seed_demo_submissions_inside_the_call_window(seeded):
    submissions = ApplicationStatusChange.objects.filter(
        to_status=ApplicationStatus.SUBMITTED
    ).select_related("application__call")

    assert submissions.exists()
    for change in submissions:
        call = change.application.call
        assert call.opens_at <= change.at < call.closes_at
        assert change.by_id == change.application.applicant_id
        assert change.application.submitted_at == change.at


def test_seed_demo_submitted_applications_complete_with_reference(seeded):
    submitted = _demo_applications().exclude(submitted_at=None)

    assert submitted.count() >= 10
    for application in submitted:
        assert application_missing(application) == []
        assert REFERENCE.match(application.reference)
    assert not _demo_applications().filter(submitted_at=None).exclude(reference=None).exists()


def test_seed_demo_reference_counters_match_references(seeded):
    for counter in ReferenceCounter.objects.select_related("edition"):
        code = "AMI" if counter.kind == CallKind.MUNICIPALITIES else "EXP"
        numbers = sorted(
            int(REFERENCE.match(reference).group(3))
            for reference in Application.objects.filter(
                reference__startswith=f"QMI{counter.edition.number}-{code}-"
            ).values_list("reference", flat=True)
        )
        assert numbers == list(range(1, counter.last_number + 1))


def test_seed_demo_reviews_scores_and_opinion(seeded):
    reviewed = _demo_applications().filter(status=ApplicationStatus.SHORTLISTED)

    assert Score.objects.filter(assignment__application__in=reviewed).exists()
    assert MunicipalityOpinion.objects.filter(
        district__municipality__name="Aubervilliers", author__username="demo-aubervilliers"
    ).exists()
    conflicts = _demo_applications().filter(assignments__conflict_declared_at__isnull=False)
    assert conflicts.exists()
    assert not Score.objects.filter(assignment__conflict_declared_at__isnull=False).exists()


def test_seed_demo_municipality_account_has_a_coselection(seeded):
    user = get_user_model().objects.get(username="demo-aubervilliers")

    shortlist = applications_for_coselection(user)

    assert shortlist.exists()
    for application in shortlist:
        assert application.call.is_fictional
        assert application.target_districts.filter(municipality__name="Aubervilliers").exists()


def test_seed_demo_selected_application_has_its_district_and_draft_decision(seeded):
    selected = _demo_applications().get(status=ApplicationStatus.SELECTED)

    assert selected.selected_district.municipality.name == "Aubervilliers"


def test_seed_demo_attachments_are_pdf_files_in_private_storage(seeded, settings):
    attachments = [
        attachment
        for application in _demo_applications().prefetch_related("attachments")
        for attachment in application.attachments.all()
    ]

    assert attachments
    root = SEEDED_FILES["root"]
    assert not str(root).startswith(str(settings.MEDIA_ROOT))
    for attachment in attachments:
        content = (root / attachment.file.name).read_bytes()
        assert content.startswith(b"%PDF-1.4")
        assert filetype.guess_mime(content) == "application/pdf"
        assert attachment.size == len(content)


def test_seed_demo_reviewer_account(seeded, client, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER

    assert client.login(username=DEMO_REVIEWER["username"], password=DEMO_REVIEWER["password"])
    assert f"{DEMO_REVIEWER['username']} / {DEMO_REVIEWER['password']}" in seeded


def test_seed_demo_twice_leaves_the_applications_as_they_are(seeded):
    before = {
        "applications": list(_demo_applications().order_by("pk").values_list("pk", "status")),
        "history": ApplicationStatusChange.objects.count(),
        "scores": Score.objects.count(),
        "counters": list(ReferenceCounter.objects.values_list("pk", "last_number")),
    }

    call_command("seed_demo", force=True, stdout=io.StringIO())

    assert {
        "applications": list(_demo_applications().order_by("pk").values_list("pk", "status")),
        "history": ApplicationStatusChange.objects.count(),
        "scores": Score.objects.count(),
        "counters": list(ReferenceCounter.objects.values_list("pk", "last_number")),
    } == before


def test_demo_pdf_valid_structure():
    pdf = demo_pdf("Délibération (n° 12)")

    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    offset = int(pdf.split(b"startxref\n")[1].split(b"\n")[0])
    assert pdf[offset:].startswith(b"xref")


# At scale.


def test_seed_scale_creates_applications_in_bulk(seeded):
    result = seed_scale(count=300)

    generated = Application.objects.filter(applicant__username__startswith=USERNAME_PREFIX)
    assert (result.created, result.total, generated.count()) == (300, 300, 300)
    statuses = set(generated.values_list("status", flat=True))
    assert statuses >= {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.REJECTED,
    }
    assert result.rows["history"] > 300
    assert result.rows["scores"] > 0
    assert not generated.filter(call__is_fictional=False).exists()


def test_seed_scale_references_and_counters_consistent(seeded):
    seed_scale(count=400)

    references = list(Application.objects.exclude(reference=None).values_list("reference"))
    assert len(references) == len(set(references))
    test_seed_demo_reference_counters_match_references(seeded)
    generated = Application.objects.filter(applicant__username__startswith=USERNAME_PREFIX)
    assert not generated.filter(submitted_at=None).exclude(reference=None).exists()
    assert not generated.exclude(submitted_at=None).filter(reference=None).exists()


def test_seed_scale_history_ends_at_status(seeded):
    seed_scale(count=200)

    generated = Application.objects.filter(
        applicant__username__startswith=USERNAME_PREFIX
    ).prefetch_related("status_changes")
    for application in generated:
        changes = list(application.status_changes.all())
        if application.status == ApplicationStatus.DRAFT:
            assert changes == []
        else:
            assert changes[-1].to_status == application.status
            assert changes[0].from_status == ApplicationStatus.DRAFT


def test_seed_scale_share_of_international_applicants(seeded):
    seed_scale(count=1000)

    countries = Counter(
        Application.objects.filter(
            applicant__username__startswith=USERNAME_PREFIX, call__kind=CallKind.EXPERIMENTERS
        ).values_list("country", flat=True)
    )
    share = 1 - countries["FR"] / sum(countries.values())
    assert 0.17 < share < 0.25


def test_seed_scale_respects_the_cap_per_district(seeded):
    Call.objects.filter(is_fictional=True).update(
        min_selected_per_district=1, max_selected_per_district=1
    )

    seed_scale(count=800)

    for call in Call.objects.filter(is_fictional=True):
        taken = Counter(
            call.applications.filter(status=ApplicationStatus.SELECTED).values_list(
                "selected_district", flat=True
            )
        )
        assert all(count <= call.max_selected_per_district for count in taken.values())
        assert None not in taken
    assert Application.objects.filter(status=ApplicationStatus.SELECTED).count() > 1


def test_seed_scale_idempotent(seeded):
    seed_scale(count=150)

    again = seed_scale(count=150)

    assert again.created == 0
    assert (
        Application.objects.filter(applicant__username__startswith=USERNAME_PREFIX).count() == 150
    )


def test_seed_scale_queries_do_not_grow_with_rows(seeded):
    seed_scale(count=1)  # Reviewers and referents exist from here on.
    with CaptureQueriesContext(connection) as few:
        seed_scale(count=41)
    with CaptureQueriesContext(connection) as many:
        seed_scale(count=241)

    assert len(many) == len(few)


def test_seed_demo_scale_option_prints_time(seeded):
    out = io.StringIO()

    call_command("seed_demo", force=True, scale=120, stdout=out)

    assert re.search(
        r"Scale: 120 applications created \(120 generated in all\) in [\d.]+ s", out.getvalue()
    )
    assert "Time taken:" in out.getvalue()
