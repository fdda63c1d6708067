"""A real JupyterHub in front of Samsyn: three roles and a workshop across hub users.

The hub runs docs/deploy/config.yaml (the Zero to JupyterHub values) on this
machine: its ``hub.config`` as written, the single-user command and
environment of ``singleuser``, the image built by docs/deploy/Dockerfile's
steps (tests/deploy/conftest.py) and configurable-http-proxy at the version
the values pin. Replaced here, as docs/deploy.md says: the identity provider
by JupyterHub's shared-password authenticator, KubeSpawner by
SimpleLocalProcessSpawner, the database secret by the throwaway PostgreSQL
of tests/conftest.py. Everything listens on 127.0.0.1; Chromium reaches the
hub by its public name from the values (``SAMSYN_ALLOWED_HOSTS``,
``hub.example.org``), which it resolves to 127.0.0.1, so every page reaches
the users' servers with the Host header a real deployment's do.

One session, in Chromium: a mentor signs in and creates a workshop; three
trainees join it by the three ways a hub user can (the mentor's link before
signing in, the code typed on the start page, the link once signed in),
answer the case blind, and see the group once the mentor reveals it. Roles
come from hub groups and follow a change of group made in the hub without a
restart of anyone's server; the manager and mentor views are refused to
others, and one user cannot open another's server.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from store import Store
from store.db import dispose_all

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
import flow  # noqa: E402  (tests/browser/flow.py)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
VALUES = yaml.safe_load((REPO / "docs" / "deploy" / "config.yaml").read_text())
CHP = Path(sys.prefix) / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"  # make setup-test
PASSWORD = "workshop-" + secrets.token_hex(8)
ADMIN_TOKEN = secrets.token_hex(32)
#: The hub's public name, as the values give it to the users' servers (the Host allowlist).
PUBLIC_HOST = VALUES["singleuser"]["extraEnv"]["SAMSYN_ALLOWED_HOSTS"].split(",")[0].strip()
TIMEOUT_MS = 180_000  # a first page behind the hub starts the user's samsyn serve
RISKS = {"anna": "nagot_forhojd", "bo": "hog", "cecilia": "nagot_forhojd"}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_config(tmp: Path, image, database_url: str, ports: dict[str, int]) -> str:
    """jupyterhub_config.py: the values' hub.config and singleuser, with this machine's replacements."""
    single = VALUES["singleuser"]
    environment = {"PATH": f"{image.bin}:/usr/bin:/bin"}  # the image's programs, as in the image
    for name, value in single["extraEnv"].items():
        if isinstance(value, dict):  # a Kubernetes secret: the database URL
            assert value["valueFrom"]["secretKeyRef"]["name"] == "samsyn-database", name
            environment[name] = database_url
        else:
            environment[name] = str(image.path(value)) if value.startswith("/etc/samsyn") else value
    return f"""
import json
c = get_config()
for section, traits in json.loads({json.dumps(json.dumps(VALUES["hub"]["config"]))}).items():
    for name, value in traits.items():
        setattr(getattr(c, section), name, value)
# Replaced on this machine (docs/deploy.md): the identity provider, the spawner, the addresses.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {PASSWORD!r}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(tmp / "home" / "{username}")!r}
c.Spawner.cmd = {single["cmd"]!r}
c.Spawner.environment = {environment!r}
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {ports["public"]}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {ports["hub"]}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports["proxy_api"]}"
c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
c.JupyterHub.db_url = "sqlite:///{tmp / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(tmp / "jupyterhub_cookie_secret")!r}
# The test's hand on the hub's groups, as an administrator's would be.
c.JupyterHub.services = [{{"name": "samsyn-test-admin", "api_token": {ADMIN_TOKEN!r}}}]
c.JupyterHub.load_roles = [{{"name": "samsyn-test-admin", "scopes": ["admin:groups", "read:users", "read:servers", "read:hub"],
                            "services": ["samsyn-test-admin"]}}]
