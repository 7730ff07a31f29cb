"""Placeholder until this part is built: every URL answers 404."""

from django.http import Http404


def application_start(request, *args, **kwargs):
    raise Http404


def my_applications(request, *args, **kwargs):
    raise Http404


def application_detail(request, *args, **kwargs):
    raise Http404


def application_step(request, *args, **kwargs):
    raise Http404


def application_autosave(request, *args, **kwargs):
    raise Http404


def application_review(request, *args, **kwargs):
    raise Http404


def application_submitted(request, *args, **kwargs):
    raise Http404


def application_withdraw(request, *args, **kwargs):
    raise Http404


def attachment_download(request, *args, **kwargs):
    raise Http404


def attachment_delete(request, *args, **kwargs):
    raise Http404
