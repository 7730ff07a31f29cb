"""Co-selection: a town's staff see the shortlisted applications for their district.

Nothing else: another town's application, or one not shortlisted, is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from municipalities.models import InnovationDistrict
from municipalities.selectors import districts_for, municipalities_for

from ..forms.coselection import OpinionForm
from ..models import MunicipalityOpinion
from ..permissions import applications_for_coselection
from ..services.opinions import opinion_give

OPINION_SAVED = gettext_noop(
    "Your opinion for %(district)s is recorded. You may change it until the decision."
)


def _require_municipality(request):
    if not municipalities_for(request.user).exists():
        raise Http404


def _own_districts(user):
    return InnovationDistrict.objects.filter(pk__in=districts_for(user).values("pk"))


@login_required
def coselection_list(request):
    _require_municipality(request)
    own = _own_districts(request.user)
    applications = (
        applications_for_coselection(request.user)
        .select_related("call")
        .prefetch_related(
            Prefetch(
                "target_districts",
                queryset=own.select_related("municipality").order_by("municipality__name"),
                to_attr="own_districts",
            ),
            Prefetch(
                "opinions",
                queryset=MunicipalityOpinion.objects.filter(district__in=own),
                to_attr="own_opinions",
            ),
        )
        .order_by("call__opens_at", "reference")
    )
    return render(
        request, "calls/coselection/coselection_list.html", {"applications": applications}
    )


@login_required
def coselection_detail(request, uuid):
    _require_municipality(request)
    application = get_object_or_404(
        applications_for_coselection(request.user)
        .select_related("call__edition", "selected_district")
        .prefetch_related("themes", "target_districts__municipality", "attachments"),
        uuid=uuid,
    )
    districts = list(
        application.target_districts.filter(pk__in=districts_for(request.user).values("pk"))
        .select_related("municipality")
        .order_by("municipality__name")
    )
    opinions = {
        opinion.district_id: opinion
        for opinion in MunicipalityOpinion.objects.filter(
            application=application, district__in=districts
        )
    }
    posted = None
    if request.method == "POST":
        try:
            posted = int(request.POST.get("district", ""))
        except ValueError:
            posted = None
        if posted not in {district.pk for district in districts}:
            raise Http404
    forms = []
    for district in districts:
        existing = opinions.get(district.pk)
        initial = {"opinion": existing.opinion, "comment": existing.comment} if existing else None
        bound = request.POST if posted == district.pk else None
        forms.append(
            (district, existing, OpinionForm(bound, initial=initial, prefix=f"d{district.pk}"))
        )
    if posted is not None:
        district, _existing, form = next(item for item in forms if item[0].pk == posted)
        if form.is_valid():
            try:
                opinion_give(
                    application=application,
                    district=district,
                    by=request.user,
                    opinion=form.cleaned_data["opinion"],
                    comment=form.cleaned_data["comment"],
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(OPINION_SAVED) % {"district": district.municipality.name},
                )
                return redirect("calls:coselection_detail", uuid=application.uuid)
    return render(
        request,
        "calls/coselection/coselection_detail.html",
        {
            "application": application,
            "forms": forms,
        },
    )
