"""Paris&Co staff's pages of a call: ranking, statistics, exports. Others get a 404."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from municipalities.permissions import is_programme_staff

from .. import selectors
from ..models import Call
from ..services import exports


def _staff_call(request, slug) -> Call:
    if not is_programme_staff(request.user):
        raise Http404
    return get_object_or_404(Call.objects.select_related("edition"), slug=slug)


@login_required
def call_ranking(request, slug):
    call = _staff_call(request, slug)
    limit = selectors.RANKING_LIMIT
    return render(
        request,
        "calls/staff/call_ranking.html",
        {
            "call": call,
            "groups": selectors.call_ranking(call, limit=None if "all" in request.GET else limit),
            "limit": limit,
        },
    )


@login_required
def call_statistics(request, slug):
    call = _staff_call(request, slug)
    return render(
        request,
        "calls/staff/call_statistics.html",
        {
            "call": call,
            "stats": selectors.call_statistics_cached(call, fresh="fresh" in request.GET),
            "ttl": selectors.STATISTICS_TTL,
        },
    )


@login_required
def call_export_csv(request, slug):
    call = _staff_call(request, slug)
    response = StreamingHttpResponse(
        exports.call_export_csv_stream(call=call), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.call_export_filename(call, "csv")}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def call_export_xlsx(request, slug):
    call = _staff_call(request, slug)
    response = FileResponse(
        exports.call_export_xlsx(call=call),
        as_attachment=True,
        filename=exports.call_export_filename(call, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response
