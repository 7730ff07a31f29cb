"""The two reference views the throughput figures are compared with.

Served by the same gunicorn, settings and middleware as the portal, in the same
run: a bare "hello world", and a plain page of about fifty template lines
rendered from one 20-row query. Mounted only with BENCH_REFERENCE_VIEWS=1.
"""

from pathlib import Path

from django.http import HttpResponse
from django.template import engines

from calls.models import Application

# Compiled once, as Django's cached template loader does with DEBUG off.
ONE_QUERY_TEMPLATE = engines["django"].from_string(
    (Path(__file__).parent / "templates" / "one_query.html").read_text()
)


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


def one_query(request):
    rows = list(
        Application.objects.order_by("-pk").values(
            "pk", "reference", "status", "organisation_name", "solution_name", "created_at"
        )[:20]
    )
    return HttpResponse(ONE_QUERY_TEMPLATE.render({"rows": rows}, request))
