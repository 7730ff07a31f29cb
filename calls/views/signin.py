"""Placeholder until this part is built: every URL answers 404."""

from django.http import Http404


def signin_request(request, *args, **kwargs):
    raise Http404


def signin_sent(request, *args, **kwargs):
    raise Http404


def signin_link(request, *args, **kwargs):
    raise Http404
