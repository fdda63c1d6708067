"""Who may open the manager view.

Standalone (``samsyn serve``): whoever has the manager key
(``SAMSYN_MANAGER_KEY`` / ``samsyn serve --manager-key``; when neither is set,
``serve`` makes one at start and prints it once, so the view is never open
without a secret). The page takes it as ``?key=…``; it is compared in constant
time.

Behind JupyterHub (``JUPYTERHUB_USER`` is set in the single-user server): the
role comes from a hub group. The spawner passes the user's groups in
``SAMSYN_HUB_GROUPS`` (comma-separated) and the user must be in
``SAMSYN_MANAGER_GROUP`` (default ``samsyn-managers``). A key in the URL does
not count there.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass

DEFAULT_MANAGER_GROUP = "samsyn-managers"

#: Refusal reasons (message keys).
NO_KEY_CONFIGURED = "manager.refused_no_key_configured"
WRONG_KEY = "manager.refused_wrong_key"
NOT_IN_GROUP = "manager.refused_not_in_group"


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: str | None = None  # a message key when refused
    via: str = ""  # "key" or "hub"


def hub_groups(environ) -> set[str]:
    return {g.strip() for g in (environ.get("SAMSYN_HUB_GROUPS") or "").split(",") if g.strip()}


def in_hub_group(group_variable: str, default: str, environ=None) -> bool:
    """Behind JupyterHub: is the user in the group named by ``group_variable``
    (or ``default``)? Always False outside a hub."""
    env = os.environ if environ is None else environ
    if not env.get("JUPYTERHUB_USER"):
        return False
    return (env.get(group_variable) or default) in hub_groups(env)


def check_access(provided_key: str | None, *, manager_key: str | None = None, environ=None) -> Access:
    env = os.environ if environ is None else environ
    if env.get("JUPYTERHUB_USER"):
        if in_hub_group("SAMSYN_MANAGER_GROUP", DEFAULT_MANAGER_GROUP, env):
            return Access(True, via="hub")
        return Access(False, NOT_IN_GROUP, via="hub")
    expected = manager_key if manager_key is not None else env.get("SAMSYN_MANAGER_KEY")
    if not expected:
        return Access(False, NO_KEY_CONFIGURED, via="key")
    if not provided_key or not hmac.compare_digest(provided_key.encode("utf-8"), expected.encode("utf-8")):
        return Access(False, WRONG_KEY, via="key")
    return Access(True, via="key")
