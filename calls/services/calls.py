"""Setting up a call."""

from decimal import Decimal

from ..models import Call, SelectionCriterion

# The programme's five criteria, equal weights unless staff change them.
DEFAULT_CRITERIA = [
    ("utility", "Utilité", "Utility"),
    ("sustainable-development", "Développement durable", "Sustainable development"),
    ("sobriety", "Sobriété", "Sobriety"),
    ("resilience", "Résilience", "Resilience"),
    ("quality-of-life", "Qualité de vie des résidents", "Quality of life for residents"),
]


def call_ensure_default_criteria(*, call: Call) -> list[SelectionCriterion]:
    """Give a call the programme's five criteria when it has none yet."""
    if call.criteria.exists():
        return list(call.criteria.all())
    return SelectionCriterion.objects.bulk_create(
        SelectionCriterion(
            call=call,
            code=code,
            name=name_fr,
            name_fr=name_fr,
            name_en=name_en,
            weight=Decimal("1"),
            order=order,
        )
        for order, (code, name_fr, name_en) in enumerate(DEFAULT_CRITERIA)
    )
