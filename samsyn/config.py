"""Configuration from environment variables, with defaults that just work.

Every setting can be given as an environment variable (``SAMSYN_*``); the
``samsyn`` command line sets these from its flags before it starts Voila, so
the kernels that Voila starts see the same configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

#: Languages with a complete message catalog. Swedish first.
LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The folder Voila serves. Nothing but notebooks lives here.
TRAINING_DIR = REPO_ROOT / "training"


def default_data_dir() -> Path:
    """A per-user data folder, outside every directory Voila serves."""
    return Path(platformdirs.user_data_dir("samsyn", appauthor=False))


def default_database_url() -> str:
    path = Path(os.environ.get("SAMSYN_DATA_DIR") or default_data_dir()) / "samsyn.sqlite3"
    return f"sqlite:///{path}"


def normalise_language(value: str | None) -> str:
    """Map a requested language to a supported one (Swedish by default)."""
    if not value:
        return DEFAULT_LANGUAGE
    value = value.strip().lower().replace("_", "-").split("-")[0]
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def _int(env, name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def _flag(env, name: str) -> bool:
    return (env.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


def _hosts(raw: str | None) -> tuple[str, ...]:
    return tuple(h.strip().lower() for h in (raw or "").split(",") if h.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str
    language: str
    cases_dir: Path
    workshop_min_group: int
    #: The secret of the manager view (standalone); behind JupyterHub a hub group decides.
    manager_key: str | None = None
    manager_group: str = "samsyn-managers"
    # -- on an open network (see README, "Security") ------------------------------
    #: Host names the server answers to besides loopback (DNS rebinding); ``*`` answers any.
    allowed_hosts: tuple[str, ...] = ()
    #: A header a trusted reverse proxy sets to the client's address (e.g. ``X-Forwarded-For``).
    client_ip_header: str | None = None
    #: Live page kernels in all (a case page's kernel is ~90 MB: 60 is ~5.4 GB).
    max_kernels: int = 60
    #: Live page kernels per client address.
    max_kernels_per_client: int = 8
    #: Failed code, join-code, key and secret attempts a client or page may make before it waits.
    throttle_free_failures: int = 5
    #: The longest wait between attempts once throttled, in seconds.
    throttle_max_wait_s: int = 3600
    #: Hours after its creation that a workshop takes new participants (the mentor can close it sooner).
    workshop_join_hours: int = 24
    #: Exports name hub users by their hub user name instead of a pseudonym (the operator's choice).
    export_hub_usernames: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        cases_dir = env.get("SAMSYN_CASES_DIR")
        return cls(
            database_url=env.get("SAMSYN_DATABASE_URL") or default_database_url(),
            language=normalise_language(env.get("SAMSYN_LANG")),
            cases_dir=Path(cases_dir) if cases_dir else REPO_ROOT / "cases" / "library",
            workshop_min_group=int(env.get("SAMSYN_MIN_GROUP") or 5),
            manager_key=env.get("SAMSYN_MANAGER_KEY") or None,
            manager_group=env.get("SAMSYN_MANAGER_GROUP") or "samsyn-managers",
            allowed_hosts=_hosts(env.get("SAMSYN_ALLOWED_HOSTS")),
            client_ip_header=(env.get("SAMSYN_CLIENT_IP_HEADER") or "").strip() or None,
            max_kernels=_int(env, "SAMSYN_MAX_KERNELS", 60, 1),
            max_kernels_per_client=_int(env, "SAMSYN_MAX_KERNELS_PER_CLIENT", 8, 1),
            throttle_free_failures=_int(env, "SAMSYN_THROTTLE_FREE_FAILURES", 5, 1),
            throttle_max_wait_s=_int(env, "SAMSYN_THROTTLE_MAX_WAIT", 3600, 1),
            workshop_join_hours=_int(env, "SAMSYN_WORKSHOP_JOIN_HOURS", 24, 1),
            export_hub_usernames=_flag(env, "SAMSYN_EXPORT_HUB_USERNAMES"),
        )


def settings() -> Settings:
    return Settings.from_env()
