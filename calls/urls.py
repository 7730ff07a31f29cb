from django.urls import path

from .views import (
    applications,
    coselection,
    preregistration,
    privacy,
    public,
    reviews,
    signin,
    staff,
)

app_name = "calls"

urlpatterns = [
    # Public pages.
    path("calls/", public.call_list, name="call_list"),
    path("calls/<slug:slug>/", public.call_detail, name="call_detail"),
    # Pre-registration (double opt-in).
    path("calls/<slug:slug>/preregister/", preregistration.preregister, name="preregister"),
    path(
        "preregistration/<str:token>/confirm/",
        preregistration.preregistration_confirm,
        name="preregistration_confirm",
    ),
    path(
        "preregistration/<str:token>/unsubscribe/",
        preregistration.preregistration_unsubscribe,
        name="preregistration_unsubscribe",
    ),
    # Password-less sign-in for applicants.
    path("signin/", signin.signin_request, name="signin_request"),
    path("signin/sent/", signin.signin_sent, name="signin_sent"),
    path("signin/link/<str:token>/", signin.signin_link, name="signin_link"),
    # Applications.
    path("calls/<slug:slug>/apply/", applications.application_start, name="application_start"),
    path("my-applications/", applications.my_applications, name="my_applications"),
    path("applications/<uuid:uuid>/", applications.application_detail, name="application_detail"),
    path(
        "applications/<uuid:uuid>/step/<slug:step>/",
        applications.application_step,
        name="application_step",
    ),
    path(
        "applications/<uuid:uuid>/step/<slug:step>/autosave/",
        applications.application_autosave,
        name="application_autosave",
    ),
    path(
        "applications/<uuid:uuid>/review/",
        applications.application_review,
        name="application_review",
    ),
    path(
        "applications/<uuid:uuid>/submitted/",
        applications.application_submitted,
        name="application_submitted",
    ),
    path(
        "applications/<uuid:uuid>/withdraw/",
        applications.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "applications/<uuid:uuid>/attachments/<int:pk>/",
        applications.attachment_download,
        name="attachment_download",
    ),
    path(
        "applications/<uuid:uuid>/attachments/<int:pk>/delete/",
        applications.attachment_delete,
        name="attachment_delete",
    ),
    # Privacy: the notice; an applicant's copy of their data and erasure request.
    path("privacy/", privacy.privacy_notice, name="privacy"),
    path("my-data/", privacy.my_data, name="my_data"),
    path("my-data/export.json", privacy.my_data_export, name="my_data_export"),
    # Reviewers.
    path("reviews/", reviews.review_list, name="review_list"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("reviews/<int:pk>/conflict/", reviews.review_conflict, name="review_conflict"),
    # Co-selection by the towns.
    path("coselection/", coselection.coselection_list, name="coselection_list"),
    path("coselection/<uuid:uuid>/", coselection.coselection_detail, name="coselection_detail"),
    # Paris&Co staff.
    path("calls/<slug:slug>/ranking/", staff.call_ranking, name="call_ranking"),
    path("calls/<slug:slug>/statistics/", staff.call_statistics, name="call_statistics"),
    path("calls/<slug:slug>/export.csv", staff.call_export_csv, name="call_export_csv"),
    path("calls/<slug:slug>/export.xlsx", staff.call_export_xlsx, name="call_export_xlsx"),
]
