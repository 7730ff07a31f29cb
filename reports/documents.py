"""The documents about calls: the application dossier and the call report."""

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.enums import ApplicationStatus
from calls.flow import flow_for
from calls.models import Application, Call, MunicipalityOpinion, Score
from calls.permissions import applications_visible_to
from calls.selectors import call_ranking, call_statistics, counted_assignments
from municipalities.models import InnovationDistrict
from municipalities.permissions import is_programme_staff
from municipalities.selectors import districts_for

from .charts import bar_chart
from .pdf import private_url
from .registry import Document, ObjectGone, ReportKind, register

APPLICANT = "applicant"
JURY = "jury"
AUDIENCES = {APPLICANT, JURY}


def _integer(parameters: dict, name: str, *, required=True) -> int | None:
    value = parameters.get(name)
    if value in (None, "") and not required:
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            _("The parameter “%(name)s” must be a number.") % {"name": name}, code="invalid"
        ) from error


# The application dossier ------------------------------------------------------


def dossier_clean(parameters: dict) -> dict:
    audience = parameters.get("audience") or APPLICANT
    if audience not in AUDIENCES:
        raise ValidationError(_("Unknown audience: %(audience)s.") % {"audience": audience})
    application = _integer(parameters, "application")
    if not Application.objects.filter(pk=application).exists():
        raise ValidationError(_("This application does not exist."), code="not_found")
    return {"application": application, "audience": audience}


def dossier_can_view(user, parameters: dict) -> bool:
    """The applicant sees their own dossier; the jury version is for who may read it otherwise."""
    if not user.is_authenticated or not user.is_active:
        return False
    application_id = parameters.get("application")
    if parameters.get("audience") == APPLICANT:
        own = Application.objects.filter(pk=application_id, applicant=user).exists()
        return own or is_programme_staff(user)
    return applications_visible_to(user).filter(pk=application_id).exclude(applicant=user).exists()


def dossier_requestable(user) -> list:
    submitted = (
        Application.objects.filter(applicant=user, submitted_at__isnull=False)
        .select_related("call")
        .order_by("-submitted_at")
    )
    return [
        (
            _("Dossier of my application %(reference)s") % {"reference": application.reference},
            {"application": application.pk, "audience": APPLICANT},
        )
        for application in submitted[:20]
    ]


def dossier_build(parameters: dict, language: str) -> Document:
    application = (
        Application.objects.select_related(
            "call", "call__edition", "applicant", "selected_district"
        )
        .filter(pk=parameters["application"])
        .first()
    )
    if application is None:
        raise ObjectGone(_("The application no longer exists."))
    jury = parameters.get("audience") == JURY
    attachments = list(application.attachments.all())
    images = [
        attachment
        for attachment in attachments
        if attachment.kind == "image" and attachment.content_type in {"image/png", "image/jpeg"}
    ]
    context = {
        "application": application,
        "call": application.call,
        "sections": [
            section
            for section in flow_for(application).summary(application)
            if section["step"].identifier != "review"
        ],
        "attachments": attachments,
        "images": [{"attachment": image, "url": private_url(image.file.name)} for image in images],
        "jury": jury,
        "generated_at": timezone.now(),
    }
    if jury:
        context.update(_jury_context(application))
    reference = application.reference or str(application.uuid)[:8]
    return Document(
        template="reports/application_dossier.html",
        context=context,
        title=_("Application %(reference)s") % {"reference": reference},
        filename=f"dossier-{slugify(reference)}.pdf",
        private_files=tuple(image.file.name for image in images),
    )


def _jury_context(application) -> dict:
    counted = counted_assignments().filter(application=application)
    criteria = list(application.call.criteria.order_by("order", "pk"))
    means = {
        row["criterion_id"]: row
        for row in Score.objects.filter(assignment__in=counted)
        .values("criterion_id")
        .annotate(mean=Avg("value"), n=Count("pk"))
    }
    return {
        "criteria_scores": [
            {
                "criterion": criterion,
                "mean": means.get(criterion.pk, {}).get("mean"),
                "count": means.get(criterion.pk, {}).get("n", 0),
            }
            for criterion in criteria
        ],
        "review_count": counted.count(),
        "opinions": list(
            MunicipalityOpinion.objects.filter(application=application).select_related(
                "district", "district__municipality"
            )
        ),
        "history": list(application.status_changes.select_related("by")),
    }


