"""Configuration: every setting the app reads, in one place, with defaults that just work.

Each setting is a field of ``Settings`` that names its environment variable
(and its ``samsyn serve`` flag, if it has one). ``Settings.from_env()`` is the
only code that reads them; ``samsyn serve`` applies its flags on top and
writes the result back to the environment (``Settings.to_environ()``), so the
kernels that Voila starts see the same configuration. The README's
configuration table lists every one of them (``tests/test_settings.py`` fails
when a setting has no row there, or a row no setting).

The ``JUPYTERHUB_*`` variables are set by JupyterHub in a single-user server;
they are read here too, so nothing else looks at the environment.

Files the app ships (notebooks, ``voila.json``, the case library, variables,
panel, catalogs, migrations) are package data, found with
``importlib.resources`` wherever the package is installed (a wheel, or an
editable checkout); ``SAMSYN_CASES_DIR`` points at another case folder.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import platformdirs

#: Languages with a complete message catalog. Swedish first.
LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"


def package_path(package: str, *parts: str) -> Path:
    """A file or folder shipped inside an installed package (never relative to a checkout)."""
    path = importlib.resources.files(package)
    for part in parts:
        path = path.joinpath(part)
    return Path(str(path))


def training_dir() -> Path:
    """The folder Voila serves: the ``training`` package (notebooks and ``voila.json``)."""
    return package_path("training")


def default_cases_dir() -> Path:
    return package_path("cases", "library")


def default_data_dir() -> Path:
    """A per-user data folder, outside every directory Voila serves."""
    return Path(platformdirs.user_data_dir("samsyn", appauthor=False))


def default_cache_dir() -> Path:
    """Files Samsyn can make again (the chart templates)."""
    return Path(platformdirs.user_cache_dir("samsyn", appauthor=False))


def default_database_url(data_dir: Path | None = None) -> str:
    if data_dir is None:
        data_dir = Settings.from_env().data_dir
    return f"sqlite:///{Path(data_dir) / 'samsyn.sqlite3'}"


def normalise_language(value: str | None) -> str:
    """Map a requested language to a supported one (Swedish by default)."""
    if not value:
        return DEFAULT_LANGUAGE
    value = value.strip().lower().replace("_", "-").split("-")[0]
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


class SettingError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


def _whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"expected a whole number, got {raw!r}") from None
        if value < minimum:
            raise ValueError(f"expected at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise ValueError(f"expected at most {maximum}, got {value}")
        return value

    return parse


def _port(raw: str) -> int:
    value = _whole_number(0)(raw)
    if value > 65535:
        raise ValueError(f"expected a port number (0–65535), got {value}")
    return value


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected yes or no (1/0, true/false, on/off), got {raw!r}")


def _names(raw: str) -> tuple[str, ...]:
    """A comma-separated list of host names, lower case."""
    return tuple(h.strip().lower() for h in raw.split(",") if h.strip())


def _header(raw: str) -> str:
    value = raw.strip()
    if not all(c.isalnum() or c == "-" for c in value):
        raise ValueError(f"expected an HTTP header name (letters, digits, '-'), got {raw!r}")
    return value


def url_prefix(raw: str) -> str:
    stripped = raw.strip().strip("/")
    return f"/{stripped}/" if stripped else "/"


def _setting(env: str, default: Any = None, *, parse: Callable[[str], Any] = str, flag: str | None = None,
             command: str = "serve", secret: bool = False) -> Any:
    """One setting: its environment variable, how its text is read, and its flag of ``samsyn <command>``."""
    return field(default=default, repr=not secret,
                 metadata={"env": env, "parse": parse, "flag": flag, "command": command, "secret": secret})


#: The kernel cap when ``SAMSYN_MAX_KERNELS`` is not set and no room asks for more.
DEFAULT_MAX_KERNELS = 60
#: The largest room ``samsyn serve --room`` accepts.
ROOM_SIZE_LIMIT = 500


def kernels_for_room(trainees: int) -> int:
    """Page kernels a room of ``trainees`` may hold at once: one page each, and half as many again for
    the moments when a trainee's next page is open before the one left behind has let its kernel go."""
    trainees = max(0, int(trainees))
    return trainees + (trainees + 1) // 2


