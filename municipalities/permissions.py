"""Who may do what with programme data: one place, used by views and templates."""

from .roles import MUNICIPALITY_STAFF, PROGRAMME_STAFF, REVIEWERS

__all__ = ["MUNICIPALITY_STAFF", "PROGRAMME_STAFF", "REVIEWERS", "is_programme_staff"]


def is_programme_staff(user) -> bool:
    """Paris&Co staff run the programme and see every municipality."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=PROGRAMME_STAFF).exists()
