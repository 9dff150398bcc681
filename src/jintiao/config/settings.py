"""Django settings, read from environment variables with safe defaults.

SQLite under ``var/`` unless ``DATABASE_URL`` is set (PostgreSQL in production and in the
second CI pass). ``JINTIAO_*`` variables are ours; third-party names stay standard.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

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
    # first: its createsuperuser (the password validators with --noinput too) wins Django's
    "jintiao.orgs",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",  # login throttling and lockout, counted in the database across workers
    "csp",
    "ninja",  # the API docs' Swagger UI from its own static files, not a CDN
    "django_tasks",
    "django_tasks_db",
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
    "jintiao.portfolio",
    "jintiao.supervision",
    "jintiao.timeline",
    "jintiao.jobs",
    "jintiao.ops",
    "jintiao.web",
]

MIDDLEWARE = [
    # first: X-Forwarded-* from anyone but the platform's own proxy are dropped
    "jintiao.web.proxy.ForwardedOnlyFromProxy",
    # /healthz and /readyz for load balancers: before host checks and the HTTPS redirect
    "jintiao.web.health.HealthProbes",
    "django.middleware.security.SecurityMiddleware",
    # static files from the app itself, compressed and with hashed names: DEBUG off just works
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # the frame guards outside everything that may answer in place of a view (the API's
    # JSON errors, a bad host's 400, the 405 page), so those answers carry them too
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jintiao.api.middleware.ApiErrorsAsJson",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # inside the sessions': moves an idle session's end on, saving it once a minute at most
    "jintiao.web.middleware.IdleSessionRefresh",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jintiao.web.middleware.PortalBoundary",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jintiao.web.middleware.MethodNotAllowedPage",
    "django_htmx.middleware.HtmxMiddleware",
    # last, as django-axes asks: it turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
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

# Connections: persistent and health-checked (a connection the database dropped is replaced,
# not handed to a request), one per server thread — bounded, since gunicorn's threads live as
# long as their worker. Django's development server starts a thread per request, so it closes
# its connection after each one instead of leaving one open per finished thread.
DEV_SERVER = "runserver" in sys.argv[1:3]  # `manage.py runserver`, `jintiao manage runserver`
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'jintiao.sqlite3'}",
        conn_max_age=0 if DEV_SERVER else int(os.environ.get("JINTIAO_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # web and worker share the file: take the write lock up front instead of failing later
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
else:
    # PostgreSQL prices a random page read at 4 sequential ones, as for spinning disks; on
    # the SSDs or memory a deployment runs on it is nearer 1.1 (PostgreSQL's documentation,
    # "Planner Cost Constants"). At 4 the planner read the whole table of disputes' parties
    # to find one page's 100 (hash joins over a million rows, issue 19 §1); at 1.1 it uses
    # the indexes. Empty: leave the server's setting (behind PgBouncer, which refuses
    # startup options: set it with ALTER DATABASE instead, docs/deploy.md).
    _page_cost = os.environ.get("JINTIAO_PG_RANDOM_PAGE_COST", "1.1").strip()
    if _page_cost:
        if not re.fullmatch(r"\d{1,3}(\.\d{1,3})?", _page_cost) or Decimal(_page_cost) <= 0:
            raise ImproperlyConfigured(f"JINTIAO_PG_RANDOM_PAGE_COST 应为正数（如 1.1）："
                                       f"{_page_cost!r}")
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = \
            f"-c random_page_cost={_page_cost}"
    if envbool("JINTIAO_DB_POOL", False):
        # Django's psycopg pool instead (connections shared by a process's threads); the
        # pool needs persistent connections off. Size it below the server's max_connections
        # divided by the processes (web workers, queue workers, scheduler) that connect.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1, "max_size": int(os.environ.get("JINTIAO_DB_POOL_SIZE", "8"))}

# A read replica (PostgreSQL streaming replication, docs/deploy.md): supervision's figures
# — statistics, reports, the dashboard — are read from it, everything else from the primary
# (jintiao.replica). Same options as the primary; never migrated (it follows the primary).
REPLICA_URL = os.environ.get("JINTIAO_REPLICA_URL", "").strip()
REPLICA_DATABASE: str | None = None
if REPLICA_URL:
    _replica = dj_database_url.parse(REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
                                     conn_health_checks=True)
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"] or _replica["ENGINE"].endswith(
            "sqlite3"):
        raise ImproperlyConfigured("JINTIAO_REPLICA_URL 应为主库（DATABASE_URL，PostgreSQL）"
                                   "的只读副本地址")
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    _replica["TEST"] = {"MIRROR": "default"}  # a test run reads the test database through it
    DATABASES["replica"] = _replica
    REPLICA_DATABASE = "replica"
DATABASE_ROUTERS = ["jintiao.replica.ReplicaRouter"]

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
# WhiteNoise compresses each static file with gzip and Brotli once, at collection; source maps
# (the API docs' 5 MB, fetched only by a developer's tools) are left as they are, and only
# the hashed names are kept: collection takes seconds, not a minute.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br",
    "woff", "woff2", "map")
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Uploads and generated documents on the local disk, or — for several app hosts — on
# S3-compatible storage (MinIO on the intranet) through django-storages: JINTIAO_S3_BUCKET,
# JINTIAO_S3_ENDPOINT_URL, JINTIAO_S3_ACCESS_KEY, JINTIAO_S3_SECRET_KEY.
S3_BUCKET = os.environ.get("JINTIAO_S3_BUCKET", "")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": S3_BUCKET,
        "endpoint_url": os.environ.get("JINTIAO_S3_ENDPOINT_URL") or None,
        "access_key": os.environ.get("JINTIAO_S3_ACCESS_KEY") or None,
        "secret_key": os.environ.get("JINTIAO_S3_SECRET_KEY") or None,
        "region_name": os.environ.get("JINTIAO_S3_REGION") or None,
        "default_acl": None, "querystring_auth": True, "file_overwrite": False,
    }}

# Cache (API rate limits and other counters shared by every worker): the database by default
# (its table is made by `migrate`), Redis when JINTIAO_REDIS_URL is set (several hosts).
REDIS_URL = os.environ.get("JINTIAO_REDIS_URL", "")
# the database cache's table (web/migrations/0001_cache_table makes it; a restore keeps it)
CACHE_TABLE = "jintiao_cache"
CACHES = {"default": (
    {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL,
     "KEY_PREFIX": "jintiao"}
    if REDIS_URL else
    {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE})}
# API tokens: a new one lives JINTIAO_API_TOKEN_DAYS days unless asked otherwise, never more
# than JINTIAO_API_TOKEN_MAX_DAYS; each token makes at most JINTIAO_API_RATE_PER_MINUTE
# requests a minute (0: no limit), counted in the cache above so every worker sees one count.
API_TOKEN_DAYS = int(os.environ.get("JINTIAO_API_TOKEN_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(os.environ.get("JINTIAO_API_TOKEN_MAX_DAYS", "365"))
API_RATE_PER_MINUTE = int(os.environ.get("JINTIAO_API_RATE_PER_MINUTE", "600"))
# How long the dispute list's filter choices (the committees and institutions of what a
# viewer sees) are kept in the cache: reading them cost a supervisor of 100,000 disputes
# 40 ms a page. 0: read every time.
LIST_CHOICES_SECONDS = int(os.environ.get("JINTIAO_LIST_CHOICES_SECONDS", "120"))
# A ledger export of more rows than this is written by a background task (``jintiao worker``
# in production) with its progress shown, not in the request, which a proxy or gunicorn's
# timeout would cut off; its file is kept this many days (issue 19 §3).
EXPORT_INLINE_ROWS = int(os.environ.get("JINTIAO_EXPORT_INLINE_ROWS", "10000"))
EXPORT_KEEP_DAYS = int(os.environ.get("JINTIAO_EXPORT_KEEP_DAYS", "7"))
# A bank's element-table file of more rows than this is checked and filed by a background
# task with its progress shown, not in the request that uploads it (issue 20 §1).
INTAKE_FILE_INLINE_ROWS = int(os.environ.get("JINTIAO_INTAKE_FILE_INLINE_ROWS", "200"))

# --- Security. Secure by default with DEBUG off: HTTPS only (redirect, HSTS, Secure cookies).
# JINTIAO_HTTPS=0: plain HTTP (a closed intranet without certificates; browsers then send
# cookies in clear — say so to whoever decides). JINTIAO_BEHIND_PROXY=1: nginx/Caddy ends TLS
# and sets X-Forwarded-Proto (and X-Forwarded-For, used for login throttling).
HTTPS = envbool("JINTIAO_HTTPS", not DEBUG)
BEHIND_PROXY = envbool("JINTIAO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# the proxy's addresses: only a request from one of them has its X-Forwarded-* believed
# (jintiao.web.proxy); anyone else's are dropped. gunicorn gets the same list. "*": any.
FORWARDED_ALLOW_IPS = frozenset(
    a.strip() for a in os.environ.get("JINTIAO_FORWARDED_ALLOW_IPS", "127.0.0.1,::1").split(",")
    if a.strip())
SECURE_SSL_REDIRECT = HTTPS
# load balancers probe over plain HTTP on the app's own port
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("JINTIAO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("JINTIAO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("JINTIAO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # pages send the token in a header
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"  # links from texts still sign in
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Origins a form may be posted from: the public address by default, more comma-separated.
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JINTIAO_CSRF_TRUSTED_ORIGINS", "").split(",")
                        if o] or ["{0.scheme}://{0.netloc}".format(urlsplit(
                            os.environ.get("JINTIAO_PUBLIC_URL", "http://127.0.0.1:8000")))]
# Idle sessions end: staff after JINTIAO_SESSION_IDLE_HOURS (8 by default, a working day);
# a request moves the end on (jintiao.web.middleware.IdleSessionRefresh, once a minute at most).
SESSION_COOKIE_AGE = int(Decimal(os.environ.get("JINTIAO_SESSION_IDLE_HOURS", "8")) * 3600)
# A party's portal session ends sooner: JINTIAO_PORTAL_IDLE_MINUTES idle (30 by default) — a
# phone is easily lost or lent, and the portal shows the party's debts and documents.
PORTAL_IDLE_MINUTES = int(os.environ.get("JINTIAO_PORTAL_IDLE_MINUTES", "30"))
# Content-Security-Policy (django-csp): only the app's own scripts, styles, images and fonts;
# no inline script or style anywhere, no framing, forms post only to the app.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"],
    "img-src": ["'self'", "data:"], "font-src": ["'self'"], "connect-src": ["'self'"],
    "object-src": ["'none'"], "base-uri": ["'self'"], "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}}

# Passwords: Django's validators, at least 10 characters (《网络安全等级保护基本要求》 GB/T
# 22239-2019 asks for complex passwords changed regularly; length is what resists guessing).
AUTH_PASSWORD_VALIDATORS = [
    # 0.75, not Django's 0.7: its measure counts shared letters in any order, and at 0.7
    # refused "jintiao-demo" for "mediator"; a name with a few characters added still fails
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"max_similarity": 0.75}},
    {"NAME": "jintiao.orgs.passwords.MinimumLengthValidator",  # Django's, refusing in Chinese
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after JINTIAO_LOGIN_FAILURES wrong passwords for one
# account, or from one address, sign-in is refused for JINTIAO_LOCKOUT_MINUTES — on every
# worker and host, since attempts are counted in the database.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("JINTIAO_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("JINTIAO_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# counting, the page and the address: jintiao.web.lockout (a sign-in clears only its own
# account's failures; behind the proxy the address it appended to X-Forwarded-For counts)
AXES_HANDLER = "jintiao.web.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "jintiao.web.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "jintiao.web.lockout.client_ip"
# never kept in the attempts' record of what was posted (the portal posts these)
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "phone", "code", "id_number"]
# Whom the lockout page tells a person to call: staff (JINTIAO_LOCKOUT_CONTACT), parties
# (JINTIAO_PORTAL_HELP_CONTACT) — a name and a telephone number.
LOCKOUT_CONTACT = os.environ.get("JINTIAO_LOCKOUT_CONTACT", "本单位的系统管理员")
PORTAL_HELP_CONTACT = os.environ.get("JINTIAO_PORTAL_HELP_CONTACT",
                                     "受理您纠纷的调解委员会（电话见调解通知短信）")
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
# The mail server, when JINTIAO_EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = os.environ.get("JINTIAO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("JINTIAO_EMAIL_PORT") or "25")
EMAIL_HOST_USER = os.environ.get("JINTIAO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JINTIAO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("JINTIAO_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = envbool("JINTIAO_EMAIL_SSL", False)
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
    # WeasyPrint narrates every step of every PDF at INFO, fontTools every subset;
    # django-axes announces itself in every process; its lockouts are still WARNINGs.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "axes")},
}
