"""URLs of the reference views: empty unless BENCH_REFERENCE_VIEWS=1 is set."""

import os

from django.urls import path

urlpatterns = []

if os.environ.get("BENCH_REFERENCE_VIEWS") == "1":
    from . import reference_views

    urlpatterns = [
        path("hello/", reference_views.hello, name="bench_hello"),
        path("one-query/", reference_views.one_query, name="bench_one_query"),
    ]
