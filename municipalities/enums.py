from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EditionStatus(models.TextChoices):
    """Where an edition stands; staff move it as the Métropole decides."""

    PREPARATION = "preparation", _("In preparation")
    MUNICIPALITY_SELECTION = "municipality_selection", _("Selecting municipalities")
    EXPERIMENTER_SELECTION = "experimenter_selection", _("Selecting experimenters")
    EXPERIMENTATION = "experimentation", _("Experiments under way")
    EVALUATION = "evaluation", _("Evaluation")
    CLOSED = "closed", pgettext_lazy("edition status", "Closed")


class Department(models.TextChoices):
    """Departments with towns in the Métropole du Grand Paris."""

    PARIS = "75", _("Paris (75)")
    ESSONNE = "91", _("Essonne (91)")
    HAUTS_DE_SEINE = "92", _("Hauts-de-Seine (92)")
    SEINE_SAINT_DENIS = "93", _("Seine-Saint-Denis (93)")
    VAL_DE_MARNE = "94", _("Val-de-Marne (94)")
    VAL_D_OISE = "95", _("Val-d'Oise (95)")


class Ept(models.TextChoices):
    """The twelve territories (établissements publics territoriaux) of the Métropole."""

    PARIS = "T1", "Paris"
    VALLEE_SUD_GRAND_PARIS = "T2", "Vallée Sud Grand Paris"
    GRAND_PARIS_SEINE_OUEST = "T3", "Grand Paris Seine Ouest"
    PARIS_OUEST_LA_DEFENSE = "T4", "Paris Ouest La Défense"
    BOUCLE_NORD_DE_SEINE = "T5", "Boucle Nord de Seine"
    PLAINE_COMMUNE = "T6", "Plaine Commune"
    PARIS_TERRES_D_ENVOL = "T7", "Paris Terres d'Envol"
    EST_ENSEMBLE = "T8", "Est Ensemble"
    GRAND_PARIS_GRAND_EST = "T9", "Grand Paris Grand Est"
    PARIS_EST_MARNE_ET_BOIS = "T10", "Paris Est Marne et Bois"
    GRAND_PARIS_SUD_EST_AVENIR = "T11", "Grand Paris Sud Est Avenir"
    GRAND_ORLY_SEINE_BIEVRE = "T12", "Grand-Orly Seine Bièvre"


class PartnerKind(models.TextChoices):
    INITIATOR = "initiator", _("Initiator")
    OPERATOR = "operator", _("Operator")
    HISTORIC = "historic", _("Historic partner")
    URBAN_PLAYER = "urban_player", _("Major urban player")


class MembershipRole(models.TextChoices):
    """What a person does for their municipality in the programme."""

    REFERENT = "referent", _("Programme referent")
    OFFICER = "officer", _("Municipal officer")
    ELECTED = "elected", _("Elected official")
