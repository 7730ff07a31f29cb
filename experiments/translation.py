"""Texts the public reads, in French and English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Experiment, ProgrammeEvent


@register(Experiment)
class ExperimentTranslation(TranslationOptions):
    fields = ("summary",)


@register(ProgrammeEvent)
class ProgrammeEventTranslation(TranslationOptions):
    fields = ("title", "description")
