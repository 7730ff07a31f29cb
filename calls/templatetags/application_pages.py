"""What every page of an application shows: the breadcrumb and the progress of a draft.

Written in Python rather than as included templates: they are on every step page,
and the template loop and include cost a tenth of the page.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

_ARIA_CURRENT_STEP = mark_safe(' aria-current="step"')


@register.simple_tag
def application_progress(steps, steps_done):
    """``steps`` as ``Flow.progress`` gives them; ``steps_done`` how many are complete."""
    total = len(steps)
    complete, to_complete = _("complete"), _("to complete")
    items = format_html_join(
        "",
        '<li class="step{}{}"><a href="{}"{}>'
        '<span class="step-number" aria-hidden="true">{}</span> '
        '<span class="step-label">{}</span> <span class="step-state">{}</span></a></li>',
        (
            (
                " step-done" if item["completed"] else "",
                " step-current" if item["current"] else "",
                item["url"],
                _ARIA_CURRENT_STEP if item["current"] else "",
                "✓" if item["completed"] else item["number"],
                item["step"].label,
                complete if item["completed"] else to_complete,
            )
            for item in steps
        ),
    )
    summary = ngettext(
        "%(done)s of %(total)s step complete", "%(done)s of %(total)s steps complete", total
    ) % {"done": steps_done, "total": total}
    return format_html(
        '<nav class="application-progress mb-4" aria-labelledby="progress-title">'
        '<h2 id="progress-title" class="visually-hidden">{}</h2>'
        '<p class="small mb-2">{}</p>'
        '<ol class="steps list-unstyled d-flex flex-wrap gap-2 mb-0">{}</ol></nav>',
        _("Steps of the application"),
        summary,
        items,
    )


@register.simple_tag
def application_breadcrumb(application, current_label=None):
    """My applications › the call › ``current_label`` (the page), if any."""
    current = (
        format_html('<li class="breadcrumb-item active" aria-current="page">{}</li>', current_label)
        if current_label
        else ""
    )
    return format_html(
        '<nav aria-label="{}"><ol class="breadcrumb">'
        '<li class="breadcrumb-item"><a href="{}">{}</a></li>'
        '<li class="breadcrumb-item"><a href="{}">{}</a></li>{}</ol></nav>',
        _("Breadcrumb"),
        reverse("calls:my_applications"),
        _("My applications"),
        application.get_absolute_url(),
        application.call.title,
        current,
    )
