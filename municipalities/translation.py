"""Fields the public reads, in French and English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Edition, InnovationDistrict, Partner, UrbanChallenge


@register(Edition)
class EditionTranslation(TranslationOptions):
    fields = ("name", "summary")


@register(UrbanChallenge)
class UrbanChallengeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(InnovationDistrict)
class InnovationDistrictTranslation(TranslationOptions):
    fields = ("name", "description", "priority_challenge")


@register(Partner)
class PartnerTranslation(TranslationOptions):
    fields = ("description",)
