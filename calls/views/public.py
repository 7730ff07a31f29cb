"""Public pages of the calls."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .. import selectors
from ..enums import CallState
from ..models import Call


def call_list(request):
    now = timezone.now()
    calls = list(selectors.calls_public())
    groups = [
        (state, [call for call in calls if call.state_at(now) == state])
        for state in (CallState.OPEN, CallState.UPCOMING, CallState.CLOSED)
    ]
    return render(request, "calls/call_list.html", {"groups": groups})


def call_detail(request, slug):
    call = get_object_or_404(Call.objects.select_related("edition"), slug=slug)
    return render(
        request,
        "calls/call_detail.html",
        {
            "call": call,
            "state": call.state,
            "districts": selectors.call_districts(call),
            "challenges": call.edition.challenges.all(),
        },
    )
