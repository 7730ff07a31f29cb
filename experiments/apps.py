from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentsConfig(AppConfig):
    name = "experiments"
    verbose_name = _("Experiments")

    def ready(self):
        # The header's roles are cached: an experiment given or taken away must show at once.
        from qmi_portal.context_processors import connect_role_invalidation

        connect_role_invalidation()
