"""Sifu settings. Everything is here; production differences come from environment variables.

Variables (all optional for the demo): SIFU_DEBUG, SIFU_SECRET_KEY, SIFU_ALLOWED_HOSTS,
DATABASE_URL, CONN_MAX_AGE, SIFU_MEDIA_ROOT, SIFU_STATIC_ROOT, SIFU_SECURE (https-only cookies),
SIFU_TASKS_BACKEND (default django_tasks_db.DatabaseBackend), SIFU_EXPORT_ROWS_AT_ONCE (default 1000).
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("SIFU_DEBUG", default=False)
_DEV_KEY = "sifu-demo-only-secret-key-do-not-use-in-production"
SECRET_KEY = env_str("SIFU_SECRET_KEY", _DEV_KEY)
ALLOWED_HOSTS = env_list("SIFU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SIFU_CSRF_TRUSTED_ORIGINS", [])
SECURE = env_bool("SIFU_SECURE", default=False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
CSRF_FAILURE_VIEW = "sifu.core.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",  # API tokens (TokenAuthentication); `manage.py drf_create_token <login>`
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    "sifu.core",
    "sifu.accounts",
    "sifu.jobs",
    "sifu.privacy",
    "sifu.registry",
    "sifu.incubation",
    "sifu.outcomes",
    "sifu.api",
    "sifu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sifu.web.context_processors.navigation",
            ],
            "builtins": ["sifu.core.templatetags.sifu"],
        },
    }
]

_SQLITE_DEFAULT = "sqlite:///" + str(BASE_DIR / "db.sqlite3")
DATABASES = {
    "default": dj_database_url.config(
        default=_SQLITE_DEFAULT,
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL journal, IMMEDIATE transactions and a busy timeout: concurrent writers queue instead of
    # failing with "database is locked" (DESIGN.md §2).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "sifu.accounts.backends.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:office-home"
LOGOUT_REDIRECT_URL = "web:home"

# Failed logins are throttled per username and address (django-axes).
AXES_FAILURE_LIMIT = env_int("SIFU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sifu.accounts.views.locked_out"  # the site's 429 page (sifu/core/errors.py)
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("SIFU_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("SIFU_MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads: charters and import workbooks. Bigger files are refused with a clear message.
SIFU_MAX_UPLOAD_BYTES = env_int("SIFU_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = SIFU_MAX_UPLOAD_BYTES
# The subdistrict's filing numbers; approving a first filing suggests the next free one.
SIFU_FILING_NUMBER_FORMAT = env_str("SIFU_FILING_NUMBER_FORMAT", "南山街备〔{year}〕{seq:03d}号")
if "{year}" not in SIFU_FILING_NUMBER_FORMAT or "{seq" not in SIFU_FILING_NUMBER_FORMAT:
    raise ImproperlyConfigured("SIFU_FILING_NUMBER_FORMAT must contain {year} and {seq} (e.g. NS{year}-{seq:04d}).")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sifu API",
    "DESCRIPTION": "Registry of community social organizations (社区社会组织).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"sifu": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

PAGE_SIZE = 25

# Background jobs (DESIGN.md §4.13, docs/adr/0003-background-jobs.md): Django's tasks API with the
# django-tasks-db backend, whose queue is a table of this database; `manage.py db_worker` runs
# the tasks (`make demo` starts one; production runs N under a supervisor: README).
TASKS = {"default": {"BACKEND": env_str("SIFU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Exports of more rows than this are made by a job (a page with progress, then the file).
SIFU_EXPORT_ROWS_AT_ONCE = env_int("SIFU_EXPORT_ROWS_AT_ONCE", 1000)
