from django.urls import path

from . import dashboard, views

app_name = "municipalities"

urlpatterns = [
    path("", views.home, name="home"),
    path("editions/", views.edition_list, name="edition_list"),
    path("editions/<int:number>/", views.edition_detail, name="edition_detail"),
    path("municipalities/", views.municipality_list, name="municipality_list"),
    path("municipalities/<slug:slug>/", views.municipality_detail, name="municipality_detail"),
    path("partners/", views.partner_list, name="partner_list"),
    path("legal/", views.legal, name="legal"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("my-municipality/", views.my_municipality, name="my_municipality"),
    # The municipality dashboard (municipalities/dashboard.py).
    path("my-municipality/districts/<int:pk>/", dashboard.district, name="dashboard_district"),
    path(
        "my-municipality/districts/<int:pk>/measurements.csv",
        dashboard.district_export,
        name="dashboard_district_export",
    ),
    path("my-municipality/editions/<int:number>/", dashboard.edition, name="dashboard_edition"),
    path(
        "my-municipality/experiments/<uuid:uuid>/",
        dashboard.experiment,
        name="dashboard_experiment",
    ),
    path("my-municipality/reports/<uuid:uuid>/", dashboard.report, name="dashboard_report"),
    path(
        "my-municipality/reports/<uuid:uuid>/photos/<int:pk>/",
        dashboard.report_photo,
        name="dashboard_report_photo",
    ),
]
