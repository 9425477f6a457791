"""Configuration: a base class with development, test and production variants.

Settings come from environment variables prefixed ``FEEDBACK_`` plus ``DATABASE_URL``;
``FEEDBACK_ENV`` picks the variant (development by default).
"""

import os
from pathlib import Path

DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"  # noqa: S105


def _env(name, default=None):
    return os.environ.get(f"FEEDBACK_{name}", default)


class Config:
    """Settings shared by every variant."""

    ENV_NAME = "base"
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)  # outside production, else the instance's key file
    # Earlier keys, comma-separated: sessions and second-factor secrets made with them still open.
    SECRET_KEY_FALLBACKS = tuple(k for k in _env("SECRET_KEY_FALLBACKS", "").split(",") if k)
    DATABASE_URL = os.environ.get("DATABASE_URL")  # None: SQLite in the instance folder
    BASE_URL = _env("BASE_URL", "http://localhost:8000")
    INVITATION_DAYS = int(_env("INVITATION_DAYS", "14"))
    COMMENT_MAX_LENGTH = int(_env("COMMENT_MAX_LENGTH", "1000"))
    KIOSK_RESET_SECONDS = int(_env("KIOSK_RESET_SECONDS", "10"))
    SCHEDULER_ENABLED = _env("SCHEDULER", "on") == "on"
    # A poster link can sit open on a phone for a while; a kiosk tablet all morning.
    WTF_CSRF_TIME_LIMIT = int(_env("CSRF_TIME_LIMIT", str(8 * 3600)))
    MAX_CONTENT_LENGTH = 64 * 1024  # a survey post is a few hundred bytes
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env("SECURE_COOKIES", "off") == "on"
    JSON_SORT_KEYS = False
    # Requests per minute per client address, counted in the database for every worker. A clinic's
    # waiting room shares one address: 300 survey posts a minute is 60 families each sending a
    # form five times in the same minute; a script sending more is refused.
    RATE_LIMIT_SURVEY = int(_env("RATE_LIMIT_SURVEY", "300"))
    RATE_LIMIT_CHAT = int(_env("RATE_LIMIT_CHAT", "600"))
    RATE_LIMIT_TOKEN_MISSES = int(_env("RATE_LIMIT_TOKEN_MISSES", "20"))  # unknown links a minute
    RATE_LIMIT_SIGN_IN = int(_env("RATE_LIMIT_SIGN_IN", "30"))  # sign-in attempts a minute per address
    # Failed passwords or codes in a row per account: after the free tries each waits longer, and
    # the account locks at LOCKOUT_AFTER until an administrator unlocks it (feedback.lockout).
    LOCKOUT_FREE_TRIES = int(_env("LOCKOUT_FREE_TRIES", "5"))
    LOCKOUT_AFTER = int(_env("LOCKOUT_AFTER", "10"))
    # Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or
    # networks, comma-separated, e.g. "10.0.0.5,192.168.1.0/24" (feedback.proxies).
    TRUSTED_PROXIES = _env("TRUSTED_PROXIES", "")
    # Host sites allowed to embed the chat widget, e.g. "https://www.example.gov.uk".
    CHAT_ORIGINS = tuple(o.strip() for o in _env("CHAT_ORIGINS", "").split(",") if o.strip())
    CHAT_RESUME_MINUTES = int(_env("CHAT_RESUME_MINUTES", "60"))
    RETENTION_COMMENT_MONTHS = int(_env("RETENTION_COMMENT_MONTHS", "24"))
    RETENTION_WAITLIST_MONTHS = int(_env("RETENTION_WAITLIST_MONTHS", "12"))  # after the wait ends
    RETENTION_AUDIT_MONTHS = int(_env("RETENTION_AUDIT_MONTHS", "72"))
    # The SQLite file, the demo's keys and files: ./instance in the folder the command runs in.
    INSTANCE_PATH = _env("INSTANCE_PATH") or str(Path.cwd() / "instance")
    REFERENCE_FILE = _env("REFERENCE_FILE")  # None: the packaged reference.toml
    INSTRUMENTS_DIR = _env("INSTRUMENTS_DIR")  # None: the packaged surveys/instruments
    KPI_DIR = _env("KPI_DIR")  # None: the packaged analysis/kpis
    LETTER_POLICY = _env("LETTER_POLICY")  # None: the packaged feedback/waitlist/policy.toml
    THEMES_FILE = _env("THEMES_FILE")  # None: the packaged analysis/themes.toml
    DELIVERY_GROUPS_FILE = _env("DELIVERY_GROUPS_FILE")  # None: the packaged analysis/delivery_groups.toml
    DATA_KEY = _env("DATA_KEY")  # encrypts waiting-list personal data; required in production
    PARTNERSHIP_NAME = _env("PARTNERSHIP_NAME", "Local SEND Partnership")
    # GOV.UK Notify's precompiled-letter API (feedback.waitlist.notify): without a key, letters
    # are printed and posted by hand.
    NOTIFY_API_KEY = _env("NOTIFY_API_KEY")
    NOTIFY_BASE_URL = _env("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
    # Invitations by text message and email through the same Notify service (surveys.sending):
    # sent only within these hours, UK time; the bearer token Notify must send with its delivery
    # receipts and received texts; requests a minute to Notify (its limit is 3,000 a minute per
    # key; 0 turns the throttle off); the policy file with the Notify template ids.
    SEND_HOURS = _env("SEND_HOURS", "09-20")
    NOTIFY_CALLBACK_TOKEN = _env("NOTIFY_CALLBACK_TOKEN")
    NOTIFY_PER_MINUTE = int(_env("NOTIFY_PER_MINUTE", "2400"))
    SENDING_POLICY = _env("SENDING_POLICY")  # None: the packaged surveys/sending.toml
    # Jobs (feedback.jobs): a failed run is tried again after 1, 2, 4 ... minutes (at most an
    # hour); every minute the scheduler looks for periods that did not finish; it writes a
    # heartbeat every 30 s, and staff see a banner when it is an hour old.
    JOB_RETRY_SECONDS = int(_env("JOB_RETRY_SECONDS", "60"))
    JOB_CATCH_UP_SECONDS = int(_env("JOB_CATCH_UP_SECONDS", "60"))
    SCHEDULER_HEARTBEAT_SECONDS = int(_env("SCHEDULER_HEARTBEAT_SECONDS", "30"))
    SCHEDULER_HEARTBEAT_LIMIT_S = int(_env("SCHEDULER_HEARTBEAT_LIMIT_S", "3600"))
    SCHEDULER_WATCH = True  # the staff banner about the scheduler and failing jobs
    # A down or hung database refuses in seconds: web requests give up on a statement after 8 s
    # (commands and the scheduler after an hour), on a connection after 2 s, on the pool after
    # 2 s; SQLite writers wait 5 s for the lock.
    DB_STATEMENT_TIMEOUT_S = float(_env("DB_STATEMENT_TIMEOUT_S", "8"))
    DB_CONNECT_TIMEOUT_S = int(_env("DB_CONNECT_TIMEOUT_S", "2"))
    DB_POOL_TIMEOUT_S = float(_env("DB_POOL_TIMEOUT_S", "2"))
    DB_BUSY_TIMEOUT_MS = int(_env("DB_BUSY_TIMEOUT_MS", "5000"))


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env("SECURE_COOKIES", "on") == "on"


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    RATE_LIMIT_SURVEY = 10_000
    RATE_LIMIT_CHAT = 10_000
    RATE_LIMIT_TOKEN_MISSES = 10_000
    RATE_LIMIT_SIGN_IN = 10_000
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SCHEDULER_ENABLED = False
    SCHEDULER_WATCH = False  # tests of the banner turn it on
    DB_STATEMENT_TIMEOUT_S = 600.0  # big imports and rebuilds run inside tests' requests
    # Links point nowhere, so a test that tries to follow one off the machine fails loudly.
    BASE_URL = "http://invalid.test"
    NOTIFY_BASE_URL = "http://notify.invalid.test"  # tests start a local fake of Notify


VARIANTS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_for(name=None):
    """Return the config class named by ``name`` or ``FEEDBACK_ENV``."""
    name = name or _env("ENV", "development")
    try:
        return VARIANTS[name]
    except KeyError:
        raise ValueError(f"FEEDBACK_ENV must be one of {', '.join(VARIANTS)}, not {name!r}") from None
