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


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("samsyn", appauthor=False))


def default_database_url() -> str:
    path = Path(os.environ.get("SAMSYN_DATA_DIR") or default_data_dir()) / "samsyn.sqlite3"
    return f"sqlite:///{path}"


def normalise_language(value: str | None) -> str:
    """Map a requested language to a supported one (Swedish by default)."""
    if not value:
        return DEFAULT_LANGUAGE
    value = value.strip().lower().replace("_", "-").split("-")[0]
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def _number(env, name: str, default: float, minimum: float = 1.0) -> float:
    value = env.get(name)
    if not value:
        return default
    try:
        return max(minimum, float(value))
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {value!r}") from None


@dataclass(frozen=True)
class Settings:
    database_url: str
    language: str
    cases_dir: Path
    workshop_min_group: int
    #: The secret of the manager view (standalone); behind JupyterHub a hub group decides.
    manager_key: str | None = None
    manager_group: str = "samsyn-managers"
    #: Seconds a page's kernel may wait, idle, for its browser to connect before it is culled.
    kernel_unclaimed_timeout: float = 40.0
    #: Seconds a page's kernel lives on after its browser disconnected (and it went idle).
    kernel_disconnected_timeout: float = 60.0
    #: How often (seconds) the culler looks.
    kernel_cull_interval: float = 10.0
    #: Files Samsyn can make again (the chart templates).
    cache_dir: Path = Path()
    #: Trainees expected at once (a workshop): that many start and case pages are kept ready (samsyn/rooms.py).
    room_size: int = 0
    #: The largest room a mentor can ask for when creating a workshop (an operator's room may be larger).
    room_max: int = 60
    #: Page kernels are forked from one preloaded process (samsyn/forkserver.py).
    fork_kernels: bool = True

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
            kernel_unclaimed_timeout=_number(env, "SAMSYN_KERNEL_UNCLAIMED_TIMEOUT", 40.0),
            kernel_disconnected_timeout=_number(env, "SAMSYN_KERNEL_DISCONNECTED_TIMEOUT", 60.0),
            kernel_cull_interval=_number(env, "SAMSYN_KERNEL_CULL_INTERVAL", 10.0),
            cache_dir=Path(env.get("SAMSYN_CACHE_DIR") or default_cache_dir()),
            room_size=int(_number(env, "SAMSYN_ROOM_SIZE", 0, minimum=0)),
            room_max=int(_number(env, "SAMSYN_ROOM_MAX", 60, minimum=0)),
            fork_kernels=(env.get("SAMSYN_FORK_KERNELS") or "1").strip().lower() not in ("0", "false", "no", "off"),
        )


def settings() -> Settings:
    return Settings.from_env()
