import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qmi_portal.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

# Django checks the key only when it is used: refuse to serve anything without one.
settings.SECRET_KEY  # noqa: B018
