"""Settings for hongan_visits, read from the environment (and an optional .env file)."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    SECURE_SSL_REDIRECT=(bool, True),
    SECURE_HSTS_SECONDS=(int, 31536000),
    TASKS_BACKEND=(str, "django_tasks_db.DatabaseBackend"),
    MEDIA_ROOT=(str, str(BASE_DIR / "media")),
    STATIC_ROOT=(str, str(BASE_DIR / "staticfiles")),
    LOG_LEVEL=(str, "INFO"),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-hongan-visits-0123456789"

ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "simple_history",
    "django_tasks_db",
    "jobs",
    "archives",
    "classification",
    "assessment",
    "credit",
    "accounts",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "hongan_visits.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: each may log out or redirect with a message (accounts/middleware.py).
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.PasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hongan_visits.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Widgets render with Django's own Jinja2 widget templates (hongan_visits/renderers.py).
FORM_RENDERER = "hongan_visits.renderers.WidgetRenderer"

WSGI_APPLICATION = "hongan_visits.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes SQLite's write lock when it begins, and a second writer waits
    # for it: with the default (deferred) mode, two requests that read and then write at
    # once fail with "database is locked" (a 500) instead of queueing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
# Keep a worker's connection between requests (a new PostgreSQL connection costs a
# process fork on the server); checked before reuse, so a restarted server is survived.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind pgbouncer in transaction mode (docs/scaling.md) the next FETCH of a server-side
# cursor, which QuerySet.iterator() opens on PostgreSQL outside a transaction (WITH HOLD),
# may go to another server connection, where it does not exist: turn them off there.
# iterator() then reads its whole result in one go (a branch's export, a follow-up refresh).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
)
# PostgreSQL's JIT compiles a plan for seconds to save milliseconds on this app's short
# queries (it was 2.8 s of a 3.5 s follow-up page at county scale): off by default.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool(
    "DATABASE_JIT", default=False
):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "archives.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Passwords set through a form (the change page, the admin): 10+ characters, not like the
# person's name, staff number or mobile, not a common or all-digit password.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": (
                "username",
                "display_name",
                "first_name",
                "last_name",
                "staff_no",
                "phone",
                "email",
            )
        },
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks every login first: it refuses a username or an address that failed
# LOGIN_FAILURE_LIMIT times, for LOGIN_LOCKOUT_MINUTES after its last failure, and keeps
# every failed login (admin: 访问失败日志) and every lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT must be at least 1.")
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=30)
if LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_LOCKOUT_MINUTES must be at least 1.")
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: a user, or an address
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
# Proxies in front of gunicorn that append the client's address to X-Forwarded-For
# (docs/deployment.md: one, nginx or the load balancer). 0: use the socket's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT cannot be negative.")

# A TOTP code (django-otp) after the password for head office and superusers; turning it
# off is for the development demo only.
OTP_REQUIRED_FOR_HEAD_OFFICE = env.bool("OTP_REQUIRED_FOR_HEAD_OFFICE", default=True)
if not OTP_REQUIRED_FOR_HEAD_OFFICE and not DEBUG:
    raise ImproperlyConfigured("OTP_REQUIRED_FOR_HEAD_OFFICE can be false only with DEBUG on.")
OTP_TOTP_ISSUER = "红安农商银行 进村入户"

# Sessions end after SESSION_IDLE_MINUTES without a request (the session's age, renewed
# by requests at most once a minute) and SESSION_MAX_HOURS after the login whatever
# happens (accounts.middleware.SessionLifetimeMiddleware).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=10)
if SESSION_IDLE_MINUTES < 1 or SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES and SESSION_MAX_HOURS must be at least 1.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]  # the bank works in Chinese whatever the browser asks for
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["hongan_visits.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT")
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT")

# Where stored files live: visit photos and their copies, uploaded import files, the
# jobs' result files (exports, PDFs, annotated imports). Every app reaches them only
# through Django's storage API, so the backend is a setting:
# - "filesystem" (the default, `make run` and the SQLite tests): MEDIA_ROOT on the
#   server's disk, files mode 0600 (FILE_UPLOAD_PERMISSIONS below);
# - "s3": a bucket of an S3-compatible object store (MinIO, Aliyun OSS, Tencent COS,
#   AWS) through django-storages, so that several web servers and workers share the
#   files and none of them keeps photos on its disk. The PostgreSQL pass of
#   `make test` runs against one (scripts/with-s3.sh).
STORAGE_BACKEND = env("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    S3_BUCKET = env("S3_BUCKET", default="")
    S3_ACCESS_KEY_ID = env("S3_ACCESS_KEY_ID", default="")
    S3_SECRET_ACCESS_KEY = env("S3_SECRET_ACCESS_KEY", default="")
    _missing = [
        name
        for name in ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(f"STORAGE_BACKEND=s3 needs {', '.join(_missing)}.")
    # MinIO answers path-style requests (endpoint/bucket/key); Aliyun OSS and Tencent COS
    # only virtual-hosted ones (bucket.endpoint/key).
    S3_ADDRESSING_STYLE = env("S3_ADDRESSING_STYLE", default="virtual")
    if S3_ADDRESSING_STYLE not in ("virtual", "path"):
        raise ImproperlyConfigured("S3_ADDRESSING_STYLE must be virtual or path.")
    from botocore.config import Config as _BotoConfig

    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "access_key": S3_ACCESS_KEY_ID,
            "secret_key": S3_SECRET_ACCESS_KEY,
            # Empty: AWS's own endpoint for the region.
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="") or None,
            # A key prefix inside the bucket, so that one bucket can hold several systems.
            "location": env("S3_PREFIX", default="").strip("/"),
            "client_config": _BotoConfig(
                s3={"addressing_style": S3_ADDRESSING_STYLE},
                signature_version="s3v4",
                # botocore >= 1.36 adds CRC checksums to every upload by default, which
                # stores other than AWS refuse or mishandle; send them only where required.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 3, "mode": "standard"},
            ),
            # Never replace a stored file: a second export of a month gets its own name,
            # as on the filesystem (django-storages overwrites by default).
            "file_overwrite": False,
            # Private objects: files are served only through the app's pages, which check
            # the user's scope; no public ACL, no pre-signed links handed out.
            "default_acl": None,
            "querystring_auth": True,
            # A file read back (an import, a photo for its copies) is buffered in memory
            # up to this size, then in an unnamed temporary file (mode 0600) on the worker.
            "max_memory_size": 10 * 1024 * 1024,
        },
    }
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be filesystem or s3.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded archives can be large (a county is ~170,000 rows).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Imported files (archives/imports/bounds.py): an upload above IMPORT_MAX_UPLOAD_MB is
# refused by the form; an XLSX whose parts unpack to more than IMPORT_MAX_UNCOMPRESSED_MB,
# or whose larger parts inflate more than IMPORT_MAX_COMPRESSION_RATIO times, is refused
# before it is parsed; a sheet with more than IMPORT_MAX_ROWS rows is refused at that row.
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=50)
IMPORT_MAX_UNCOMPRESSED_MB = env.int("IMPORT_MAX_UNCOMPRESSED_MB", default=500)
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=250_000)
for _name in (
    "IMPORT_MAX_UPLOAD_MB",
    "IMPORT_MAX_UNCOMPRESSED_MB",
    "IMPORT_MAX_COMPRESSION_RATIO",
    "IMPORT_MAX_ROWS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1.")

TASKS = {"default": {"BACKEND": env("TASKS_BACKEND"), "QUEUES": ["default"]}}
# A running job that reports no progress for this long is marked failed (jobs/services.py):
# its worker was stopped or lost. Longest silent step today: a month's statements, seconds.
JOB_HEARTBEAT_MINUTES = env.int("JOB_HEARTBEAT_MINUTES", default=10)
if JOB_HEARTBEAT_MINUTES < 1:
    raise ImproperlyConfigured("JOB_HEARTBEAT_MINUTES must be at least 1.")

# Uploaded files (import spreadsheets with full ID numbers, photos) are readable by the
# server's own user only. An import's file is deleted this many days after its job
# finished (`manage.py purge_uploads`, run by every job_worker at start and then daily).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
UPLOAD_RETENTION_DAYS = env.int("UPLOAD_RETENTION_DAYS", default=30)
if UPLOAD_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("UPLOAD_RETENTION_DAYS must be at least 1.")

# Text messages to key customers (classification/senders.py). The default sender keeps
# every message queued in the outbox; HttpGatewaySender posts them to the SMS gateway.
SMS_SENDER = env("SMS_SENDER", default="classification.senders.OutboxSender")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_KEY = env("SMS_GATEWAY_KEY", default="")
SMS_GATEWAY_TEMPLATE_ID = env("SMS_GATEWAY_TEMPLATE_ID", default="")
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=3)

SESSION_COOKIE_HTTPONLY = True

# Content Security Policy (Django's own middleware): scripts, styles, images, fetches and
# form posts from this site only; no inline script or style anywhere (templates use
# classes, data attributes and static/js files). Photos and the favicon placeholder
# are data: or same-origin images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Maps (archives/maps.py): an XYZ tile server, e.g. https://tiles.bank.example/{z}/{x}/{y}.png,
# and the attribution its licence asks for. Without one (the default: the bank's network is
# closed) the points are drawn on a plain background and no page asks any other host.
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
if MAP_TILE_URL:
    _tiles = urlsplit(MAP_TILE_URL)
    if not ({"{z}", "{x}", "{y}"} <= set(re.findall(r"\{[a-z]\}", MAP_TILE_URL))):
        raise ImproperlyConfigured("MAP_TILE_URL must hold {z}, {x} and {y}.")
    if _tiles.scheme not in ("https", "http", "") or (_tiles.scheme and not _tiles.hostname):
        raise ImproperlyConfigured("MAP_TILE_URL must be an http(s) URL or a path on this site.")
    if _tiles.scheme:
        # The tiles are images from that server: the one host the policy lets the pages ask.
        # A {s} subdomain (a.tiles…, b.tiles…) is any subdomain of the host.
        SECURE_CSP["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}")

if not DEBUG:
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Every handler masks resident ID numbers and mobiles (hongan_visits/log_filters.py), in
# the message, its arguments and tracebacks. Django's own defaults are replaced: its
# "django" logger goes to the console through the root (no e-mail with tracebacks and
# local variables), its request lines (django.server) and gunicorn's (gunicorn.access,
# gunicorn.error: Django's configuration replaces gunicorn's handlers in each worker)
# go through masking handlers too. tests/test_logging.py checks no handler is left out.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "hongan_visits.log_filters.MaskPersonalData"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
