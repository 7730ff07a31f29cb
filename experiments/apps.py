from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentsConfig(AppConfig):
    name = "experiments"
    verbose_name = _("Experiments")

    def ready(self):
        # Signed-in users and their roles are cached: a change must show at once.
        from qmi_portal.signed_in import connect_invalidation

        connect_invalidation()
