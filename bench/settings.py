"""The portal's settings with the reference views mounted, for when qmi_portal/urls.py
does not include ``bench.urls`` yet. Nothing else differs."""

from qmi_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.root_urls"
