from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls")

    def ready(self):
        # Public pages are cached; any change to what they show must reach them.
        from qmi_portal.cache import connect_invalidation

        connect_invalidation()