"""


class Hub:
    def __init__(self, tmp: Path, image, database_url: str):
        self.ports = {"public": free_port(), "hub": free_port(), "proxy_api": free_port()}
        self.api_url = f"http://127.0.0.1:{self.ports['public']}"  # the test's own calls to the hub's API
        self.url = f"http://{PUBLIC_HOST}:{self.ports['public']}"  # what the browser opens
        (tmp / "home").mkdir()
        config = tmp / "jupyterhub_config.py"
        config.write_text(hub_config(tmp, image, database_url, self.ports))
        self.log_path = tmp / "hub.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)], cwd=tmp,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if self.api("GET", "/info").get("version"):
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()  # never leave a hub (and its proxy) behind
        raise RuntimeError(f"the hub did not start:\n{self.log()}")

    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(f"{self.api_url}/hub/api{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"token {ADMIN_TOKEN}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return json.loads(text) if text else {}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        import os

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)  # the hub stops every user's server (cleanup_servers)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
        self._log.close()


@pytest.fixture(scope="module")
def hub_browser(browser, request):
    """Chromium that finds the hub by its public name (on this machine: 127.0.0.1, nothing else),
    launched like tests/conftest.py's browser, by the same Playwright."""
    root = str(REPO / "tests" / "conftest.py")
    conftest = next(p for p in request.config.pluginmanager.get_plugins() if getattr(p, "__file__", None) == root)
    named = browser.browser_type.launch(executable_path=conftest.CHROMIUM, headless=True,
                                        args=[*conftest.CHROMIUM_ARGS, f"--host-resolver-rules=MAP {PUBLIC_HOST} 127.0.0.1"])
    yield named
    named.close()


@pytest.fixture(scope="module")
def hub(image, postgres, tmp_path_factory):
    assert CHP.exists(), f"{CHP} is missing: `make setup-test` installs configurable-http-proxy with npm"
    url = postgres.create_database("samsyn_hub").replace("postgresql+psycopg://", "postgresql://")
    upgraded = subprocess.run([str(image.bin / "samsyn"), "db", "upgrade"], capture_output=True, text=True,
                              env=image.env(SAMSYN_DATABASE_URL=url), timeout=300)  # once, before the users
    assert upgraded.returncode == 0, upgraded.stderr
    started = Hub(tmp_path_factory.mktemp("hub"), image, url)
    started.database_url = url
    yield started
    started.stop()
    dispose_all()
    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "hub.log").write_text(started.log())  # the hub's, the proxies' and the users' servers' output


def test_the_hub_runs_the_pinned_versions(hub, image):
    pins = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["hub"]
    hub_pin = next(p for p in pins if p.startswith("jupyterhub==")).split("==")[1]
    assert hub.api("GET", "/info")["version"] == hub_pin  # the hub the test started
    single = subprocess.run([str(image.bin / "python"), "-c", "import jupyterhub; print(jupyterhub.__version__)"],
                            capture_output=True, text=True, env=image.env())
    assert single.stdout.strip() == hub_pin  # the image's, from samsyn[hub]
    chp = subprocess.run([str(CHP), "--version"], capture_output=True, text=True)
    assert chp.stdout.strip() == VALUES["proxy"]["chp"]["image"]["tag"]


#: A kernel that Voila shuts down (its page was left) while it still sends a reply logs this; harmless.
KERNEL_SHUT_DOWN = "zmq.error.ZMQError: Socket operation on non-socket"


def unexpected_tracebacks(log: str) -> list[str]:
    """Every traceback in the log but a kernel's being shut down (the hub's, the proxies', Samsyn's)."""
    found = []
    for block in log.split("Traceback (most recent call last):")[1:]:
        lines = block.splitlines()
        last = next((line for line in lines[1:] if line and not line.startswith((" ", "\t"))), "")
        if last != KERNEL_SHUT_DOWN:
            found.append("Traceback (most recent call last):" + "\n".join(lines[: lines.index(last) + 1] if last else lines))
    return found


