"""Who may open the manager view.

Standalone (``samsyn serve``): whoever has the manager key
(``SAMSYN_MANAGER_KEY`` / ``samsyn serve --manager-key``; when neither is set,
``serve`` makes one at start and prints it once, so the view is never open
without a secret). The page takes it as ``?key=…``; it is compared in constant
time.

Behind JupyterHub (``JUPYTERHUB_USER`` is set in the single-user server): the
role comes from a hub group, asked of the hub when the page opens
(``samsyn.hub.roles``): the user must be in ``SAMSYN_MANAGER_GROUP`` (default
``samsyn-managers``). A key in the URL does not count there.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from samsyn import hub
from samsyn.config import Settings

#: Refusal reasons (message keys).
NO_KEY_CONFIGURED = "manager.refused_no_key_configured"
WRONG_KEY = "manager.refused_wrong_key"
NOT_IN_GROUP = "manager.refused_not_in_group"


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: str | None = None  # a message key when refused
    via: str = ""  # "key" or "hub"


def check_access(provided_key: str | None, settings: Settings, roles: hub.Roles | None = None) -> Access:
    """May this request open the manager view? ``roles``: the hub user's (asked of the hub when not given)."""
    if settings.behind_hub:
        roles = roles or hub.roles(settings)
        return Access(True, via="hub") if roles.manager else Access(False, NOT_IN_GROUP, via="hub")
    expected = settings.manager_key
    if not expected:
        return Access(False, NO_KEY_CONFIGURED, via="key")
    if not provided_key or not hmac.compare_digest(provided_key.encode("utf-8"), expected.encode("utf-8")):
        return Access(False, WRONG_KEY, via="key")
    return Access(True, via="key")
