"""Who may do what with programme data: one place, used by views and templates."""

# Group names are created by migration 0002; the labels are what people read.
PROGRAMME_STAFF = "Paris&Co staff"
REVIEWERS = "Reviewers"
MUNICIPALITY_STAFF = "Municipality staff"


def is_programme_staff(user) -> bool:
    """Paris&Co staff run the programme and see every municipality."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=PROGRAMME_STAFF).exists()
