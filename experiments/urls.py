from django.urls import path

from .views import events, experimenter, showcase

app_name = "experiments"

urlpatterns = [
    # Experimenter's pages (My experiments, progress reports): experiments/views/experimenter.py
    path("my-experiments/", experimenter.my_experiments, name="my_experiments"),
    path("experiments/<uuid:uuid>/", experimenter.experiment_detail, name="experiment_detail"),
    path(
        "experiments/<uuid:uuid>/milestones/<int:pk>/done/",
        experimenter.milestone_done,
        name="milestone_done",
    ),
    path("experiments/<uuid:uuid>/reports/new/", experimenter.report_start, name="report_start"),
    # Progress reports: not under reports/, which is the PDF reports' (reports.urls).
    path("progress-reports/<uuid:uuid>/", experimenter.report_detail, name="report_detail"),
    path("progress-reports/<uuid:uuid>/edit/", experimenter.report_edit, name="report_edit"),
    path(
        "progress-reports/<uuid:uuid>/photos/<int:pk>/", experimenter.photo_file, name="photo_file"
    ),
    path(
        "progress-reports/<uuid:uuid>/photos/<int:pk>/delete/",
        experimenter.photo_delete,
        name="photo_delete",
    ),
    # Programme events: experiments/views/events.py
    path("events/", events.event_list, name="event_list"),
    path("events/<uuid:uuid>/", events.event_detail, name="event_detail"),
    path("events/<uuid:uuid>/register/", events.event_register, name="event_register"),
    path("events/<uuid:uuid>/calendar.ics", events.event_ics, name="event_ics"),
    path(
        "events/registrations/<uuid:token>/cancel/",
        events.registration_cancel,
        name="registration_cancel",
    ),
    # Public showcase: experiments/views/showcase.py
    path("showcase/", showcase.showcase, name="showcase"),
    path(
        "showcase/<uuid:uuid>/",
        showcase.showcase_experiment_detail,
        name="showcase_experiment",
    ),
]
