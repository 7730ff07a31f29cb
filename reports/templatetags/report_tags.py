from django import template
from django.utils.text import Truncator

register = template.Library()


@register.filter
def clip(value, length):
    """At most ``length`` characters: a huge field cannot make a report endless."""
    return Truncator(str(value)).chars(int(length))
