"""Placeholder until this part is built: every URL answers 404."""

from django.http import Http404


def coselection_list(request, *args, **kwargs):
    raise Http404


def coselection_detail(request, *args, **kwargs):
    raise Http404
