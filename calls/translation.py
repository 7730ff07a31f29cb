from modeltranslation.translator import TranslationOptions, register

from .models import Call


@register(Call)
class CallTranslation(TranslationOptions):
    fields = ("title", "summary")
