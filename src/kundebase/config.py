"""The environment, read once and validated at start-up.

Every ``KUNDEBASE_*`` variable is read here and nowhere else, so a
misconfigured production deployment fails loudly before it serves a request
instead of running with a default secret or a surprise database.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

ENVIRONMENTS = ("development", "test", "production")
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "insecure", "django-insecure"}
PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "django-insecure", "placeholder", "your-secret",
                     "secret-key", "secret_key", "example", "xxxxxxxx", "12345678")
MIN_SECRET_LENGTH = 50
MIN_SECRET_UNIQUE = 5
"""Django's own ``check --deploy`` bar (W009): at least 50 characters and 5 different ones."""


MAIL_ATTACHMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain", "text/csv",
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
"""Content types of e-mail attachments kept by default; anything else is listed by name but not stored."""


@dataclass(frozen=True)
class Config:
    """Typed view of the ``KUNDEBASE_*`` environment."""

    environment: str
    data_dir: Path
    database_url: str
    secret_key: str
    allowed_hosts: list[str]
    default_country: str
    default_currency: str
    time_zone: str
    secure_cookies: bool
    smtp_url: str
    base_url: str
    extra: dict[str, str] = field(default_factory=dict)
    event_processing: str = "background"
    tasks: str = "database"
    proxy_ssl_header: str = ""
    ssl_redirect: bool = False
    hsts_seconds: int = 0
    hsts_preload: bool = False
    token_lifetime_days: int = 365
    import_limits: dict[str, int] = field(default_factory=dict)
    cors_origins: list[str] = field(default_factory=list)
    profile_rate: str = "50/s"
    background_nice: int = 10
    mail_max_attachment: int = 10 * 1024 * 1024
    mail_attachment_types: tuple[str, ...] = MAIL_ATTACHMENT_TYPES
    mail_retention_days: int = 730
    mail_fetch_seconds: int = 60
    escalation_seconds: int = 300
    escalate_to: str = ""

    @property
    def debug(self) -> bool:
        return self.environment == "development"


def _default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "kundebase"


def weak_secret_reason(key: str) -> str | None:
    """Why a secret key is unfit for production, or ``None`` when it is fit."""
    lowered = key.lower()
    if lowered in PLACEHOLDER_SECRETS or any(word in lowered for word in PLACEHOLDER_WORDS):
        return "looks like a placeholder"
    if len(key) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(key)) < MIN_SECRET_UNIQUE:
        return f"has fewer than {MIN_SECRET_UNIQUE} different characters"
    return None


def _secret_key(environment: str, data_dir: Path) -> str:
    key = os.environ.get("KUNDEBASE_SECRET_KEY", "")
    if key:
        reason = weak_secret_reason(key)
        if reason and environment == "production":
            raise ImproperlyConfigured(
                f"KUNDEBASE_SECRET_KEY {reason}; generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
            )
        return key
    if environment == "production":
        raise ImproperlyConfigured("KUNDEBASE_SECRET_KEY must be set when KUNDEBASE_ENV=production")
    # Development and tests: one random key per data directory, kept so sessions survive restarts.
    key_file = data_dir / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


IMPORT_LIMITS = {
    "KUNDEBASE_IMPORT_MAX_FILE_MB": 512,
    "KUNDEBASE_IMPORT_MAX_UNCOMPRESSED_MB": 1024,
    "KUNDEBASE_IMPORT_MAX_COMPRESSION_RATIO": 100,
    "KUNDEBASE_IMPORT_MAX_ROWS": 5_000_000,
    "KUNDEBASE_IMPORT_MAX_COLUMNS": 1000,
    "KUNDEBASE_IMPORT_MAX_CELL_CHARS": 32_767,
    "KUNDEBASE_IMPORT_MAX_LINE_CHARS": 1_048_576,
    "KUNDEBASE_IMPORT_MAX_JSON_DEPTH": 32,
    "KUNDEBASE_IMPORT_MAX_ERROR_ROWS": 10_000,
}
"""Limits on import files (documented in docs/settings.md): a hostile file is refused or cut, never obeyed."""


FILE_CHECK_ROWS = 5000
"""Rows from which a person or company file is checked for duplicates as a whole (``ingest.filecheck``): below
it, the linking's fixed costs (a DuckDB join, loading the candidates as one set) outweigh what it saves."""