register(
    ReportKind(
        code="application_dossier",
        label=gettext_lazy("Application dossier"),
        clean=dossier_clean,
        build=dossier_build,
        can_view=dossier_can_view,
        requestable=dossier_requestable,
        parameters_from=lambda application: {"application": application.pk, "audience": APPLICANT},
    )
)


# The call report ----------------------------------------------------------------


def call_report_clean(parameters: dict) -> dict:
    call = _integer(parameters, "call")
    if not Call.objects.filter(pk=call).exists():
        raise ValidationError(_("This call does not exist."), code="not_found")
    district = _integer(parameters, "district", required=False)
    if (
        district is not None
        and not InnovationDistrict.objects.filter(pk=district, calls=call).exists()
    ):
        raise ValidationError(_("This district is not one of the call's."), code="not_found")
    return {"call": call, "district": district}


def call_report_can_view(user, parameters: dict) -> bool:
    """Staff see every call report; a town sees the one of its own district."""
    if is_programme_staff(user):
        return True
    district = parameters.get("district")
    return district is not None and districts_for(user).filter(pk=district).exists()


def call_report_requestable(user) -> list:
    if is_programme_staff(user):
        return []
    districts = districts_for(user).filter(calls__isnull=False).distinct()
    calls = Call.objects.filter(districts__in=districts).distinct().order_by("-opens_at")
    choices = []
    for call in calls[:20]:
        for district in districts.filter(calls=call):
            choices.append(
                (
                    _("Report of the call “%(call)s” for %(district)s")
                    % {"call": call.title, "district": district.name},
                    {"call": call.pk, "district": district.pk},
                )
            )
    return choices


def call_report_build(parameters: dict, language: str) -> Document:
    call = Call.objects.select_related("edition").filter(pk=parameters["call"]).first()
    if call is None:
        raise ObjectGone(_("The call no longer exists."))
    district = None
    if parameters.get("district"):
        district = (
            InnovationDistrict.objects.select_related("municipality")
            .filter(pk=parameters["district"])
            .first()
        )
        if district is None:
            raise ObjectGone(_("The district no longer exists."))
    statistics = call_statistics(call)
    ranking = call_ranking(call, limit=None)
    if district is not None:
        ranking = [group for group in ranking if group["district"] == district]
        statistics["per_district"] = [
            row for row in statistics["per_district"] if row["district"] == district
        ]
    status_counts = dict(
        Application.objects.filter(call=call)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    statuses = [
        {"label": label, "count": status_counts.get(value, 0)}
        for value, label in ApplicationStatus.choices
    ]
    funnel_labels = {
        "preregistrations": _("Confirmed pre-registrations"),
        "started": _("Applications started"),
        "submitted": _("Submitted"),
        "eligible": _("Eligible"),
        "selected": _("Selected"),
    }
    for row in statistics["funnel"]:
        row["label"] = funnel_labels.get(row["label"], row["label"])
    title = call.title
    if district is not None:
        title = f"{call.title} – {district.name}"
    return Document(
        template="reports/call_report.html",
        context={
            "call": call,
            "district": district,
            "statistics": statistics,
            "statuses": statuses,
            "ranking": ranking,
            "charts": {
                "funnel": bar_chart(statistics["funnel"], title=_("Funnel")),
                "statuses": bar_chart(statuses, title=_("Applications by status")),
                "districts": bar_chart(
                    [
                        {"label": row["district"].name, "count": row["submitted"]}
                        for row in statistics["per_district"]
                    ],
                    title=_("Submitted applications per district"),
                ),
                "legal_forms": bar_chart(statistics["legal_forms"], title=_("Legal forms")),
            },
            "generated_at": timezone.now(),
        },
        title=_("Call report: %(title)s") % {"title": title},
        filename=f"call-report-{slugify(call.slug)}{f'-{district.pk}' if district else ''}.pdf",
    )


register(
    ReportKind(
        code="call_report",
        label=gettext_lazy("Call report"),
        clean=call_report_clean,
        build=call_report_build,
        can_view=call_report_can_view,
        requestable=call_report_requestable,
    )
)
