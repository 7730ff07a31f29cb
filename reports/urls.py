from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/ask/", views.report_ask, name="report_ask"),
    path("reports/<uuid:uuid>/", views.report_detail, name="report_detail"),
    path("reports/<uuid:uuid>/download/", views.report_download, name="report_download"),
]
