"""Reports: the documents, what they read, who may download them (in process)."""

import subprocess

import pytest
from django.core import mail
from django.urls import reverse
from weasyprint.urls import URLFetchingError

from calls.enums import ApplicationStatus
from notifications.services import mails_send_queued
from reports.enums import ReportStatus
from reports.models import Report
from reports.pdf import ORIGIN, PortalURLFetcher, ResourceRefused, html_to_pdf, private_url
from reports.services import report_render, report_request
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    CallFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    MunicipalityMembershipFactory,
    MunicipalityOpinionFactory,
    UserFactory,
    completed_review,
    submitted_application,
)

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The PDF's text, by pdftotext (poppler-utils, .ci/system-packages pdftools)."""
    command = ["pdftotext", "-layout", "-", "-"]
    result = subprocess.run(command, input=content, capture_output=True, check=True)  # noqa: S603
    return result.stdout.decode()


def rendered(report) -> Report:
    report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    return report


# The URL fetcher ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/static/css/report.css",
        "https://example.org/logo.png",
        f"{ORIGIN}/static/../../../etc/passwd",
        f"{ORIGIN}/static/%2e%2e/%2e%2e/etc/passwd",
        f"{ORIGIN}/private/applications/someone-else.pdf",
        f"{ORIGIN}/etc/passwd",
        "ftp://example.org/file",
    ],
)
def test_url_fetcher_refuses_what_is_not_the_portals_own(url):
    with pytest.raises((ResourceRefused, ValueError)):
        PortalURLFetcher().fetch(url)


def test_url_fetcher_serves_static_files_and_the_allowed_private_ones():
    attachment = AttachmentFactory(kind="image")
    fetcher = PortalURLFetcher(private_files=[attachment.file.name])
    css = fetcher.fetch(f"{ORIGIN}/static/css/report.css")
    assert b"@page" in css.read()
    image = fetcher.fetch(private_url(attachment.file.name))
    assert image.read().startswith(b"\x89PNG")
    with pytest.raises(ResourceRefused):
        PortalURLFetcher().fetch(private_url(attachment.file.name))


def test_html_pointing_at_local_files_renders_without_them(caplog):
    html = (
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:1/x.png">'
        "<p>Rien d'autre</p>"
    )
    content, pages = html_to_pdf(html)
    assert pages == 1
    assert "root:" not in pdf_text(content)
    assert "Reports read only the portal's own files" in caplog.text


def test_fetch_error_is_a_url_fetching_error_for_weasyprint():
    from weasyprint.urls import fetch

    with pytest.raises(URLFetchingError), fetch(PortalURLFetcher(), "file:///etc/passwd"):
        pass


# The application dossier -------------------------------------------------------


def test_application_dossier_holds_the_answers_with_applicant_text_escaped():
    application = ApplicationFactory(
        solution_name="Bancs <b>frais</b>",
        solution_description='<img src="file:///etc/passwd"> <script>alert(1)</script>'
        + " mot" * 5
        + " x" * 3000,
        contact_first_name="Ada",
        contact_last_name="Lovelace",
        status=ApplicationStatus.SUBMITTED,
    )
    report = rendered(
        report_request(
            kind="application_dossier",
            parameters={"application": application.pk, "audience": "applicant"},
            language="fr",
        )
    )
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Bancs <b>frais</b>" in text
    assert '<img src="file:///etc/passwd">' in text
    assert "<script>alert(1)</script>" in text
    assert "Lovelace" in text
    assert application.reference in text
    assert "Page 1 /" in text


def test_jury_dossier_shows_scores_and_opinions():
    application = ApplicationFactory(status=ApplicationStatus.SHORTLISTED)
    completed_review(application=application, values=[5, 4, 3, 2, 1])
    MunicipalityOpinionFactory(application=application, comment="Très attendu par les écoles.")
    report = rendered(
        report_request(
            kind="application_dossier",
            parameters={"application": application.pk, "audience": "jury"},
            language="en",
        )
    )
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Version for the selection committee" in text
    assert "Très attendu par les écoles." in text
    assert "5.00" in text and "1.00" in text
    assert "1 completed review." in text


def test_submission_confirmation_carries_the_dossier_pdf():
    application = submitted_application(contact_last_name="Hopper")
    assert mails_send_queued() == 1
    (message,) = mail.outbox
    ((filename, content, mimetype),) = message.attachments
    assert filename.endswith(".pdf") and mimetype == "application/pdf"
    text = pdf_text(content)
    assert application.reference in text
    assert "Hopper" in text
    report = Report.objects.get()
    assert report.status == ReportStatus.DONE
    assert report.parameters == {"application": application.pk, "audience": "applicant"}


# The call report ----------------------------------------------------------------


