"""Settings of the QMI portal: one module, every value from the environment.

The defaults run the demo with nothing installed (SQLite, Celery on kombu's
filesystem transport under ``var/``); production and the tests set
``DATABASE_URL`` and ``REDIS_URL``. The README lists every variable.
"""

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# Required when DEBUG is off. Left empty, Django refuses every use of it (signing,
# sessions, CSRF) while commands that sign nothing (makemigrations --check) still run;
# the web server and the worker refuse to start without it (wsgi.py, celery.py).
SECRET_KEY = env("SECRET_KEY", default="insecure-only-for-local-development" if DEBUG else "")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
# Where the portal is reached from outside, for the links in emails and PDFs.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Served over HTTPS when SITE_URL says so: the HTTPS settings below follow it.
HTTPS = SITE_URL.startswith("https://")
_site = urlsplit(SITE_URL)
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"{_site.scheme}://{_site.netloc}"] if HTTPS else []
)

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_celery_beat",
    "axes",
    "csp",
    "simple_history",
    "municipalities",
    "calls",
    "experiments",
    "notifications",
    "reports",
]

MIDDLEWARE = [
    "qmi_portal.security.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qmi_portal.security.RequestSizeLimitMiddleware",
    # Last, as django-axes asks: it turns a locked login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qmi_portal.urls"
WSGI_APPLICATION = "qmi_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qmi_portal.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite for the demo, PostgreSQL everywhere else.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's SQLite builds the covering indexes without their included columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, batching big inserts and deletions within the 65,535
    # parameters a query may carry when the server binds them (below).
    DATABASES["default"]["ENGINE"] = "qmi_portal.db.postgresql"
    # PostgreSQL's JIT compiles for ~300 ms queries that run in 2 (admin lists with
    # score subqueries over 100k rows look costly to the planner before LIMIT).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = "-c jit=off"
    # The server binds the parameters, so a query a connection runs again and again
    # (a signed-in page's user and application…) is prepared after
    # DB_PREPARE_THRESHOLD runs: parsed and planned once per connection, not per page.
    # Behind a transaction-mode pooler that cannot keep prepared statements
    # (PgBouncer before 1.21), set DB_PREPARE_THRESHOLD to an empty value.
    options["server_side_binding"] = env.bool("DB_SERVER_SIDE_BINDING", default=True)
    _threshold = env.str("DB_PREPARE_THRESHOLD", default="5")
    options["prepare_threshold"] = int(_threshold) if _threshold.strip() else None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: a locked login is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "qmi_portal.security.LoginAttemptsBackend",
    # Django's ModelBackend, reading the signed-in user from the cache (qmi_portal.signed_in).
    "qmi_portal.signed_in.UserBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "municipalities:my_municipality"
LOGOUT_REDIRECT_URL = "municipalities:home"

# Languages: French first, English second; every page has a language prefix.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr", "en")

# Files.
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Applicants' files live outside the public media and are served by views that
# check who may see them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Applicants' files (calls.models.private_storage).
    "private": {"BACKEND": "calls.models.PrivateStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Files on S3-compatible object storage (django-storages) when a bucket is set:
# several web replicas and workers then share them without a shared disk.
# Public media under media/, applicants' files under private/ with signed
# URLs only (they are still served through the permission-checked views).
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    _s3 = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env("S3_ENDPOINT_URL", default=None),
        "region_name": env("S3_REGION", default=None),
        "access_key": env("S3_ACCESS_KEY_ID", default=None),
        "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "location": "media",
            "querystring_auth": False,
            "custom_domain": env("S3_PUBLIC_DOMAIN", default=None),
        },
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": env("S3_PRIVATE_BUCKET", default=S3_BUCKET),
            "location": "private",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
# Uploads: a request body over this size is refused (413) before it is read;
# the per-file limits of each kind of attachment are in calls/uploads.py.
MAX_REQUEST_BODY_SIZE = env.int("MAX_REQUEST_BODY_SIZE", default=40 * 1024 * 1024)

# Cache: Redis when there is one, process memory otherwise.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "qmi_portal.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="qmi"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Template fragments that are the same for everyone of a language and role (the
# header and footer of base.html): in each process's memory, gone at a restart.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 3600,
}

