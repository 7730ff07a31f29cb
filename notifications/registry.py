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
        description=_("Confirmation of a submitted application."),
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

BY_CODE = {definition.code: definition for definition in DEFINITIONS}
