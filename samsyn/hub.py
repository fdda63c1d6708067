"""Behind JupyterHub: the signed-in user's roles, from their hub groups, asked when a page opens.

A single-user server gets its own API token (``JUPYTERHUB_API_TOKEN``) and the
hub's API address (``JUPYTERHUB_API_URL``). ``GET <api>/user`` with that token
returns the user's model; when the token carries the scope
``read:users:groups!user`` (``c.Spawner.server_token_scopes``, see
docs/deploy.md) the model lists the user's groups. Pages ask at the moment
they open, so a change of group in the hub counts from the next page the user
opens, without restarting their server.

When the hub cannot be asked, or does not say, the user gets no role beyond
trainee (closed, never open), and the reason is logged.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from samsyn.config import Settings

log = logging.getLogger(__name__)

#: How long a page waits for the hub before it treats the user as a trainee.
TIMEOUT_S = 5.0
#: The scope the server's token needs to read its user's groups.
GROUPS_SCOPE = "read:users:groups!user"


class HubError(RuntimeError):
    """The hub did not tell us the user's groups."""


@dataclass(frozen=True)
class Roles:
    """What a hub user may do besides answering cases."""

    groups: frozenset[str]
    mentor: bool
    manager: bool
    #: Why the groups are unknown (the hub could not be asked); then no role is given.
    problem: str | None = None


def groups_from_model(model: dict, user: str) -> frozenset[str]:
    """The groups in a hub user model, checked to be the expected user's."""
    name = model.get("name")
    if name is not None and name != user:
        raise HubError(f"the hub answered for {name!r}, not for {user!r}")
    if not isinstance(model.get("groups"), list):
        raise HubError(f"the hub did not list the groups of {user!r}; the server's token needs the scope "
                       f"{GROUPS_SCOPE} (c.Spawner.server_token_scopes)")
    return frozenset(str(g) for g in model["groups"])


def fetch_groups(settings: Settings, timeout: float = TIMEOUT_S) -> frozenset[str]:
    """Ask the hub for the user's groups now, with the server's own token."""
    if not (settings.hub_api_url and settings.hub_api_token):
        raise HubError("JUPYTERHUB_API_URL or JUPYTERHUB_API_TOKEN is not set")
    request = urllib.request.Request(settings.hub_api_url.rstrip("/") + "/user",
                                     headers={"Authorization": f"token {settings.hub_api_token}",
                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            model = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise HubError(f"could not ask the hub ({settings.hub_api_url}): {exc}") from None
    return groups_from_model(model, settings.hub_user or "")


def roles(settings: Settings, groups: frozenset[str] | None = None) -> Roles | None:
    """The hub user's roles (``None`` outside JupyterHub). ``groups`` skips asking the hub."""
    if not settings.behind_hub:
        return None
    problem = None
    if groups is None:
        try:
            groups = fetch_groups(settings)
        except HubError as exc:
            log.warning("Samsyn: no hub role for %s: %s", settings.hub_user, exc)
            groups, problem = frozenset(), str(exc)
    return Roles(groups=groups, mentor=settings.mentor_group in groups, manager=settings.manager_group in groups,
                 problem=problem)


def user_redirect_url(settings: Settings, path: str) -> str:
    """A link that takes whoever opens it to ``path`` on their own server (``/hub/user-redirect/…``)."""
    return f"{settings.hub_base_url}hub/user-redirect/{path.lstrip('/')}"
