"""The portal's URL map plus the reference views under /bench/ (see bench/settings.py)."""

from django.urls import include, path

from qmi_portal.urls import urlpatterns as portal

urlpatterns = [path("bench/", include("bench.urls")), *portal]
