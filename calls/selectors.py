"""Reads of calls; their state comes from the clock."""

from django.db.models import QuerySet
from django.utils import timezone

from .models import Call


def calls_open_or_upcoming(now=None) -> QuerySet[Call]:
    now = now or timezone.now()
    return Call.objects.filter(closes_at__gt=now).select_related("edition").order_by("closes_at")


def calls_public() -> QuerySet[Call]:
    return Call.objects.select_related("edition").order_by("-opens_at")


def call_districts(call) -> QuerySet:
    return call.districts.select_related("municipality").prefetch_related("themes")
