"""Password-less sign-in for applicants: ask a link, open it, press the button."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qmi_portal import signed_in

from ..forms.signin import SignInRequestForm
from ..services.signin import (
    LIFETIME,
    SignInLinkInvalid,
    is_safe_next_url,
    signin_link_is_usable,
    signin_link_request,
    signin_link_use,
)

MODEL_BACKEND = signed_in.BACKEND
MINUTES = int(LIFETIME.total_seconds() // 60)


# Pages whose address holds a token tell the browser to send only our origin
# onwards: the token never leaks in a Referer, and our own forms keep a real
# Origin header for Django's CSRF check ("no-referrer" would make it "null").
TOKEN_PAGE_REFERRER_POLICY = "strict-origin"  # noqa: S105 - not a password


def client_ip(request) -> str | None:
    address = request.META.get("REMOTE_ADDR", "")
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


def _safe_next(request, url: str) -> str:
    return (
        url
        if is_safe_next_url(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else ""
    )


def _request_form(request, data=None):
    return SignInRequestForm(
        data,
        initial={"next": _safe_next(request, request.GET.get("next", ""))},
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    )


@require_http_methods(["GET", "POST"])
def signin_request(request):
    form = _request_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # The same answer whatever happens: known or unknown address, limit or not.
        signin_link_request(
            email=form.cleaned_data["email"],
            language=request.LANGUAGE_CODE,
            ip=client_ip(request),
            next_url=form.cleaned_data["next"],
        )
        return redirect("calls:signin_sent")
    return render(request, "calls/signin/request.html", {"form": form, "minutes": MINUTES})


def signin_sent(request):
    return render(request, "calls/signin/sent.html", {"minutes": MINUTES})


@never_cache
@require_http_methods(["GET", "POST"])
def signin_link(request, token):
    """GET shows a button and uses nothing up (mail scanners fetch links); POST signs in."""
    if request.method == "POST":
        try:
            signin = signin_link_use(token=token)
        except SignInLinkInvalid as error:
            response = _link_invalid(request, error.message)
        else:
            login(request, signin.user, backend=MODEL_BACKEND)
            messages.success(request, _("You are signed in."))
            response = redirect(
                _safe_next(request, signin.next_url) or reverse("calls:my_applications")
            )
    elif signin_link_is_usable(token=token):
        response = render(request, "calls/signin/link.html")
    else:
        response = _link_invalid(
            request,
            _("This sign-in link has expired or has already been used. Ask for a new one below."),
        )
    # The token is in the address: no page it leads to may learn it.
    response.headers["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    return response


def _link_invalid(request, message):
    return render(
        request,
        "calls/signin/link_invalid.html",
        {"message": message, "form": _request_form(request)},
        status=410,
    )
