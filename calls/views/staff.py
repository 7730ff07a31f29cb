"""Placeholder until this part is built: every URL answers 404."""

from django.http import Http404


def call_ranking(request, *args, **kwargs):
    raise Http404


def call_statistics(request, *args, **kwargs):
    raise Http404


def call_export_csv(request, *args, **kwargs):
    raise Http404


def call_export_xlsx(request, *args, **kwargs):
    raise Http404
