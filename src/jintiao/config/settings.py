"""Django settings, read from environment variables with safe defaults.

SQLite under ``var/`` unless ``DATABASE_URL`` is set (PostgreSQL in production and in the
second CI pass). ``JINTIAO_*`` variables are ours; third-party names stay standard.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

# Django's generic classes (ModelAdmin[Organization], BaseFormSet[PartyForm]…) are
# subscriptable at run time as they are for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("JINTIAO_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything unrecognised is an error, not a silent default."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


DEBUG = envbool("JINTIAO_DEBUG", False)
SECRET_KEY = os.environ.get("JINTIAO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("Set JINTIAO_SECRET_KEY (or JINTIAO_DEBUG=1 for development).")
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 - refused above outside DEBUG
# Key for identity-number hashes and encryption; derived from SECRET_KEY unless given.
PII_KEY = os.environ.get("JINTIAO_PII_KEY", "") or SECRET_KEY

ALLOWED_HOSTS = [h for h in os.environ.get("JINTIAO_ALLOWED_HOSTS", "127.0.0.1,localhost")
                 .split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API docs' Swagger UI from its own static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "jintiao.orgs",
    "jintiao.policies",
    "jintiao.parties",
    "jintiao.disputes",
    "jintiao.mediation",
    "jintiao.messaging",
    "jintiao.documents",
    "jintiao.agreements",
    "jintiao.confirmation",
    "jintiao.performance",
    "jintiao.outreach",
    "jintiao.portal",
    "jintiao.supervision",
    "jintiao.timeline",
    "jintiao.jobs",
    "jintiao.ops",
    "jintiao.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jintiao.api.middleware.ApiErrorsAsJson",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jintiao.web.middleware.PortalBoundary",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # inside the frame guard: the 405 page put in place of Django's gets its header too
    "jintiao.web.middleware.MethodNotAllowedPage",
    "django_htmx.middleware.HtmxMiddleware",
]

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

ROOT_URLCONF = "jintiao.config.urls"
WSGI_APPLICATION = "jintiao.config.wsgi.application"

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
                "jintiao.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'jintiao.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # web and worker share the file: take the write lock up front instead of failing later
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

AUTH_USER_MODEL = "orgs.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Bodies: a form or JSON body up to 2.5 MiB (Django's default, said here); files are not
# counted in it, so the API refuses any request over its own cap before reading it: the
# largest attachment (a session's recording, 200 MiB) and the form around it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
API_MAX_BODY_BYTES = 201 * 1024 * 1024

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
# The deployment's certificate authority and each organisation's signing key and certificate
# (jintiao.pki): files only, 0600 in a 0700 folder, never in the database. Back it up apart
# from the database. Without a CA, the first document signed makes one unless this is off.
PKI_DIR = Path(os.environ.get("JINTIAO_PKI_DIR", VAR_DIR / "pki"))
PKI_AUTO_INIT = envbool("JINTIAO_PKI_AUTO_INIT", True)
# The name the root certificate carries ("<name> JinTiao 根证书"); blank: the top node's name.
PKI_NAME = os.environ.get("JINTIAO_PKI_NAME", "")

# Text messages (signing codes, reminders): the default backend keeps them in an outbox the
# demo shows; a gateway is a class with the same ``send``, named here.
SMS_BACKEND = os.environ.get("JINTIAO_SMS_BACKEND", "jintiao.messaging.backends.OutboxBackend")
# E-mail service of documents: Django's interface; the default keeps them in the same outbox.
EMAIL_BACKEND = os.environ.get("JINTIAO_EMAIL_BACKEND",
                               "jintiao.messaging.backends.OutboxEmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("JINTIAO_FROM_EMAIL", "noreply@jintiao.invalid")
# Background jobs: in-process by default; production names a queue backend, e.g.
# django_tasks_db.DatabaseBackend with `jintiao manage db_worker` (django-tasks-db).
TASKS = {"default": {"BACKEND": os.environ.get(
    "JINTIAO_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}}
SIGNING_CODE_MINUTES = int(os.environ.get("JINTIAO_SIGNING_CODE_MINUTES", "10"))
# The address texts point parties to (the portal and the public verification page).
PUBLIC_URL = os.environ.get("JINTIAO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Party portal sign-in codes: how long one lives and how many a number may get in an hour.
PORTAL_CODE_MINUTES = int(os.environ.get("JINTIAO_PORTAL_CODE_MINUTES", "10"))
PORTAL_CODES_PER_HOUR = int(os.environ.get("JINTIAO_PORTAL_CODES_PER_HOUR", "5"))
PORTAL_CODES_PER_DAY = int(os.environ.get("JINTIAO_PORTAL_CODES_PER_DAY", "10"))
PORTAL_CODES_PER_ADDRESS_HOUR = int(os.environ.get("JINTIAO_PORTAL_CODES_PER_ADDRESS_HOUR",
                                                   "20"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JINTIAO_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of every PDF at INFO, fontTools every subset.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}
