"""Pre-registration to an upcoming call: ask, confirm by link, unsubscribe in one click."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..enums import CallState
from ..forms.preregistration import PreRegistrationForm
from ..models import Call
from ..services import preregistration as services
from ..services.preregistration import (
    CONFIRM,
    UNSUBSCRIBE,
    PreRegistrationError,
    RateLimited,
    TokenExpired,
    TokenInvalid,
)
from .signin import TOKEN_PAGE_REFERRER_POLICY, client_ip


# No CSRF token: forging this anonymous form gains nothing (the address must
# confirm by mail), and without a token the public call page can be cached.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def preregister(request, slug):
    call = get_object_or_404(Call.objects.select_related("edition"), slug=slug)
    state = call.state
    if state != CallState.UPCOMING:
        if state == CallState.OPEN:
            messages.info(request, _("This call is open: there is no need to pre-register."))
        else:
            messages.info(request, _("This call is closed: pre-registration is over."))
        return redirect(call)
    form = PreRegistrationForm(request.POST if request.method == "POST" else None, call=call)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.preregistration_request(
                call=call,
                email=form.cleaned_data["email"],
                language=form.cleaned_data["language"],
                consent_text=form.consent_text,
                ip=client_ip(request),
            )
        except RateLimited as error:
            form.add_error(None, error)
            status = 429
        except PreRegistrationError as error:
            form.add_error(None, error)
        else:
            # The same page whether the address is new, pending or confirmed.
            return render(request, "calls/preregistration/sent.html", {"call": call})
    return render(
        request, "calls/preregistration/form.html", {"call": call, "form": form}, status=status
    )


def _token_page(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response.headers["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    return response


def _invalid(request, error):
    return _token_page(
        request,
        "calls/preregistration/link_invalid.html",
        {"message": error.message},
        status=410 if isinstance(error, TokenExpired) else 400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def preregistration_confirm(request, token):
    """GET shows a Confirm button (mail scanners fetch links); only the POST confirms."""
    try:
        preregistration = services.preregistration_from_token(token=token, purpose=CONFIRM)
    except TokenInvalid as error:
        return _invalid(request, error)
    if preregistration is None:
        return _invalid(
            request,
            TokenInvalid(_("This pre-registration no longer exists: it was cancelled.")),
        )
    if request.method == "POST":
        services.preregistration_confirm(preregistration=preregistration)
        return redirect(request.path)
    return _token_page(
        request,
        "calls/preregistration/confirm.html",
        {"preregistration": preregistration, "call": preregistration.call},
    )


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click"; the token is the key.
@never_cache
@require_http_methods(["GET", "POST"])
def preregistration_unsubscribe(request, token):
    """GET shows one Unsubscribe button; a POST (from it or from a mail client) unsubscribes."""
    try:
        preregistration = services.preregistration_from_token(token=token, purpose=UNSUBSCRIBE)
    except TokenInvalid as error:
        return _invalid(request, error)
    if request.method == "POST":
        if preregistration is not None:
            services.preregistration_delete(preregistration=preregistration)
        return _token_page(request, "calls/preregistration/unsubscribed.html", {})
    return _token_page(
        request,
        "calls/preregistration/unsubscribe.html",
        {"preregistration": preregistration},
    )
