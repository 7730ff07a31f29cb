from modeltranslation.translator import TranslationOptions, register

from .models import Call, KeyDate, SelectionCriterion


@register(Call)
class CallTranslation(TranslationOptions):
    fields = ("title", "summary", "eligibility")


@register(KeyDate)
class KeyDateTranslation(TranslationOptions):
    fields = ("title",)


@register(SelectionCriterion)
class SelectionCriterionTranslation(TranslationOptions):
    fields = ("name", "description")
