"""The read-only summary of an application, grouped like the steps of its form."""

from django import template

from ..flow import flow_for

register = template.Library()


@register.simple_tag
def application_summary(application) -> list[dict]:
    """Sections ``{"step", "rows"}``; a row is ``{"label", "value", "kind"}``.

    Kinds: text, link, list (of strings), files (attachments). The review step
    (the declarations) comes last.
    """
    return flow_for(application).summary(application)
