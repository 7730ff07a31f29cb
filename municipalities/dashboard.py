"""The municipality dashboard: a town's own districts, their experiments, indicators, reports.

Municipality staff see their own districts only; Paris&Co staff see every
district, an edition at a time, with the late milestones of the programme
first. Everything is read through ``dashboard_selectors``, scoped to the user:
another town's district, experiment, report, photo or export is a 404.

The district page shows, per experiment, its phase, lateness and the progress
of its indicators as one bar (an aggregate chart); the line chart of each
indicator, with its table, is on the experiment's page. A district of 50
experiments with 20 indicators each would otherwise draw 1,000 charts.
"""

import csv
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.services.exports import BOM, cell_safe
from experiments.enums import ExperimentStatus, MilestoneOwner, ReportStatus
from experiments.models import ProgressReport
from experiments.permissions import experiments_of_municipality_staff
from experiments.services.reports import report_comment_add
from qmi_portal.links import uuid_url

from . import charts
from .dashboard_selectors import (
    dashboard_districts,
    district_measurements,
    district_of_user,
    editions_with_experiments,
    experiment_of_user,
    experiment_row,
    experiment_rows,
    late_milestones,
    latest_reports,
    photo_of_user,
    report_of_user,
    upcoming_events,
)
from .models import Edition
from .permissions import is_programme_staff
from .selectors import districts_for

OVERVIEW_TEMPLATE = "municipalities/dashboard/overview.html"


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Read by the experimenter, Paris&Co and your colleagues."),
    )


@login_required
def home(request):
    """The user's districts; for Paris&Co staff, the programme's late milestones first."""
    user = request.user
    staff = is_programme_staff(user)
    context = {
        "districts": dashboard_districts(user).order_by("municipality__name", "-edition__number"),
        "is_programme_staff": staff,
    }
    if staff:
        late, late_total = late_milestones(experiments_of_municipality_staff(user))
        context.update(
            late_milestones=_present_late(late, charts.Formats()),
            late_total=late_total,
            editions=editions_with_experiments(),
        )
    return render(request, "municipalities/my_municipality.html", context)


@login_required
def district(request, pk):
    district = district_of_user(request.user, pk)
    context = _overview(request, districts=[district], edition=district.edition)
    context.update(
        district=district,
        title=f"{district.name} – {district.municipality.name}",
        export_url=reverse("municipalities:dashboard_district_export", kwargs={"pk": district.pk}),
    )
    return render(request, OVERVIEW_TEMPLATE, context)


@login_required
def edition(request, number):
    """Paris&Co staff: every district of an edition on one page."""
    if not is_programme_staff(request.user):
        raise Http404
    edition = get_object_or_404(Edition, number=number)
    districts = list(
        districts_for(request.user).filter(edition=edition).order_by("municipality__name")
    )
    scope = experiments_of_municipality_staff(request.user)
    late, late_total = late_milestones(scope, edition=edition)
    context = _overview(request, districts=districts, edition=edition, scope=scope)
    context.update(
        edition=edition,
        title=str(edition),
        editions=editions_with_experiments(),
        late_milestones=_present_late(late, context["formats"]),
        late_total=late_total,
    )
    return render(request, OVERVIEW_TEMPLATE, context)


def _overview(request, *, districts, edition, scope=None):
    today = timezone.localdate()
    scope = scope if scope is not None else experiments_of_municipality_staff(request.user)
    rows = experiment_rows(scope, districts=districts, today=today)
    formats = charts.Formats()
    _present(rows, formats)
    map_data = _sites_map_data(districts, rows)
    return {
        "districts": districts,
        "rows": rows,
        "late_count": sum(1 for row in rows if row.is_late),
        "today": today,
        "timeline_svg": charts.timeline_svg(rows, today, formats=formats),
        "progress_svg": charts.progress_svg(rows, formats=formats),
        "sites": map_data["sites"],
        "map_data": map_data,
        "reports": latest_reports([row.experiment.pk for row in rows]),
        "events": upcoming_events(
            municipalities=[district.municipality_id for district in districts], edition=edition
        ),
        "event_links": _event_links(),
        "formats": formats,
    }


def _present(rows, formats):
    """Each row's URL and texts, in one pass.

    Cheaper than template tags per cell: a district of 50 experiments has 300
    of them. The URL comes from one ``reverse``.
    """
    done = _("Done: %(name)s (%(date)s)")
    upcoming = _("Next: %(name)s, due %(date)s")
    late_detail = _("%(name)s, due %(date)s")
    measured = _("%(measured)s of %(total)s measured, %(reached)s at target")
    # get_status_display() hashes every lazy label at each call: translate them once.
    statuses = {value: str(label) for value, label in ExperimentStatus.choices}
    for row in rows:
        experiment = row.experiment
        row.url = uuid_url("municipalities:dashboard_experiment", experiment.uuid)
        row.status_label = statuses.get(experiment.status, experiment.status)
        row.start_text = formats.date(experiment.start_date)
        row.end_text = formats.date(experiment.end_date)
        row.phase_done = (
            done % {"name": row.last_done.label, "date": formats.date(row.last_done.done_date)}
            if row.last_done
            else ""
        )
        if row.next_due:
            row.phase_next = upcoming % {
                "name": row.next_due.label,
                "date": formats.date(row.next_due.due_date),
            }
        elif row.milestones:
            row.phase_next = _("Every milestone is done.")
        else:
            row.phase_next = _("No milestone planned.")
        if row.late:
            count = len(row.late)
            row.late_text = ngettext(
                "%(count)s late milestone", "%(count)s late milestones", count
            ) % {"count": count}
            first = row.late[0]
            row.late_detail = late_detail % {
                "name": first.name,
                "date": formats.date(first.due_date),
            }
        progress = row.progress
        if progress:
            row.progress_text = measured % {
                "measured": progress.measured,
                "total": progress.indicators,
                "reached": progress.reached,
            }
            row.progress_percent = formats.percent(progress.median)
        else:
            row.progress_text = _("none yet")
            row.progress_percent = formats.percent(None)


