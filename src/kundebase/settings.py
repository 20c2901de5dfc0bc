"""Django settings, derived from the validated :mod:`kundebase.config` object only."""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from kundebase import config as _config

CONFIG = _config.load()
BASE_DIR = Path(__file__).resolve().parent

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
KUNDEBASE_DEFAULT_COUNTRY = CONFIG.default_country
KUNDEBASE_DEFAULT_CURRENCY = CONFIG.default_currency
KUNDEBASE_DATA_DIR = CONFIG.data_dir
KUNDEBASE_SMTP_URL = CONFIG.smtp_url
KUNDEBASE_BASE_URL = CONFIG.base_url
KUNDEBASE_EVENT_PROCESSING = CONFIG.event_processing
# Background work (imports, campaign sends, event processing) runs as django-tasks tasks: queued in the
# database and run by `kundebase worker` (which `kundebase serve` starts beside the web server), or at once
# where it is enqueued (the tests' default, KUNDEBASE_TASKS=immediate).
TASKS = {"default": {"BACKEND": {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}[CONFIG.tasks], "QUEUES": ["default", "events"]}}
# Limits on import files (config.IMPORT_LIMITS, docs/settings.md).
KUNDEBASE_IMPORT_MAX_FILE_MB = CONFIG.import_limits["KUNDEBASE_IMPORT_MAX_FILE_MB"]
KUNDEBASE_IMPORT_MAX_UNCOMPRESSED_MB = CONFIG.import_limits["KUNDEBASE_IMPORT_MAX_UNCOMPRESSED_MB"]
KUNDEBASE_IMPORT_MAX_COMPRESSION_RATIO = CONFIG.import_limits["KUNDEBASE_IMPORT_MAX_COMPRESSION_RATIO"]
KUNDEBASE_IMPORT_MAX_ROWS = CONFIG.import_limits["KUNDEBASE_IMPORT_MAX_ROWS"]
KUNDEBASE_IMPORT_MAX_COLUMNS = CONFIG.import_limits["KUNDEBASE_IMPORT_MAX_COLUMNS"]
KUNDEBASE_IMPORT_MAX_CELL_CHARS = CONFIG.import_limits["KUNDEBASE_IMPORT_MAX_CELL_CHARS"]
KUNDEBASE_IMPORT_MAX_LINE_CHARS = CONFIG.import_limits["KUNDEBASE_IMPORT_MAX_LINE_CHARS"]
KUNDEBASE_IMPORT_MAX_JSON_DEPTH = CONFIG.import_limits["KUNDEBASE_IMPORT_MAX_JSON_DEPTH"]
KUNDEBASE_IMPORT_MAX_ERROR_ROWS = CONFIG.import_limits["KUNDEBASE_IMPORT_MAX_ERROR_ROWS"]
# Person and company files of at least this many rows are checked for duplicates as a whole file
# (ingest.filecheck), smaller ones chunk by chunk; docs/import.md.
KUNDEBASE_IMPORT_FILE_CHECK_ROWS = _config.whole_number("KUNDEBASE_IMPORT_FILE_CHECK_ROWS",
                                                        _config.FILE_CHECK_ROWS)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.admin",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",  # serves Swagger UI from our own static files, which the Content Security Policy allows
    "kundebase.core",
    "kundebase.parties",
    "kundebase.interactions",
    "kundebase.orders",
    "kundebase.privacy",
    "kundebase.ingest",
    "kundebase.matching",
    "kundebase.marketing",
    "kundebase.analytics",
    "kundebase.offers",
    "kundebase.service",
    "kundebase.sales",
    "kundebase.demo",
    "kundebase.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kundebase.offers.cors.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kundebase.core.middleware.MalformedBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "kundebase.urls"
WSGI_APPLICATION = "kundebase.wsgi.application"
ASGI_APPLICATION = "kundebase.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kundebase.web.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": _config.database_settings(CONFIG.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["kundebase.core.usernames.CanonicalNameBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS: behind a TLS-terminating proxy, KUNDEBASE_PROXY_SSL_HEADER names the header it sets to "https".
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + CONFIG.proxy_ssl_header.upper().replace("-", "_"), "https") if CONFIG.proxy_ssl_header else None
)
SECURE_SSL_REDIRECT = CONFIG.ssl_redirect
SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = CONFIG.hsts_seconds > 0
SECURE_HSTS_PRELOAD = CONFIG.hsts_preload
# Preloading is a commitment the domain's owner makes (KUNDEBASE_HSTS_PRELOAD), not a default we impose.
SILENCED_SYSTEM_CHECKS = [] if CONFIG.hsts_preload else ["security.W021"]

# Content Security Policy (django-csp): our own files only; the few inline blocks carry the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
KUNDEBASE_API_TOKEN_DAYS = CONFIG.token_lifetime_days
KUNDEBASE_CORS_ORIGINS = CONFIG.cors_origins
KUNDEBASE_MAIL_MAX_ATTACHMENT = CONFIG.mail_max_attachment
KUNDEBASE_MAIL_ATTACHMENT_TYPES = CONFIG.mail_attachment_types
KUNDEBASE_MAIL_RETENTION_DAYS = CONFIG.mail_retention_days
KUNDEBASE_MAIL_FETCH_SECONDS = CONFIG.mail_fetch_seconds
KUNDEBASE_ESCALATION_SECONDS = CONFIG.escalation_seconds
KUNDEBASE_ESCALATE_TO = CONFIG.escalate_to
KUNDEBASE_PROFILE_RATE = CONFIG.profile_rate
KUNDEBASE_BACKGROUND_NICE = CONFIG.background_nice

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nb", _("Norwegian Bokmål")), ("da", _("Danish")), ("de", _("German")),
             ("hu", _("Hungarian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kundebase.web.formats"]  # English dates as Europeans write them (25/10/2026)
USE_I18N = True
USE_TZ = True
TIME_ZONE = CONFIG.time_zone

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.data_dir / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it; collectstatic fills it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = CONFIG.data_dir / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"kundebase": {"level": "INFO"}, "django.request": {"level": "ERROR"}},
}