def test_call_report_holds_figures_ranking_and_opinions():
    town = MunicipalityFactory(name="Bondy")
    district = InnovationDistrictFactory(municipality=town, name_fr="Quartier de la Gare")
    call = CallFactory(districts=[district])
    best = ApplicationFactory(
        call=call,
        target_districts=[district],
        status=ApplicationStatus.SHORTLISTED,
        solution_name="Ombrières solaires",
    )
    second = ApplicationFactory(
        call=call,
        target_districts=[district],
        status=ApplicationStatus.UNDER_REVIEW,
        solution_name="Capteurs de chaleur",
    )
    completed_review(application=best, values=[5, 5, 5, 5, 4])
    completed_review(application=second, values=[2, 2, 2, 2, 2])
    MunicipalityOpinionFactory(
        application=best, district=district, opinion="favourable", comment="Oui !"
    )
    ApplicationFactory(call=call, incomplete=True)

    report = rendered(
        report_request(kind="call_report", parameters={"call": call.pk}, language="fr")
    )
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert call.title_fr in text
    assert "Bondy – Quartier de la Gare" in text
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "Ombrières solaires" in line)
    then = next(i for i, line in enumerate(lines) if "Capteurs de chaleur" in line)
    assert first < then
    assert "4,80" in lines[first] and "Favorable" in lines[first]
    assert "2,00" in lines[then]
    chart = next(line for line in lines if line.strip().startswith("Quartier de la Gare"))
    assert chart.split()[-1] == "2"  # submitted applications of the district
    assert "Page 1 / " in text and "Page 3 / 3" in text


def test_report_of_a_deleted_call_fails_with_its_error():
    report = Report.objects.create(
        kind="call_report", parameters={"call": 987654}, language="en", title="x"
    )
    report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "The call no longer exists."
    assert not report.file


def test_report_request_refuses_unknown_kind_and_bad_parameters():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        report_request(kind="nope", parameters={}, language="fr")
    with pytest.raises(ValidationError):
        report_request(kind="call_report", parameters={"call": "abc"}, language="fr")
    assert not Report.objects.exists()


# Who may download --------------------------------------------------------------


def _download(client, report):
    return client.get(reverse("reports:report_download", kwargs={"uuid": report.uuid}))


def test_dossier_download_for_its_applicant_and_staff_only(client, staff_client):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    report = rendered(
        report_request(
            kind="application_dossier",
            parameters={"application": application.pk, "audience": "applicant"},
            language="fr",
        )
    )
    response = staff_client.get(reverse("reports:report_download", kwargs={"uuid": report.uuid}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    client.force_login(application.applicant)
    assert _download(client, report).status_code == 200
    client.force_login(UserFactory())
    assert _download(client, report).status_code == 404


def test_call_report_for_a_town_covers_its_own_district_only(client):
    town, other_town = MunicipalityFactory(), MunicipalityFactory()
    district = InnovationDistrictFactory(municipality=town)
    other = InnovationDistrictFactory(municipality=other_town)
    call = CallFactory(districts=[district, other])
    member = MunicipalityMembershipFactory(municipality=town).user
    client.force_login(member)

    ask = reverse("reports:report_ask")
    response = client.post(
        ask, {"kind": "call_report", "parameters": f'{{"call": {call.pk}, "district": {other.pk}}}'}
    )
    assert response.status_code == 404
    response = client.post(
        ask,
        {"kind": "call_report", "parameters": f'{{"call": {call.pk}, "district": {district.pk}}}'},
    )
    report = Report.objects.get()
    assert response["Location"] == report.get_absolute_url()
    assert report.requested_by == member
    assert report.parameters == {"call": call.pk, "district": district.pk}
    rendered(report)
    assert _download(client, report).status_code == 200

    whole = rendered(
        report_request(kind="call_report", parameters={"call": call.pk}, language="fr")
    )
    assert _download(client, whole).status_code == 404


def test_asking_for_a_report_leads_to_its_page(staff_client):
    """As in the browser: the form's redirect is followed to the report's own page."""
    call = CallFactory()

    response = staff_client.post(
        reverse("reports:report_ask"),
        {"kind": "call_report", "parameters": f'{{"call": {call.pk}}}'},
        follow=True,
    )

    report = Report.objects.get()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == report.get_absolute_url()
    assert response.context["report"] == report


def test_report_list_offers_what_the_user_may_ask(client):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    client.force_login(application.applicant)
    page = client.get(reverse("reports:report_list")).content.decode()
    assert application.reference in page


def test_staff_ask_for_a_report_in_the_admin(staff_client, django_capture_on_commit_callbacks):
    call = CallFactory()
    add = reverse("admin:reports_report_add")
    assert staff_client.get(add).status_code == 200
    response = staff_client.post(
        add, {"kind": "call_report", "parameters": '{"call": "nope"}', "language": "fr"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Report.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            add, {"kind": "call_report", "parameters": f'{{"call": {call.pk}}}', "language": "en"}
        )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.kind, report.language, report.status) == ("call_report", "en", "queued")
    assert report.parameters == {"call": call.pk, "district": None}
    assert len(callbacks) == 1  # the render task, sent once the request commits
