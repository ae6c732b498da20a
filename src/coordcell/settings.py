"""Settings, read from the environment through typed helpers that fail loudly.

A bare checkout runs on an embedded SQLite database in ``COORDCELL_DATA_DIR``; setting
``DATABASE_URL`` switches to PostgreSQL. Every variable is listed in
``docs/deployment.md`` (a test fails when one is missing there).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from coordcell.core.env import (
    DEFAULT_DATA_DIR,
    DEMO_KEY_FILE,
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_str,
    parse_database_url,
    parse_networks,
    read_secret_file,
)

PACKAGE_DIR = Path(__file__).resolve().parent


def _api_rate(name: str, rate: str) -> str:
    """A throttle rate: a count of requests per second, minute, hour or day (DRF's form)."""
    if not re.fullmatch(r"[1-9][0-9]{0,8}/(s|sec|second|m|min|minute|h|hour|d|day)", rate):
        raise ConfigError(
            f"{name} must be a count per second, minute, hour or day, like 600/min; got {rate!r}"
        )
    return rate


try:
    DATA_DIR = env_path("COORDCELL_DATA_DIR", Path.cwd() / DEFAULT_DATA_DIR)
    DEMO = env_bool("COORDCELL_DEMO", False)
    # Never on by default, the demo included: a debug page lists settings, code and data.
    DEBUG = env_bool("COORDCELL_DEBUG", False)
    # Django's SECRET_KEY signs sessions, CSRF tokens and password-reset links: serving needs
    # one configured here, and `coordcell serve` and coordcell.wsgi refuse to start without
    # it. Any other command runs without: it takes the key the demo keeps in the data
    # directory when there is one (so the command line works beside a demo), else none
    # (Django then refuses, by itself, anything that would sign).
    SECRET_KEY = env_secret("COORDCELL_SECRET_KEY", "")
    SECRET_KEY_CONFIGURED = bool(SECRET_KEY)
    if not SECRET_KEY and (DATA_DIR / DEMO_KEY_FILE).is_file():
        SECRET_KEY = read_secret_file(DATA_DIR / DEMO_KEY_FILE)
    ALLOWED_HOSTS = env_list("COORDCELL_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
    CSRF_TRUSTED_ORIGINS = env_list("COORDCELL_CSRF_TRUSTED_ORIGINS", [])
    HTTPS = env_bool("COORDCELL_HTTPS", False)
    REQUIRE_MFA = env_bool("COORDCELL_REQUIRE_MFA", not DEMO)
    DATABASE_URL = env_secret("DATABASE_URL", "")
    SQLITE_BUSY_TIMEOUT_MS = env_int("COORDCELL_SQLITE_BUSY_TIMEOUT_MS", 5000, minimum=0)
    API_MAX_PAGE_SIZE = env_int("COORDCELL_API_MAX_PAGE_SIZE", 500, minimum=1)
    CHECK_MAX_BYTES = env_int("COORDCELL_CHECK_MAX_BYTES", 5_000_000, minimum=1000)
    CHECK_MAX_FEATURES = env_int("COORDCELL_CHECK_MAX_FEATURES", 10_000, minimum=1)
    WORKER_INTERVAL_SECONDS = env_int("COORDCELL_WORKER_INTERVAL", 10, minimum=1)
    # First run (`coordcell cell init`): how long a first administrator's invitation link
    # works, and the address the printed links start with (--base-url overrides it).
    INVITATION_HOURS = env_int("COORDCELL_INVITATION_HOURS", 72, minimum=1)
    BASE_URL = env_str("COORDCELL_BASE_URL", "").rstrip("/")
    if BASE_URL and not BASE_URL.startswith(("https://", "http://")):
        raise ConfigError(
            f"COORDCELL_BASE_URL must start with https:// or http://; got {BASE_URL!r}"
        )
    # Detainees and missing persons (docs/humanitarian.md): the secret their personal data
    # is sealed with (default: derived from SECRET_KEY), and the old ones during a rotation.
    PERSONAL_DATA_KEY = env_secret("COORDCELL_PERSONAL_DATA_KEY", "")
    PERSONAL_DATA_OLD_KEYS = [
        k.strip()
        for k in env_secret("COORDCELL_PERSONAL_DATA_OLD_KEYS", "").split(",")
        if k.strip()
    ]
    # The record's log key (a signed-note private key); see docs/record.md.
    LOG_KEY = env_secret("COORDCELL_LOG_KEY", "")
    LOG_KEY_NEXT = env_secret("COORDCELL_LOG_KEY_NEXT", "")
    LOG_ORIGIN = env_str("COORDCELL_LOG_ORIGIN", "coordcell.local/record")
    EVIDENCE_MAX_BYTES = env_int("COORDCELL_EVIDENCE_MAX_BYTES", 25_000_000, minimum=1000)
    # Request bodies (core/bodies.py, core/server.py): refused by their announced length before a
    # byte is read; the largest any signed-in request may carry is the largest upload
    # (evidence, or a file to check) plus 1 MB for the multipart envelope.
    REQUEST_MAX_BYTES = max(EVIDENCE_MAX_BYTES, CHECK_MAX_BYTES) + 1_000_000
    ANONYMOUS_MAX_BYTES = env_int("COORDCELL_ANONYMOUS_MAX_BYTES", 65_536, minimum=1024)
    # Seconds a client has to send a whole request (headers and body), and the longest
    # one read or write on its connection may wait.
    REQUEST_TIMEOUT_SECONDS = env_int("COORDCELL_REQUEST_TIMEOUT", 30, minimum=1)
    # How long the answer to an API POST with an Idempotency-Key is kept (core/idempotency.py).
    IDEMPOTENCY_KEY_HOURS = env_int("COORDCELL_IDEMPOTENCY_HOURS", 24, minimum=1)
    CHECKPOINT_EVERY_EVENTS = env_int("COORDCELL_CHECKPOINT_EVENTS", 20, minimum=1)
    CHECKPOINT_EVERY_MINUTES = env_int("COORDCELL_CHECKPOINT_MINUTES", 5, minimum=1)
    # The API's throttles: requests a signed-in person, and an anonymous client, may make
    # per second, minute, hour or day before 429 (docs/api.md). Raised above the defaults
    # only for a load test or the CI's fuzzing of a demo on loopback (.ci/fuzz-api).
    API_RATES = {
        "user": _api_rate("COORDCELL_API_RATE_USER", env_str("COORDCELL_API_RATE_USER", "600/min")),
        "anon": _api_rate("COORDCELL_API_RATE_ANON", env_str("COORDCELL_API_RATE_ANON", "60/min")),
    }
    # The CAP feed's <sender> and the webhooks' worker; see docs/cases.md.
    CAP_SENDER = env_str("COORDCELL_CAP_SENDER", LOG_ORIGIN.split("/")[0] or "coordcell.local")
    if not CAP_SENDER or any(c.isspace() or c in ",<&" for c in CAP_SENDER):
        raise ConfigError(
            f"COORDCELL_CAP_SENDER may not contain spaces, commas, < or &; got {CAP_SENDER!r}"
        )
    # economy exports (issue 15): the cell's IATI organisation identifier, the reporting-org
    # of its IATI activity XML; see docs/economy-exports.md.
    IATI_REPORTING_ORG = env_str("COORDCELL_IATI_ORG", "XI-IATI-COORDCELL")
    if not IATI_REPORTING_ORG or any(c.isspace() or c in "/<&\"'" for c in IATI_REPORTING_ORG):
        raise ConfigError(
            "COORDCELL_IATI_ORG may not contain spaces, /, <, & or quotes; "
            f"got {IATI_REPORTING_ORG!r}"
        )
    # Reverse proxies whose X-Forwarded-For is believed (CIDRs); see core/http.py.
    TRUSTED_PROXIES = parse_networks(
        "COORDCELL_TRUSTED_PROXIES", env_list("COORDCELL_TRUSTED_PROXIES", [])
    )
    WEBHOOK_TIMEOUT_SECONDS = env_int("COORDCELL_WEBHOOK_TIMEOUT", 5, minimum=1)
    WEBHOOK_MAX_ATTEMPTS = env_int("COORDCELL_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
    # Internal addresses webhooks may be sent to anyway (CIDRs); see notify/addresses.py.
    WEBHOOK_ALLOWED_NETWORKS = parse_networks(
        "COORDCELL_WEBHOOK_ALLOWED_NETWORKS", env_list("COORDCELL_WEBHOOK_ALLOWED_NETWORKS", [])
    )
    EMAIL_BACKEND = env_str(
        "COORDCELL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    DEFAULT_FROM_EMAIL = env_str("COORDCELL_FROM_EMAIL", "coordcell@localhost")
    LOG_LEVEL = env_str("COORDCELL_LOG_LEVEL", "INFO").upper()
    if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(
            "COORDCELL_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; "
            f"got {LOG_LEVEL!r}"
        )
    EMAIL_HOST = env_str("COORDCELL_EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("COORDCELL_EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("COORDCELL_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("COORDCELL_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("COORDCELL_EMAIL_TLS", False)
    # Seconds an SMTP connection may block: a hung mail server must not hang the worker.
    EMAIL_TIMEOUT = env_int("COORDCELL_EMAIL_TIMEOUT", 10, minimum=1)
    if DATABASE_URL:
        _db = parse_database_url("DATABASE_URL", DATABASE_URL)
        DATABASES = {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": _db.name,
                "USER": _db.user,
                "PASSWORD": _db.password,
                "HOST": _db.host,
                "PORT": _db.port,
                "OPTIONS": _db.options,
                "CONN_MAX_AGE": env_int("COORDCELL_DB_CONN_MAX_AGE", 60, minimum=0),
                "CONN_HEALTH_CHECKS": True,
            }
        }
    else:
        try:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"COORDCELL_DATA_DIR: cannot create {DATA_DIR}: {exc.strerror}"
            ) from None
        DATABASES = {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": DATA_DIR / "coordcell.sqlite3",
                # Opening a connection registers Django's SQL functions and runs the
                # pragmas below, and closing the last one checkpoints the write-ahead log:
                # together about an eighth of a served request's CPU when each request
                # opened and closed its own (docs/performance.md).
                "CONN_MAX_AGE": env_int("COORDCELL_DB_CONN_MAX_AGE", 60, minimum=0),
                "CONN_HEALTH_CHECKS": True,
                "OPTIONS": {
                    # Take the write lock at BEGIN: with deferred transactions two writers
                    # deadlock on upgrade and one fails at once instead of waiting.
                    "transaction_mode": "IMMEDIATE",
                    "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                    "init_command": (
                        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                    ),
                },
            }
        }
except ConfigError as exc:
    sys.stderr.write(f"coordcell: configuration error: {exc}\n")
    raise SystemExit(2) from None

INSTALLED_APPS = [
    "coordcell.accounts.admin_site.CellAdminConfig",  # django.contrib.admin, one login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "coordcell.core.apps.CoreConfig",
    "coordcell.accounts.apps.AccountsConfig",
    "coordcell.record.apps.RecordConfig",
    "coordcell.parties.apps.PartiesConfig",
    "coordcell.agreements.apps.AgreementsConfig",
    "coordcell.positions.apps.PositionsConfig",
    "coordcell.incidents.apps.IncidentsConfig",
    "coordcell.verification.apps.VerificationConfig",
    "coordcell.cases.apps.CasesConfig",
    "coordcell.deconfliction.apps.DeconflictionConfig",
    "coordcell.economy.apps.EconomyConfig",
    "coordcell.sharing.apps.SharingConfig",
    "coordcell.talks.apps.TalksConfig",
    "coordcell.proposals.apps.ProposalsConfig",
    "coordcell.reports.apps.ReportsConfig",
    "coordcell.humanitarian.apps.HumanitarianConfig",
    "coordcell.notify.apps.NotifyConfig",
    "coordcell.situation.apps.SituationConfig",
    "coordcell.api.apps.ApiConfig",
    "coordcell.ui.apps.UiConfig",
    "coordcell.demo.apps.DemoConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "coordcell.ui.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coordcell.ui.safe_input.RefuseUnsafeCharactersMiddleware",  # after CSRF: see the module
    "coordcell.ui.middleware.RequireSecondFactorMiddleware",
    "coordcell.ui.middleware.DomainErrorMiddleware",
    # Last: runs after every gate, and wraps only the view in its transaction.
    "coordcell.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "coordcell.urls"
WSGI_APPLICATION = "coordcell.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "ui" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "coordcell.ui.context_processors.cell",
            ],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "ui:home"
LOGOUT_REDIRECT_URL = "account_login"

# allauth: username login, no sign-up (administrators create accounts), rate limits on
# failed logins, TOTP with recovery codes as the second factor.
ACCOUNT_ADAPTER = "coordcell.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
# "ip" is the real client address (accounts.adapter → core.http.client_ip, which reads
# X-Forwarded-For only from COORDCELL_TRUSTED_PROXIES), "key" the account's login name.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "login": "30/m/ip"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "coordcell"
# One 30-second step either side (RFC 6238, section 5.2): a code typed as it turns over, or
# on a phone whose clock is a few seconds off, is still accepted. A used code is refused
# again all the same (allauth remembers it).
MFA_TOTP_TOLERANCE = 1

# The rate limits above live in the cache; the database cache is shared by every
# worker process (a per-process cache would multiply the allowed attempts).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "coordcell_cache",
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic")), ("he", _("Hebrew"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
# Leaflet's JS and CSS come from the django-leaflet package; its Django app itself is
# not installed (its admin widgets need GDAL), so its static folder is added directly.
_leaflet_spec = importlib.util.find_spec("leaflet")
if _leaflet_spec is None or not _leaflet_spec.submodule_search_locations:
    raise ImproperlyConfigured("django-leaflet is not installed (it provides Leaflet's files)")
STATICFILES_DIRS = [Path(next(iter(_leaflet_spec.submodule_search_locations))) / "static"]
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "files"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The demo serves straight from the packages' static folders; `coordcell serve`
# collects them into STATIC_ROOT first.
WHITENOISE_USE_FINDERS = DEMO or DEBUG

# Django's own bounds on what it parses (the WSGI wrapper, core/bodies.py, has already
# refused anything longer than REQUEST_MAX_BYTES, or ANONYMOUS_MAX_BYTES from a stranger):
# form fields in memory, file parts to a temporary file above 2.5 MB, at most 10 files.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Django's database sessions, the request's lookup compiled once (accounts/sessions.py).
SESSION_ENGINE = "coordcell.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = env_bool("COORDCELL_SSL_REDIRECT", True)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "coordcell.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["coordcell.core.rest.IsCellMember"],
    "DEFAULT_PAGINATION_CLASS": "coordcell.core.rest.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "coordcell.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "coordcell.api.errors.exception_handler",
    # JSON only, strictly: depth, NUL, lone surrogates, non-finite numbers (docs/api.md).
    "DEFAULT_PARSER_CLASSES": ["coordcell.core.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_RATES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "coordcell API",
    "DESCRIPTION": "The API of a joint security coordination cell. Errors share one shape: "
    '`{"error": {"code": "...", "message": "...", "fields": {...}}}`.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set that several fields share (else drf-spectacular invents
    # hashed ones, such as "Status4a7Enum"); the fields list the values as choices.
    "ENUM_NAME_OVERRIDES": {
        "DeadlineKindEnum": "coordcell.cases.choices.DeadlineKindChoices.values",
        "MilestoneStatusEnum": "coordcell.economy.choices.MilestoneStatusChoices.values",
        "HumanitarianStatusEnum": "coordcell.humanitarian.choices.StatusChoices.values",
        "SharingTierEnum": "coordcell.sharing.choices.TierChoices.values",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "coordcell.core.idempotency.add_header_to_schema",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
