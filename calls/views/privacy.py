"""Privacy: the notice, and an applicant's own data (a copy, erasure)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..forms.privacy import ErasureRequestForm
from ..models import ErasureRequest
from ..services.privacy import (
    SIGNIN_LINK_RETENTION,
    ErasureRefused,
    applicant_data_export,
    erasure_request_create,
)
from ..services.signin import LIFETIME

applicant_required = login_required(login_url="calls:signin_request")


def privacy_notice(request):
    """What is kept, why and how long: the periods come from the settings in force."""
    return render(
        request,
        "calls/privacy/notice.html",
        {
            "unsuccessful_days": settings.RETENTION_UNSUCCESSFUL_DAYS,
            "unsuccessful_months": round(settings.RETENTION_UNSUCCESSFUL_DAYS / 30.44),
            "preregistration_days": settings.RETENTION_PREREGISTRATION_DAYS,
            "signin_minutes": int(LIFETIME.total_seconds() // 60),
            "signin_kept_hours": int(SIGNIN_LINK_RETENTION.total_seconds() // 3600),
            "session_days": settings.SESSION_COOKIE_AGE // (24 * 3600),
            "login_cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@never_cache
@applicant_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """A copy of one's data, and the request to erase it."""
    pending = ErasureRequest.objects.filter(
        requested_by=request.user, executed_at__isnull=True
    ).first()
    form = ErasureRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            erasure_request_create(user=request.user)
        except ErasureRefused as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Your request is recorded. The programme team carries it out within a "
                    "month and you will no longer be able to sign in with this account."
                ),
            )
            return redirect("calls:my_data")
    return render(
        request,
        "calls/privacy/my_data.html",
        {
            "form": form,
            "pending": pending,
            "application_count": request.user.applications.count(),
        },
    )


@never_cache
@applicant_required
def my_data_export(request):
    data = applicant_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"qmi-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
