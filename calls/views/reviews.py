"""Placeholder until this part is built: every URL answers 404."""

from django.http import Http404


def review_list(request, *args, **kwargs):
    raise Http404


def review_detail(request, *args, **kwargs):
    raise Http404


def review_conflict(request, *args, **kwargs):
    raise Http404
