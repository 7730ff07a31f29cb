from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from qmi_portal.health import health

admin.site.site_header = _("QMI portal administration")
admin.site.site_title = _("QMI portal")
admin.site.index_title = _("Programme management")

urlpatterns = [
    # Outside the language prefix: for the compose healthcheck and monitoring.
    path("health", health, name="health"),
    # The two reference views of the benchmarks, only with BENCH_REFERENCE_VIEWS=1.
    path("bench/", include("bench.urls")),
]

urlpatterns += i18n_patterns(
    # Inside the language prefix, so that `next` is read in the page's language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("account/login/", auth_views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("calls.urls")),
    path("", include("municipalities.urls")),
    path("", include("experiments.urls")),
    path("", include("reports.urls")),
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
