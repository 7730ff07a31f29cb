from modeltranslation.translator import TranslationOptions, register

from .models import MailTemplate


@register(MailTemplate)
class MailTemplateTranslation(TranslationOptions):
    fields = ("subject", "body")