def _present_late(milestones, formats):
    """Late milestones with their link, owner and delay, for the table that lists them."""
    owners = {value: str(label) for value, label in MilestoneOwner.choices}
    for milestone in milestones:
        milestone.url = uuid_url("municipalities:dashboard_experiment", milestone.experiment.uuid)
        milestone.owner_label = owners.get(milestone.owner, milestone.owner)
        milestone.due_text = formats.date(milestone.due_date)
    return milestones


def _sites_map_data(districts, rows):
    """What static/js/sites-map.js draws: the districts, the sites, the tiles if any."""
    return {
        "tiles": settings.MAP_TILES_URL,
        "attribution": settings.MAP_TILES_ATTRIBUTION,
        "zoom_in": _("Zoom in"),
        "zoom_out": _("Zoom out"),
        "open": _("Open the experiment"),
        "districts": [
            {
                "name": district.name,
                "lat": float(district.latitude),
                "lng": float(district.longitude),
                "outline": district.outline,
            }
            for district in districts
        ],
        "sites": [
            {
                "name": site.name,
                "address": site.address,
                "experiment": row.experiment.solution_name,
                "url": row.url,
                "lat": float(site.latitude),
                "lng": float(site.longitude),
            }
            for row in rows
            for site in row.experiment.sites.all()
        ],
    }


def _event_links() -> bool:
    """Event pages belong to the events part of the portal; link to them once they exist."""
    try:
        reverse("experiments:event_detail", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"})
    except NoReverseMatch:
        return False
    return True


@login_required
def experiment(request, uuid):
    """One experiment: milestones, sites, a chart and a table per indicator, its reports."""
    experiment = experiment_of_user(request.user, uuid)
    today = timezone.localdate()
    row = experiment_row(experiment, today)
    formats = charts.Formats()
    _present([row], formats)
    indicators = []
    for indicator in experiment.indicators.all():
        measurements = list(indicator.measurements.all())
        latest = measurements[-1] if measurements else None
        indicators.append(
            {
                "indicator": indicator,
                "baseline": formats.number(indicator.baseline),
                "target": formats.number(indicator.target),
                # The table under the chart, its cells formatted once.
                "table": [
                    (formats.date(m.measured_on), formats.number(m.value), m.source)
                    for m in measurements
                ],
                "latest": latest,
                "latest_value": formats.number(latest.value) if latest else "",
                "latest_date": formats.date(latest.measured_on) if latest else "",
                "progress": formats.percent(indicator.progress(latest.value)) if latest else None,
                "svg": charts.indicator_svg(
                    indicator,
                    measurements,
                    start=experiment.start_date,
                    end=experiment.end_date,
                    today=today,
                    formats=formats,
                ),
            }
        )
    # The experiment is the user's: its submitted reports are theirs to read.
    map_data = _sites_map_data([experiment.district], [row])
    reports = (
        ProgressReport.objects.filter(experiment=experiment, status=ReportStatus.SUBMITTED)
        .annotate(
            comment_count=Count("comments", distinct=True),
            photo_count=Count("photos", distinct=True),
        )
        .order_by("-period_end", "-pk")
    )
    return render(
        request,
        "municipalities/dashboard/experiment.html",
        {
            "experiment": experiment,
            "row": row,
            "today": today,
            "indicators": indicators,
            "reports": reports,
            "sites": map_data["sites"],
            "map_data": map_data,
        },
    )


@login_required
def report(request, uuid):
    """A submitted report of the user's districts: read it, comment on it."""
    report = report_of_user(request.user, uuid)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_comment_add(report=report, author=request.user, body=form.cleaned_data["body"])
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(
                reverse("municipalities:dashboard_report", kwargs={"uuid": report.uuid})
                + "#comments"
            )
    return render(
        request,
        "municipalities/dashboard/report.html",
        {
            "report": report,
            "experiment": report.experiment,
            "measurements": report.measurements.all(),
            "form": form,
        },
    )


@login_required
def report_photo(request, uuid, pk):
    """A report's photo, to whoever may read the report; never a public URL."""
    photo = photo_of_user(request.user, report_uuid=uuid, pk=pk)
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    is_image = photo.content_type in {"image/jpeg", "image/png", "image/webp", "image/gif"}
    response = FileResponse(
        handle,
        as_attachment=not is_image,
        content_type=photo.content_type if is_image else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class _Echo:
    def write(self, value):
        return value


@login_required
def district_export(request, pk):
    """Every measurement of the district's experiments as CSV (semicolons, decimal comma)."""
    district = district_of_user(request.user, pk)
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    header = [
        _("Experiment"),
        _("Organisation"),
        _("Indicator"),
        _("Unit"),
        _("Baseline"),
        _("Target"),
        _("Measured on"),
        _("Value"),
        _("Source"),
    ]
    rows = district_measurements(request.user, district=district).iterator(chunk_size=2000)

    def lines():
        yield (BOM + writer.writerow(header)).encode()
        for row in rows:
            yield writer.writerow([_cell(value) for value in row]).encode()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"measurements-{district.municipality.slug}-{district.edition.number}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _cell(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    if isinstance(value, str):
        return cell_safe(value)
    return value.isoformat() if hasattr(value, "isoformat") else value