def whole_number(name: str, default: int) -> int:
    """A positive whole number from the environment (``1_000`` allowed), or ``default`` when unset."""
    return _whole_number(name, default)


def _whole_number(name: str, default: int) -> int:
    """A positive whole number from the environment (``1_000`` allowed), or ``default`` when unset."""
    raw = os.environ.get(name, "").strip().replace("_", "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, not {value}")
    return value


def _import_limits() -> dict[str, int]:
    return {name: _whole_number(name, default) for name, default in IMPORT_LIMITS.items()}


def _mail_attachment_types() -> tuple[str, ...]:
    raw = os.environ.get("KUNDEBASE_MAIL_ATTACHMENT_TYPES", "")
    types = tuple(t.strip().lower() for t in raw.split(",") if t.strip())
    for kind in types:
        if kind.count("/") != 1 or " " in kind:
            raise ImproperlyConfigured(f"KUNDEBASE_MAIL_ATTACHMENT_TYPES lists content types such as "
                                       f"application/pdf, not {kind!r}")
    return types or MAIL_ATTACHMENT_TYPES


def load() -> Config:
    """Read and validate the environment; raise ``ImproperlyConfigured`` on a bad value."""
    environment = os.environ.get("KUNDEBASE_ENV", "development").strip().lower()
    if environment not in ENVIRONMENTS:
        raise ImproperlyConfigured(
            f"KUNDEBASE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}"
        )
    data_dir = Path(os.environ.get("KUNDEBASE_DATA_DIR") or _default_data_dir()).expanduser().resolve()
    database_url = os.environ.get("KUNDEBASE_DATABASE_URL") or f"sqlite:///{data_dir / 'kundebase.sqlite3'}"
    hosts = os.environ.get("KUNDEBASE_ALLOWED_HOSTS", "")
    allowed_hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    if not allowed_hosts:
        if environment == "production":
            raise ImproperlyConfigured("KUNDEBASE_ALLOWED_HOSTS must list the host names served in production")
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]", "testserver"]
    if environment == "production" and "*" in allowed_hosts:
        raise ImproperlyConfigured(
            "KUNDEBASE_ALLOWED_HOSTS must not contain '*' in production: name the host names served "
            "(a wildcard lets any Host header through, which poisons password-reset and absolute links)"
        )
    proxy_header = os.environ.get("KUNDEBASE_PROXY_SSL_HEADER", "").strip()
    if proxy_header and not all(ch.isalnum() or ch == "-" for ch in proxy_header):
        raise ImproperlyConfigured(
            f"KUNDEBASE_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, not {proxy_header!r}")
    hsts = os.environ.get("KUNDEBASE_HSTS_SECONDS", "31536000" if environment == "production" else "0").strip()
    if not hsts.isdigit():
        raise ImproperlyConfigured(f"KUNDEBASE_HSTS_SECONDS must be a whole number of seconds, not {hsts!r}")
    country = os.environ.get("KUNDEBASE_DEFAULT_COUNTRY", "NO").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ImproperlyConfigured(f"KUNDEBASE_DEFAULT_COUNTRY must be an ISO 3166 alpha-2 code, not {country!r}")
    processing = os.environ.get("KUNDEBASE_EVENT_PROCESSING", "inline" if environment == "test" else "background")
    if processing not in ("background", "inline", "off"):
        raise ImproperlyConfigured(f"KUNDEBASE_EVENT_PROCESSING must be background, inline or off, not {processing!r}")
    tasks = os.environ.get("KUNDEBASE_TASKS", "immediate" if environment == "test" else "database").strip()
    if tasks not in ("database", "immediate"):
        raise ImproperlyConfigured(f"KUNDEBASE_TASKS must be database or immediate, not {tasks!r}")
    secure = os.environ.get("KUNDEBASE_SECURE_COOKIES", "1" if environment == "production" else "0")
    return Config(
        environment=environment,
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(environment, data_dir),
        allowed_hosts=allowed_hosts,
        default_country=country,
        default_currency=os.environ.get("KUNDEBASE_DEFAULT_CURRENCY", "NOK").strip().upper(),
        time_zone=os.environ.get("KUNDEBASE_TIME_ZONE", "Europe/Oslo"),
        secure_cookies=secure.strip().lower() in {"1", "true", "yes", "on"},
        smtp_url=os.environ.get("KUNDEBASE_SMTP_URL", "smtp://127.0.0.1:25"),
        base_url=os.environ.get("KUNDEBASE_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        event_processing=processing,
        tasks=tasks,
        proxy_ssl_header=proxy_header,
        ssl_redirect=_flag("KUNDEBASE_SSL_REDIRECT", environment == "production"),
        hsts_seconds=int(hsts),
        hsts_preload=_flag("KUNDEBASE_HSTS_PRELOAD", False),
        token_lifetime_days=_token_lifetime(),
        import_limits=_import_limits(),
        cors_origins=_cors_origins(),
        profile_rate=_profile_rate(),
        background_nice=_background_nice(environment),
        mail_max_attachment=_whole_number("KUNDEBASE_MAIL_MAX_ATTACHMENT", 10 * 1024 * 1024),
        mail_attachment_types=_mail_attachment_types(),
        mail_retention_days=_whole_number("KUNDEBASE_MAIL_RETENTION_DAYS", 730),
        mail_fetch_seconds=_whole_number("KUNDEBASE_MAIL_FETCH_SECONDS", 60),
        escalation_seconds=_whole_number("KUNDEBASE_ESCALATION_SECONDS", 300),
        escalate_to=os.environ.get("KUNDEBASE_ESCALATE_TO", "").strip(),
    )


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None or not raw.strip() else raw.strip().lower() in {"1", "true", "yes", "on"}


def _cors_origins() -> list[str]:
    """Origins (``https://shop.example.no``) whose pages may call the API from a browser; none by default."""
    origins = [o.strip().rstrip("/") for o in os.environ.get("KUNDEBASE_CORS_ORIGINS", "").split(",") if o.strip()]
    for origin in origins:
        parsed = urlparse(origin)
        if origin == "*" or parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.path:
            raise ImproperlyConfigured(f"KUNDEBASE_CORS_ORIGINS lists origins such as https://shop.example.no "
                                       f"(scheme and host, no path, no wildcard), not {origin!r}")
    return origins


def _profile_rate() -> str:
    raw = os.environ.get("KUNDEBASE_PROFILE_RATE", "50/s").strip()
    from kundebase.offers.ratelimit import parse_rate

    try:
        parse_rate(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"KUNDEBASE_PROFILE_RATE: {exc}") from exc
    return raw


def _background_nice(environment: str) -> int:
    # tests run the commands in the test runner's own process: lowering it would lower the whole run
    raw = os.environ.get("KUNDEBASE_BACKGROUND_NICE", "0" if environment == "test" else "10").strip()
    if not raw.isdigit() or int(raw) > 19:
        raise ImproperlyConfigured(f"KUNDEBASE_BACKGROUND_NICE is a niceness from 0 (as the server) to 19 (only "
                                   f"when the processor is otherwise idle), not {raw!r}")
    return int(raw)


def _token_lifetime() -> int:
    raw = os.environ.get("KUNDEBASE_API_TOKEN_DAYS", "365").strip()
    if not raw.isdigit():
        raise ImproperlyConfigured(f"KUNDEBASE_API_TOKEN_DAYS must be a whole number of days (0 = no expiry), "
                                   f"not {raw!r}")
    return int(raw)


def database_settings(url: str) -> dict[str, object]:
    """Turn ``sqlite:///path`` or ``postgresql://user:pw@host:port/db`` into Django's DATABASES entry.

    A PostgreSQL socket directory is given as ``postgresql:///db?host=/run/dir``.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/file or sqlite:////absolute/file, as SQLAlchemy spells it.
        path = unquote(url.split("?", 1)[0][len("sqlite:///"):]) if url.lower().startswith("sqlite:///") else ""
        if not path:
            raise ImproperlyConfigured("KUNDEBASE_DATABASE_URL sqlite:/// needs a file path")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
                ),
            },
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        host = query.pop("host", None) or (unquote(parsed.hostname) if parsed.hostname else "")
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("KUNDEBASE_DATABASE_URL for PostgreSQL needs a database name")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": host,
            "PORT": str(parsed.port or query.pop("port", "") or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": query,
        }
    raise ImproperlyConfigured(
        f"KUNDEBASE_DATABASE_URL scheme {scheme!r} is not supported; use sqlite:///PATH or postgresql://..."
    )
