"""Public pages of the calls."""

from decimal import Decimal

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmi_portal.cache import public_page

from .. import selectors
from ..enums import CallState
from ..forms.preregistration import PreRegistrationForm
from ..models import Call


@public_page
def call_list(request):
    now = timezone.now()
    calls = list(selectors.calls_public())
    groups = [
        (state, [call for call in calls if call.state_at(now) == state])
        for state in (CallState.OPEN, CallState.UPCOMING, CallState.CLOSED)
    ]
    return render(request, "calls/call_list.html", {"groups": groups})


@public_page
def call_detail(request, slug):
    call = get_object_or_404(Call.objects.select_related("edition"), slug=slug)
    now = timezone.now()
    state = call.state_at(now)
    criteria = list(call.criteria.all())
    total_weight = sum((criterion.weight for criterion in criteria), Decimal(0))
    for criterion in criteria:
        criterion.share = round(criterion.weight * 100 / total_weight) if total_weight else None
    deadline = {CallState.UPCOMING: call.opens_at, CallState.OPEN: call.closes_at}.get(state)
    return render(
        request,
        "calls/call_detail.html",
        {
            "call": call,
            "state": state,
            "now": now,
            "deadline": deadline,
            "remaining": remaining_text(deadline - now) if deadline else "",
            "districts": selectors.call_districts(call),
            "challenges": call.edition.challenges.all(),
            "key_dates": call.key_dates.all(),
            "criteria": criteria,
            "preregistration_form": (
                PreRegistrationForm(call=call) if state == CallState.UPCOMING else None
            ),
        },
    )


def remaining_text(delta) -> str:
    """'3 days, 4 hours and 12 minutes' in the reader's language (static/js/countdown.js agrees)."""
    total = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes:
        parts.append(
            ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
        )
    if not parts:
        return _("less than a minute")
    if len(parts) == 1:
        return parts[0]
    return _("%(list)s and %(last)s") % {"list": ", ".join(parts[:-1]), "last": parts[-1]}
