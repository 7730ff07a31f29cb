"""Every email the portal sends: its default texts and the variables it may use.

Staff edit the texts in the admin (``MailTemplate``); these defaults fill a
template the first time it is used. Variables are plain strings.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MailDefinition:
    code: str
    description: str
    variables: dict
    subject_fr: str
    subject_en: str
    body_fr: str
    body_en: str
    # Documents attached (report kinds, see reports.registry), about the mail's related object.
    attach_reports: tuple = ()


_SIGNATURE_FR = (
    "\n\n— L'équipe Quartiers Métropolitains d'Innovation "
    "(Paris&Co pour la Métropole du Grand Paris)"
)
_SIGNATURE_EN = (
    "\n\n— The Metropolitan Innovation Districts team (Paris&Co for the Métropole du Grand Paris)"
)

DEFINITIONS = [
    MailDefinition(
        code="preregistration_confirm",
        description=_("After a pre-registration: confirm the address (double opt-in)."),
        variables={
            "call_title": _("title of the call"),
            "confirm_url": _("link that confirms the pre-registration"),
            "unsubscribe_url": _("link that cancels it"),
        },
        subject_fr="Confirmez votre pré-inscription : {{ call_title }}",
        subject_en="Confirm your pre-registration: {{ call_title }}",
        body_fr=(
            "Bonjour,\n\nVous avez demandé à être prévenu(e) de l'ouverture de l'appel "
            "« {{ call_title }} ». Pour confirmer, ouvrez ce lien :\n{{ confirm_url }}\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : sans "
            "confirmation, vous ne recevrez rien.\nSe désinscrire : {{ unsubscribe_url }}"
            + _SIGNATURE_FR
        ),
        body_en=(
            "Hello,\n\nYou asked to be told when the call “{{ call_title }}” opens. To confirm, "
            "open this link:\n{{ confirm_url }}\n\nIf you did not ask for this, ignore this "
            "message: without confirmation you will receive nothing.\nUnsubscribe: "
            "{{ unsubscribe_url }}" + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="call_open",
        description=_("To confirmed pre-registrations, when the call opens."),
        variables={
            "call_title": _("title of the call"),
            "call_url": _("page of the call"),
            "closes_at": _("deadline, Paris time"),
            "unsubscribe_url": _("one-click unsubscribe link"),
        },
        subject_fr="L'appel est ouvert : {{ call_title }}",
        subject_en="The call is open: {{ call_title }}",
        body_fr=(
            "Bonjour,\n\nL'appel « {{ call_title }} » est ouvert aux candidatures jusqu'au "
            "{{ closes_at }} (heure de Paris).\n{{ call_url }}\n\nSe désinscrire : "
            "{{ unsubscribe_url }}" + _SIGNATURE_FR
        ),
        body_en=(
            "Hello,\n\nThe call “{{ call_title }}” is open for applications until "
            "{{ closes_at }} (Paris time).\n{{ call_url }}\n\nUnsubscribe: {{ unsubscribe_url }}"
            + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="signin_link",
        description=_("The single-use sign-in link an applicant asked for."),
        variables={
            "signin_url": _("the sign-in link"),
            "minutes": _("how many minutes the link stays valid"),
        },
        subject_fr="Votre lien de connexion au portail QMI",
        subject_en="Your sign-in link to the QMI portal",
        body_fr=(
            "Bonjour,\n\nPour vous connecter, ouvrez ce lien puis cliquez sur « Me connecter » "
            "(valable {{ minutes }} minutes, une seule fois) :\n{{ signin_url }}\n\n"
            "Si vous n'avez rien demandé, ignorez ce message." + _SIGNATURE_FR
        ),
        body_en=(
            "Hello,\n\nTo sign in, open this link and click “Sign me in” (valid "
            "{{ minutes }} minutes, once):\n{{ signin_url }}\n\nIf you did not ask for it, "
            "ignore this message." + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="application_submitted",
        description=_("Confirmation of a submitted application, with its dossier (PDF)."),
        variables={
            "applicant_name": _("name of the contact person"),
            "reference": _("reference of the application"),
            "title": _("solution or town"),
            "call_title": _("title of the call"),
            "submitted_at": _("date and time of submission, Paris time"),
            "application_url": _("link to the application"),
        },
        subject_fr="Candidature {{ reference }} reçue",
        subject_en="Application {{ reference }} received",
        body_fr=(
            "Bonjour {{ applicant_name }},\n\nNous avons bien reçu votre candidature "
            "« {{ title }} » à l'appel « {{ call_title }} », le {{ submitted_at }}.\n"
            "Sa référence : {{ reference }}.\nVous pouvez la consulter ici : "
            "{{ application_url }}" + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ applicant_name }},\n\nWe have received your application “{{ title }}” "
            "to the call “{{ call_title }}” on {{ submitted_at }}.\nIts reference: "
            "{{ reference }}.\nYou can see it here: {{ application_url }}" + _SIGNATURE_EN
        ),
        attach_reports=("application_dossier",),
    ),
    MailDefinition(
        code="decision_selected",
        description=_("Decision: the application is selected."),
        variables={
            "applicant_name": _("name of the contact person"),
            "reference": _("reference of the application"),
            "title": _("solution or town"),
            "call_title": _("title of the call"),
            "district_name": _("the innovation district"),
        },
        subject_fr="Votre candidature {{ reference }} est retenue",
        subject_en="Your application {{ reference }} is selected",
        body_fr=(
            "Bonjour {{ applicant_name }},\n\nNous avons le plaisir de vous annoncer que votre "
            "candidature « {{ title }} » à l'appel « {{ call_title }} » est retenue"
            "{% if district_name %} pour le quartier d'innovation {{ district_name }}{% endif %}"
            ".\nVotre chef de projet Paris&Co vous contactera très prochainement." + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ applicant_name }},\n\nWe are pleased to tell you that your application "
            "“{{ title }}” to the call “{{ call_title }}” is selected"
            "{% if district_name %} for the innovation district {{ district_name }}{% endif %}"
            ".\nYour Paris&Co project manager will contact you very soon." + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="decision_waiting_list",
        description=_("Decision: the application is on the waiting list."),
        variables={
            "applicant_name": _("name of the contact person"),
            "reference": _("reference of the application"),
            "title": _("solution or town"),
            "call_title": _("title of the call"),
        },
        subject_fr="Votre candidature {{ reference }} est sur liste d'attente",
        subject_en="Your application {{ reference }} is on the waiting list",
        body_fr=(
            "Bonjour {{ applicant_name }},\n\nVotre candidature « {{ title }} » à l'appel "
            "« {{ call_title }} » est placée sur liste d'attente. Nous reviendrons vers vous "
            "si une place se libère." + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ applicant_name }},\n\nYour application “{{ title }}” to the call "
            "“{{ call_title }}” is on the waiting list. We will come back to you if a place "
            "becomes free." + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="decision_rejected",
        description=_("Decision: the application is not selected."),
        variables={
            "applicant_name": _("name of the contact person"),
            "reference": _("reference of the application"),
            "title": _("solution or town"),
            "call_title": _("title of the call"),
        },
        subject_fr="Votre candidature {{ reference }}",
        subject_en="Your application {{ reference }}",
        body_fr=(
            "Bonjour {{ applicant_name }},\n\nNous vous remercions pour votre candidature "
            "« {{ title }} » à l'appel « {{ call_title }} ». Nous avons le regret de vous "
            "informer qu'elle n'a pas été retenue." + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ applicant_name }},\n\nThank you for your application “{{ title }}” to "
            "the call “{{ call_title }}”. We regret to tell you that it was not selected."
            + _SIGNATURE_EN
        ),
    ),
]

# Programme events (experiments/services/events.py): each mail has the link that cancels.
_EVENT_VARIABLES = {
    "name": _("name of the registered person"),
    "event_title": _("title of the event"),
    "starts_at": _("date and time of the event, Paris time"),
    "place": _("place or online link"),
    "event_url": _("page of the event"),
    "calendar_url": _("the event as an .ics calendar file"),
    "cancel_url": _("link that cancels the registration"),
}
_EVENT_DETAILS_FR = (
    "Quand : {{ starts_at }} (heure de Paris)\nOù : {{ place }}\n"
    "L'événement : {{ event_url }}\nL'ajouter à votre agenda : {{ calendar_url }}\n\n"
    "Si vous ne pouvez plus venir, annulez votre inscription pour libérer la place :\n"
    "{{ cancel_url }}"
)
_EVENT_DETAILS_EN = (
    "When: {{ starts_at }} (Paris time)\nWhere: {{ place }}\n"
    "The event: {{ event_url }}\nAdd it to your calendar: {{ calendar_url }}\n\n"
    "If you can no longer come, cancel your registration to free the seat:\n"
    "{{ cancel_url }}"
)

DEFINITIONS += [
    MailDefinition(
        code="event_registration_confirmed",
        description=_("Programme event: the registration is confirmed (a seat)."),
        variables=_EVENT_VARIABLES,
        subject_fr="Inscription confirmée : {{ event_title }}",
        subject_en="Registration confirmed: {{ event_title }}",
        body_fr=(
            "Bonjour {{ name }},\n\nVotre inscription à « {{ event_title }} » est confirmée.\n\n"
            + _EVENT_DETAILS_FR
            + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ name }},\n\nYour registration for “{{ event_title }}” is confirmed.\n\n"
            + _EVENT_DETAILS_EN
            + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="event_registration_waiting_list",
        description=_("Programme event: the event is full, the person is on the waiting list."),
        variables=_EVENT_VARIABLES,
        subject_fr="Liste d'attente : {{ event_title }}",
        subject_en="Waiting list: {{ event_title }}",
        body_fr=(
            "Bonjour {{ name }},\n\n« {{ event_title }} » est complet : vous êtes sur la liste "
            "d'attente. Si une place se libère, elle vous sera attribuée dans l'ordre "
            "d'inscription et nous vous écrirons.\n\n" + _EVENT_DETAILS_FR + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ name }},\n\n“{{ event_title }}” is full: you are on the waiting list. "
            "If a seat becomes free, it goes to the waiting list in order of registration and "
            "we will write to you.\n\n" + _EVENT_DETAILS_EN + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="event_registration_promoted",
        description=_("Programme event: a seat became free, the person leaves the waiting list."),
        variables=_EVENT_VARIABLES,
        subject_fr="Une place s'est libérée : {{ event_title }}",
        subject_en="A seat is free for you: {{ event_title }}",
        body_fr=(
            "Bonjour {{ name }},\n\nUne place s'est libérée : votre inscription à "
            "« {{ event_title }} » est confirmée.\n\n" + _EVENT_DETAILS_FR + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ name }},\n\nA seat became free: your registration for "
            "“{{ event_title }}” is confirmed.\n\n" + _EVENT_DETAILS_EN + _SIGNATURE_EN
        ),
    ),
]

# Reminders (notifications.reminders; offsets in the admin, "Reminder rules").
DEFINITIONS += [
    MailDefinition(
        code="application_draft_reminder",
        description=_("Reminder: an application started and not submitted, before the deadline."),
        variables={
            "applicant_name": _("name of the contact person"),
            "title": _("solution or town, if given"),
            "call_title": _("title of the call"),
            "deadline": _("deadline, Paris time (an extension if one was granted)"),
            "application_url": _("link to the application"),
        },
        subject_fr="Votre candidature n'est pas encore envoyée : {{ call_title }}",
        subject_en="Your application is not submitted yet: {{ call_title }}",
        body_fr=(
            "Bonjour {{ applicant_name }},\n\nVotre candidature{% if title %} « {{ title }} »"
            "{% endif %} à l'appel « {{ call_title }} » est commencée mais pas encore envoyée. "
            "Vous avez jusqu'au {{ deadline }} (heure de Paris) pour la compléter et l'envoyer :"
            "\n{{ application_url }}\n\nSi vous ne souhaitez plus candidater, ignorez ce "
            "message." + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ applicant_name }},\n\nYour application{% if title %} “{{ title }}”"
            "{% endif %} to the call “{{ call_title }}” is started but not submitted yet. You "
            "have until {{ deadline }} (Paris time) to complete and submit it:\n"
            "{{ application_url }}\n\nIf you no longer wish to apply, ignore this message."
            + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="review_reminder",
        description=_("Reminder: a reviewer's reviews not finished, before the review deadline."),
        variables={
            "reviewer_name": _("name of the reviewer"),
            "count": _("number of reviews still to finish"),
            "call_title": _("title of the call"),
            "deadline": _("review deadline, Paris time"),
            "reviews_url": _("link to the reviewer's list of reviews"),
        },
        subject_fr="Évaluations à terminer avant le {{ deadline }} : {{ call_title }}",
        subject_en="Reviews to finish before {{ deadline }}: {{ call_title }}",
        body_fr=(
            "Bonjour {{ reviewer_name }},\n\nIl vous reste {{ count }} évaluation(s) à terminer "
            "pour l'appel « {{ call_title }} », avant le {{ deadline }} (heure de Paris) :\n"
            "{{ reviews_url }}\n\nMerci pour votre participation au jury." + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ reviewer_name }},\n\nYou have {{ count }} review(s) left to finish for "
            "the call “{{ call_title }}”, before {{ deadline }} (Paris time):\n{{ reviews_url }}"
            "\n\nThank you for taking part in the jury." + _SIGNATURE_EN
        ),
    ),
]

# Reminders of experiments (experiments/reminders.py; offsets in "Reminder rules").
_MILESTONE_VARIABLES = {
    "name": _("name of the person reminded"),
    "milestone": _("name of the milestone"),
    "due_date": _("due date of the milestone"),
    "solution_name": _("name of the solution"),
    "organisation_name": _("experimenter organisation"),
    "district": _("innovation district and town"),
    "experiment_url": _("link to the experiment"),
}
DEFINITIONS += [
    MailDefinition(
        code="milestone_due_soon",
        description=_("Reminder: a milestone due soon (experimenter and project manager)."),
        variables=_MILESTONE_VARIABLES,
        subject_fr="Jalon à venir le {{ due_date }} : {{ milestone }} ({{ solution_name }})",
        subject_en="Milestone due on {{ due_date }}: {{ milestone }} ({{ solution_name }})",
        body_fr=(
            "Bonjour {{ name }},\n\nLe jalon « {{ milestone }} » de l'expérimentation "
            "« {{ solution_name }} » ({{ organisation_name }}, {{ district }}) est prévu pour le "
            "{{ due_date }}.\n\nL'expérimentation : {{ experiment_url }}" + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ name }},\n\nThe milestone “{{ milestone }}” of the experiment "
            "“{{ solution_name }}” ({{ organisation_name }}, {{ district }}) is due on "
            "{{ due_date }}.\n\nThe experiment: {{ experiment_url }}" + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="milestone_late",
        description=_("Reminder: a milestone late (experimenter and project manager)."),
        variables=_MILESTONE_VARIABLES,
        subject_fr="Jalon en retard : {{ milestone }} ({{ solution_name }})",
        subject_en="Milestone late: {{ milestone }} ({{ solution_name }})",
        body_fr=(
            "Bonjour {{ name }},\n\nLe jalon « {{ milestone }} » de l'expérimentation "
            "« {{ solution_name }} » ({{ organisation_name }}, {{ district }}) était prévu pour "
            "le {{ due_date }} et n'est pas encore marqué comme fait.\n\nS'il est fait, "
            "indiquez-le avec sa preuve ; sinon, prévenez votre chef(fe) de projet Paris&Co :\n"
            "{{ experiment_url }}" + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ name }},\n\nThe milestone “{{ milestone }}” of the experiment "
            "“{{ solution_name }}” ({{ organisation_name }}, {{ district }}) was due on "
            "{{ due_date }} and is not marked done yet.\n\nIf it is done, record it with its "
            "evidence; otherwise tell your Paris&Co project manager:\n{{ experiment_url }}"
            + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="progress_report_due",
        description=_("Reminder: a progress report due (experimenter)."),
        variables={
            "name": _("name of the experimenter"),
            "number": _("number of the report (1 for the first)"),
            "due_date": _("due date of the report"),
            "solution_name": _("name of the solution"),
            "report_url": _("link to write the report"),
        },
        subject_fr="Rapport d'avancement n° {{ number }} attendu le {{ due_date }}",
        subject_en="Progress report no. {{ number }} due on {{ due_date }}",
        body_fr=(
            "Bonjour {{ name }},\n\nLe rapport d'avancement n° {{ number }} de "
            "l'expérimentation « {{ solution_name }} » est attendu pour le {{ due_date }}. "
            "Vous pouvez le rédiger ici :\n{{ report_url }}" + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ name }},\n\nProgress report no. {{ number }} of the experiment "
            "“{{ solution_name }}” is due on {{ due_date }}. You can write it here:\n"
            "{{ report_url }}" + _SIGNATURE_EN
        ),
    ),
    MailDefinition(
        code="event_reminder",
        description=_("Reminder: a programme event, the day before (registered people)."),
        variables=_EVENT_VARIABLES,
        subject_fr="Rappel : {{ event_title }}, {{ starts_at }}",
        subject_en="Reminder: {{ event_title }}, {{ starts_at }}",
        body_fr=(
            "Bonjour {{ name }},\n\nNous vous attendons à « {{ event_title }} ».\n\n"
            + _EVENT_DETAILS_FR
            + _SIGNATURE_FR
        ),
        body_en=(
            "Hello {{ name }},\n\nWe look forward to seeing you at “{{ event_title }}”.\n\n"
            + _EVENT_DETAILS_EN
            + _SIGNATURE_EN
        ),
    ),
]

BY_CODE = {definition.code: definition for definition in DEFINITIONS}