def sign_in(browser: Browser, hub: Hub, user: str, url: str | None = None) -> Page:
    """Sign in on the hub's login page (reached directly, or by following ``url``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.js_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    # Samsyn's Content-Security-Policy must hold behind the hub's prefix: no page breaks a rule.
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.js_errors.append(msg.text))
    page.goto(url or f"{hub.url}/hub/login")
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#login_submit").click()
    return page


def own_page(hub: Hub, user: str, notebook: str, **params: str) -> str:
    from urllib.parse import urlencode

    return f"{hub.url}/user/{user}/voila/render/{notebook}" + (f"?{urlencode(params)}" if params else "")


def answer_in_workshop(page: Page, user: str, workshop: str) -> None:
    """From the start page with the join code filled in: join, open the workshop, answer its case."""
    page.locator(".samsyn-hub-join").click()
    page.locator(".samsyn-hub-join-status .samsyn-hub-workshop-link").click()
    expect(page.locator(".samsyn-signed-in")).to_contain_text(user)
    expect(page.locator(".samsyn-signed-in")).to_contain_text(workshop)
    page.locator(".samsyn-case-link[data-case='jamila']").click()
    expect(page.locator(".samsyn-form")).to_be_visible()
    flow.complete_minimal(page, RISKS[user], f"Motivering av {user}: hård uppfostran, föräldrarna tar emot stöd")
    expect(page.locator(".samsyn-waiting")).to_be_visible()  # blind until the reveal


def test_three_roles_and_a_workshop_across_hub_users(hub, hub_browser):
    browser = hub_browser
    timings: dict[str, float] = {}

    # The mentor signs in, lands on their own start page, and has the way to run a workshop.
    t0 = time.monotonic()
    mentor = sign_in(browser, hub, "mentor1")
    expect(mentor.locator(".samsyn-signed-in")).to_contain_text("mentor1")
    timings["mentor: sign-in to rendered start page"] = time.monotonic() - t0
    assert mentor.url.startswith(f"{hub.url}/user/mentor1/voila/render/start.ipynb")
    expect(mentor.locator(".samsyn-pseudonym")).to_have_count(0)  # the hub user is the trainee
    expect(mentor.locator(".samsyn-manager-link")).to_have_count(0)
    mentor.locator(".samsyn-mentor-link").click()
    mentor.locator(".samsyn-workshop-name input").fill("Hubbworkshop")
    mentor.locator(".samsyn-workshop-case-jamila input").check()
    mentor.locator(".samsyn-min-group input").fill("3")
    mentor.locator(".samsyn-create-workshop").click()
    code = mentor.locator(".samsyn-join-code").inner_text()
    share = mentor.locator(".samsyn-participant-link").get_attribute("href")
    assert share == f"/hub/user-redirect/voila/render/start.ipynb?join={code}&lang=sv"
    with mentor.expect_response(lambda r: "/voila/render/mentor.ipynb" in r.url and r.status == 200) as rendered:
        mentor.locator(".samsyn-facilitator-link").click()
    expect(mentor.locator(".samsyn-facilitator h1")).to_have_text("Hubbworkshop")
    # The facilitator secret left the URL for a cookie of the mentor's own server (samsyn.guard).
    assert "secret=" not in mentor.url and mentor.url.startswith(f"{hub.url}/user/mentor1/voila/render/mentor.ipynb")
    cookies = [c for c in mentor.context.cookies() if c["name"].startswith("samsyn_facilitator_")]
    assert [(c["path"], c["httpOnly"]) for c in cookies] == [("/user/mentor1/voila/render/", True)]
    policy = rendered.value.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    started = hub.api("GET", "/users/mentor1")["servers"][""]["started"]

    # anna follows the mentor's link before signing in: the hub signs her in, starts her server, and
    # her own start page has the code filled in.
    t0 = time.monotonic()
    anna = sign_in(browser, hub, "anna", url=hub.url + share)
    expect(anna.locator(".samsyn-hub-join-code input")).to_have_value(code)
    timings["anna: link, sign-in, server start to rendered start page"] = time.monotonic() - t0
    assert anna.url.startswith(f"{hub.url}/user/anna/voila/render/start.ipynb")
    answer_in_workshop(anna, "anna", "Hubbworkshop")
    # bo signs in first and types the code on his start page.
    bo = sign_in(browser, hub, "bo")
    bo.locator(".samsyn-hub-join-code input").fill(code.lower())
    answer_in_workshop(bo, "bo", "Hubbworkshop")
    # cecilia is signed in already when the link reaches her.
    cecilia = sign_in(browser, hub, "cecilia")
    expect(cecilia.locator(".samsyn-signed-in")).to_contain_text("cecilia")
    cecilia.goto(hub.url + share)
    expect(cecilia.locator(".samsyn-hub-join-code input")).to_have_value(code)
    answer_in_workshop(cecilia, "cecilia", "Hubbworkshop")

    # The mentor's live view counts three hub users; the reveal reaches them.
    expect(mentor.locator('.samsyn-answer-count[data-case="jamila"]')).to_have_attribute("data-n", "3")
    store = Store(hub.database_url)
    for user in RISKS:  # the mentor sees each hub user's pseudonym in the workshop, never the hub user name
        (member,) = [p for p, w in store.hub_workshops(user) if w.join_code == code]
        assert member.pseudonym.startswith("hub-")
        expect(mentor.locator(".samsyn-joined-names")).to_contain_text(member.pseudonym)
        expect(mentor.locator(".samsyn-joined-names")).not_to_contain_text(user)
    mentor.locator(".samsyn-reveal-jamila").click()
    expect(mentor.locator(".samsyn-reveal-panel-jamila .samsyn-reveal-chart svg")).to_be_visible()
    for trainee in (anna, bo):
        trainee.locator(".samsyn-check-reveal").click()
        expect(trainee.locator(".samsyn-group-chart svg")).to_be_visible()

    # In the shared database: each hub user answered in the workshop as themselves, apart from
    # their own self-paced identity.
    workshop = store.workshop_by_code(code)
    answers = store.answers(case_id="jamila", workshop_id=workshop.id)
    assert sorted(store.participant(a.participant_id).hub_owner for a in answers) == ["anna", "bo", "cecilia"]
    assert {a.risk for a in answers} == set(RISKS.values())
    own = store.participant_by_hub_user("anna")
    assert own is not None and own.workshop_id is None and own.id not in {a.participant_id for a in answers}

    # What a trainee may not open: the manager and mentor views on her server, the mentor's server.
    anna.goto(own_page(hub, "anna", "manager.ipynb", lang="en"))
    expect(anna.locator(".samsyn-manager-refused")).to_be_visible()
    expect(anna.locator(".samsyn-manager-view")).to_have_count(0)
    anna.goto(own_page(hub, "anna", "mentor.ipynb", workshop=str(workshop.id)))
    expect(anna.locator(".samsyn-refused")).to_be_visible()
    response = anna.goto(own_page(hub, "mentor1", "mentor.ipynb", workshop=str(workshop.id)))
    assert response.status == 403
    expect(anna.locator(".samsyn-facilitator")).to_have_count(0)

    # Roles follow the hub's groups from the next page on, without restarting the server.
    mentor.goto(own_page(hub, "mentor1", "manager.ipynb", lang="sv"))
    expect(mentor.locator(".samsyn-manager-refused")).to_be_visible()
    hub.api("POST", "/groups/samsyn-managers/users", {"users": ["mentor1"]})
    mentor.goto(own_page(hub, "mentor1", "start.ipynb", lang="sv"))
    mentor.locator(".samsyn-manager-link").click()
    expect(mentor.locator(".samsyn-manager-view-consistency")).to_be_visible()
    hub.api("DELETE", "/groups/samsyn-mentors/users", {"users": ["mentor1"]})
    mentor.goto(own_page(hub, "mentor1", "mentor.ipynb", lang="sv"))
    expect(mentor.locator(".samsyn-refused")).to_be_visible()
    mentor.goto(own_page(hub, "mentor1", "start.ipynb", lang="sv"))
    expect(mentor.locator(".samsyn-manager-link")).to_be_visible()
    expect(mentor.locator(".samsyn-mentor-link")).to_have_count(0)
    assert hub.api("GET", "/users/mentor1")["servers"][""]["started"] == started  # the same server throughout

    for page in (mentor, anna, bo, cecilia):
        assert page.js_errors == []
        page.context.close()
    log = hub.log()
    assert unexpected_tracebacks(log) == []
    # Every user's proxy listened on loopback only (the address the local spawner gives it).
    assert len(re.findall(r"Starting standaloneproxy on '127\.0\.0\.1:\d+'", log)) == 1 + len(RISKS)
    print("\n".join(f"{name}: {seconds:.1f} s" for name, seconds in timings.items()))