def room_that_fits(cap: int) -> int:
    """The largest room whose page kernels fit under ``cap`` (the inverse of :func:`kernels_for_room`)."""
    n = max(0, (2 * int(cap)) // 3 + 1)
    while n > 0 and kernels_for_room(n) > cap:
        n -= 1
    return n


@dataclass(frozen=True)
class Settings:
    # -- the app (samsyn serve) ----------------------------------------------------------
    port: int = _setting("SAMSYN_PORT", 8866, parse=_port, flag="--port")
    ip: str = _setting("SAMSYN_IP", "127.0.0.1", flag="--ip")
    #: The URL prefix the app is served under (behind JupyterHub ``/user/<name>/``; the proxy passes it on).
    base_url: str = _setting("SAMSYN_BASE_URL", "/", parse=url_prefix, flag="--base-url")
    #: A folder with a voila.json whose values win over the shipped one (pool sizes, cull timeouts).
    voila_config_dir: Path | None = _setting("SAMSYN_VOILA_CONFIG_DIR", None, parse=Path)
    # -- data ----------------------------------------------------------------------------
    data_dir: Path = _setting("SAMSYN_DATA_DIR", None, parse=Path)  # default: the user data folder
    database_url: str = _setting("SAMSYN_DATABASE_URL", None, flag="--database-url", secret=True)
    cases_dir: Path = _setting("SAMSYN_CASES_DIR", None, parse=Path, flag="--cases-dir")  # default: shipped
    # -- pages ---------------------------------------------------------------------------
    language: str = _setting("SAMSYN_LANG", DEFAULT_LANGUAGE, parse=normalise_language, flag="--lang")
    workshop_min_group: int = _setting("SAMSYN_MIN_GROUP", 5, parse=_whole_number(1))
    #: The secret of the manager view (standalone); behind JupyterHub a hub group decides.
    manager_key: str | None = _setting("SAMSYN_MANAGER_KEY", None, flag="--manager-key", secret=True)
    manager_group: str = _setting("SAMSYN_MANAGER_GROUP", "samsyn-managers")
    mentor_group: str = _setting("SAMSYN_MENTOR_GROUP", "samsyn-mentors")
    #: A municipality's own variables file (adds, renames, retires answer options); see cases/local_variables.py.
    variables_file: Path | None = _setting("SAMSYN_VARIABLES_FILE", None, parse=Path, flag="--variables-file")
    # -- a room on one server (samsyn/kernels.py, samsyn/rooms.py, samsyn/forkserver.py) ------------
    #: Trainees expected at once (a workshop): that many start and case pages are kept ready.
    room_size: int = _setting("SAMSYN_ROOM_SIZE", 0, parse=_whole_number(0, ROOM_SIZE_LIMIT), flag="--room")
    #: The largest room a mentor can ask for when creating a workshop (and no more than the kernel cap holds).
    room_max: int = _setting("SAMSYN_ROOM_MAX", 40, parse=_whole_number(0, ROOM_SIZE_LIMIT))
    #: Seconds a page's kernel may wait, idle, for its browser to connect before it is culled.
    kernel_unclaimed_timeout: int = _setting("SAMSYN_KERNEL_UNCLAIMED_TIMEOUT", 40, parse=_whole_number(1))
    #: Seconds a page's kernel lives on after its browser disconnected (and it went idle).
    kernel_disconnected_timeout: int = _setting("SAMSYN_KERNEL_DISCONNECTED_TIMEOUT", 60, parse=_whole_number(1))
    #: How often (seconds) the culler looks.
    kernel_cull_interval: int = _setting("SAMSYN_KERNEL_CULL_INTERVAL", 10, parse=_whole_number(1))
    #: Page kernels are forked from one preloaded process (samsyn/forkserver.py).
    fork_kernels: bool = _setting("SAMSYN_FORK_KERNELS", True, parse=_flag)
    #: Files Samsyn can make again (the chart templates); default: the user cache folder.
    cache_dir: Path = _setting("SAMSYN_CACHE_DIR", None, parse=Path)
    #: Made up by ``samsyn serve`` for its own kernels: a mentor's page asks for a room with it (loopback only).
    room_token: str | None = _setting("SAMSYN_ROOM_TOKEN", None, secret=True)
    # -- on an open network (README, "Security"; samsyn/guard.py, store/throttle.py) ------------
    #: Host names the server answers to besides loopback (DNS rebinding); ``*.x`` covers subdomains, ``*`` any.
    allowed_hosts: tuple[str, ...] = _setting("SAMSYN_ALLOWED_HOSTS", (), parse=_names)
    #: A header a trusted reverse proxy sets to the client's address (e.g. ``X-Forwarded-For``; its last hop counts).
    client_ip_header: str | None = _setting("SAMSYN_CLIENT_IP_HEADER", None, parse=_header)
    #: Live page kernels in all; unset: 60, or what the room (SAMSYN_ROOM_SIZE, SAMSYN_ROOM_MAX) needs if more
    #: (:attr:`kernel_cap`). Set lower than ``SAMSYN_ROOM_SIZE`` needs, ``samsyn serve`` refuses to start.
    max_kernels: int | None = _setting("SAMSYN_MAX_KERNELS", None, parse=_whole_number(1))
    #: Live page kernels per client address.
    max_kernels_per_client: int = _setting("SAMSYN_MAX_KERNELS_PER_CLIENT", 8, parse=_whole_number(1))
    #: Failed code, join-code, key and secret attempts a client or page may make before it waits.
    throttle_free_failures: int = _setting("SAMSYN_THROTTLE_FREE_FAILURES", 5, parse=_whole_number(1))
    #: The longest wait between attempts once throttled, in seconds.
    throttle_max_wait_s: int = _setting("SAMSYN_THROTTLE_MAX_WAIT", 3600, parse=_whole_number(1))
    #: Hours after its creation that a workshop takes new participants (the mentor can close it sooner).
    workshop_join_hours: int = _setting("SAMSYN_WORKSHOP_JOIN_HOURS", 24, parse=_whole_number(1))
    #: Exports name hub users by their hub user name instead of a pseudonym (the operator's choice).
    export_hub_usernames: bool = _setting("SAMSYN_EXPORT_HUB_USERNAMES", False, parse=_flag, flag="--hub-usernames",
                                          command="export")
    # -- samsyn author: where JupyterLab listens (loopback unless told otherwise) and its token --
    author_ip: str = _setting("SAMSYN_AUTHOR_IP", "127.0.0.1", flag="--ip", command="author")
    author_port: int = _setting("SAMSYN_AUTHOR_PORT", 8890, parse=_port, flag="--port", command="author")
    author_token: str | None = _setting("SAMSYN_AUTHOR_TOKEN", None, flag="--token", command="author", secret=True)
    # -- set by JupyterHub in a single-user server -----------------------------------------
    hub_user: str | None = _setting("JUPYTERHUB_USER", None)
    hub_api_url: str | None = _setting("JUPYTERHUB_API_URL", None)
    hub_api_token: str | None = _setting("JUPYTERHUB_API_TOKEN", None, secret=True)
    hub_base_url: str = _setting("JUPYTERHUB_BASE_URL", "/", parse=url_prefix)

    @classmethod
    def fields(cls) -> tuple[dataclasses.Field, ...]:
        return dataclasses.fields(cls)

    @classmethod
    def env_names(cls) -> tuple[str, ...]:
        return tuple(f.metadata["env"] for f in cls.fields())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read every setting from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in cls.fields():
            raw = env.get(f.metadata["env"])
            if raw is None or not raw.strip():
                continue  # unset or empty: the default
            try:
                values[f.name] = f.metadata["parse"](raw)
            except ValueError as exc:
                raise SettingError(f"{f.metadata['env']}: {exc}") from None
        return cls(**values)

    def __post_init__(self) -> None:
        # Defaults that depend on the machine or on another setting.
        if self.data_dir is None:
            object.__setattr__(self, "data_dir", default_data_dir())
        if self.database_url is None:
            object.__setattr__(self, "database_url", default_database_url(self.data_dir))
        if self.cases_dir is None:
            object.__setattr__(self, "cases_dir", default_cases_dir())
        if self.cache_dir is None:
            object.__setattr__(self, "cache_dir", default_cache_dir())
        if self.max_kernels is not None and kernels_for_room(self.room_size) > self.max_kernels:
            # Two settings that cannot both hold: say so, rather than refuse the room's pages later.
            raise SettingError(
                f"SAMSYN_MAX_KERNELS: a room of {self.room_size} (SAMSYN_ROOM_SIZE, --room) may hold up to "
                f"{kernels_for_room(self.room_size)} page kernels at once, more than SAMSYN_MAX_KERNELS="
                f"{self.max_kernels}; raise SAMSYN_MAX_KERNELS to at least {kernels_for_room(self.room_size)}, "
                f"leave it unset (the cap then grows with the room), or make the room smaller")

    @property
    def kernel_cap(self) -> int:
        """Live page kernels in all: ``SAMSYN_MAX_KERNELS``, or when it is unset the larger of 60 and what
        the operator's room and the largest room a mentor may ask for need (:func:`kernels_for_room`)."""
        if self.max_kernels is not None:
            return self.max_kernels
        return max(DEFAULT_MAX_KERNELS, kernels_for_room(self.room_size), kernels_for_room(self.room_max))

    @property
    def mentor_room_max(self) -> int:
        """The largest room a mentor may ask for: ``SAMSYN_ROOM_MAX``, and no more than the kernel cap holds."""
        return min(self.room_max, room_that_fits(self.kernel_cap))

    def replace(self, **changes: Any) -> "Settings":
        """These settings with the given values (``None`` leaves a setting as it is)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_environ(self) -> dict[str, str]:
        """The ``SAMSYN_*`` variables that reproduce these settings in another process."""
        out = {}
        for f in self.fields():
            name, value = f.metadata["env"], getattr(self, f.name)
            if name.startswith("SAMSYN_") and value is not None:
                out[name] = ",".join(value) if isinstance(value, tuple) else str(value)
        return out

    @property
    def behind_hub(self) -> bool:
        """Running as a JupyterHub single-user server."""
        return bool(self.hub_user)


def settings() -> Settings:
    return Settings.from_env()
