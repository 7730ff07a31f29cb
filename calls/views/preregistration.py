"""Placeholder until this part is built: every URL answers 404."""

from django.http import Http404


def preregister(request, *args, **kwargs):
    raise Http404


def preregistration_confirm(request, *args, **kwargs):
    raise Http404


def preregistration_unsubscribe(request, *args, **kwargs):
    raise Http404