# Celery: Redis as broker when REDIS_URL is set, otherwise kombu's filesystem
# transport, so that the demo runs a real worker and beat with no server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (remote control) exchanges; kombu's default is ./control.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_IGNORE_RESULT = True
# Separate queues: a long PDF report never delays a mail.
CELERY_TASK_ROUTES = {
    "notifications.tasks.*": {"queue": "mail"},
    "*.tasks.render_*": {"queue": "pdf"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Worker logs go through LOGGING below (plain or JSON), like the web's.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_IMPORTS = ["qmi_portal.health"]
# Connection reuse: Celery's Django fixup closes the database connection around
# every task unless CELERY_DB_REUSE_MAX is set; with it, the connection is kept
# (qmi_portal.celery closes it only when CONN_MAX_AGE or a failed health check
# says so). Measured in bench/reminders.py.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# Reminders and the outbox (notifications): a claimed mail still unsent after
# MAIL_STALE_CLAIM_SECONDS belonged to a dead worker and is sent by the next
# sweep; keep it longer than the task time limit. Mails go out in batches of
# MAIL_BATCH_SIZE through one connection to the mail server.
MAIL_STALE_CLAIM_SECONDS = env.int("MAIL_STALE_CLAIM_SECONDS", default=600)
MAIL_BATCH_SIZE = env.int("MAIL_BATCH_SIZE", default=200)
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=5)
# Reports (WeasyPrint, queue "pdf"): a render is stopped past the soft limit.
REPORT_SOFT_TIME_LIMIT = env.int("REPORT_SOFT_TIME_LIMIT", default=120)
REPORT_TIME_LIMIT = env.int("REPORT_TIME_LIMIT", default=150)

# Health (/health): beat sends a heartbeat to each queue; a worker that runs it
# notes the time in the cache. No heartbeat younger than HEALTH_WORKER_MAX_AGE
# on one of HEALTH_WORKER_QUEUES and /health answers 503.
HEALTH_HEARTBEAT_SECONDS = env.int("HEALTH_HEARTBEAT_SECONDS", default=60)
HEALTH_WORKER_MAX_AGE = env.int("HEALTH_WORKER_MAX_AGE", default=3 * HEALTH_HEARTBEAT_SECONDS)
HEALTH_WORKER_QUEUES = env.list("HEALTH_WORKER_QUEUES", default=["celery", "mail", "pdf"])
CELERY_BEAT_SCHEDULE = {
    f"health-heartbeat-{queue}": {
        "task": "qmi_portal.health.heartbeat",
        "schedule": dt.timedelta(seconds=HEALTH_HEARTBEAT_SECONDS),
        "args": (queue,),
        "options": {"queue": queue, "expires": HEALTH_HEARTBEAT_SECONDS},
    }
    for queue in HEALTH_WORKER_QUEUES
}

# Privacy: how long personal data is kept (the privacy page shows these values).
# Unsuccessful applications (ineligible, rejected, withdrawn, drafts of closed
# calls) are anonymised this many days after their last status change or the
# call's closing; pre-registrations are deleted this many days after their call
# closes. The retention task runs every night (calls.tasks.privacy_apply_retention).
RETENTION_UNSUCCESSFUL_DAYS = env.int("RETENTION_UNSUCCESSFUL_DAYS", default=730)
RETENTION_PREREGISTRATION_DAYS = env.int("RETENTION_PREREGISTRATION_DAYS", default=30)

# Email: the demo writes mails to files under var/mail; production sets EMAIL_URL.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="QMI <qmi@parisandco.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Forms.
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django 6 behaviour now: a URL typed without scheme is taken as https.
FORMS_URLFIELD_ASSUME_HTTPS = True

# Map tiles of the district maps; empty to draw the maps without any tile server.
MAP_TILES_URL = env("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env(
    "MAP_TILES_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)

SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache (Redis) and written to both: a signed-in page
# skips one query, and the database still holds every session if Redis restarts.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS: everything follows SITE_URL's scheme; each setting can be set apart
# (`manage.py check --deploy` lists what is missing). /health stays reachable
# over plain HTTP for the container healthcheck.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
# Behind PROXY_COUNT reverse proxies (nginx, a load balancer): the scheme comes
# from X-Forwarded-Proto and the client's address from X-Forwarded-For. Only
# set it when the proxies overwrite those headers.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): our own scripts and styles only, no
# inline script or style, images from here and from the map tile server.
_TILES = urlsplit(MAP_TILES_URL.replace("{s}.", "")) if MAP_TILES_URL else None
_IMG_SRC = ["'self'", "data:"]
if _TILES and _TILES.netloc:
    _tile_host = ("*." if "{s}." in MAP_TILES_URL else "") + _TILES.netloc
    _IMG_SRC.append(f"{_TILES.scheme}://{_tile_host}")
_IMG_SRC += env.list("CSP_EXTRA_IMG_SRC", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": _IMG_SRC,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": HTTPS,
        "report-uri": env("CSP_REPORT_URI", default="") or None,
    },
}

# Login brute force (django-axes) on the admin and the municipality login:
# after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is locked for LOGIN_COOLOFF_MINUTES. Nothing is logged on success.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "qmi_portal.security.lockout_response"

# Logs: plain lines, or one JSON object per line (LOG_FORMAT=json) for a log
# collector; web, worker and beat alike.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Chatty libraries: their step-by-step INFO lines drown what matters.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Error reporting: Sentry (or a compatible service such as GlitchTip) only when
# SENTRY_DSN is set. No personal data is sent (send_default_pii=False).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
