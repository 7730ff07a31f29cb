"""Validators of what applicants type, with messages in their language."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_no_nul(value):
    """PostgreSQL refuses NUL characters in text: say so instead of failing."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(_("This text contains a forbidden (NUL) character."), code="nul")


def validate_siret(value):
    """A SIRET has 14 digits and passes the Luhn check (La Poste's sites excepted)."""
    if not value:
        return
    digits = value.replace(" ", "")
    if len(digits) != 14 or not digits.isdigit():
        raise ValidationError(_("A SIRET number has 14 digits."), code="siret_format")
    # La Poste's establishments (SIREN 356 000 000) follow another rule.
    if digits.startswith("356000000"):
        if sum(int(digit) for digit in digits) % 5 != 0:
            raise ValidationError(_("This SIRET number is not valid."), code="siret_checksum")
        return
    total = 0
    for index, digit in enumerate(reversed(digits)):
        number = int(digit)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    if total % 10 != 0:
        raise ValidationError(_("This SIRET number is not valid."), code="siret_checksum")
