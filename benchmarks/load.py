"""Load test: a room of simulated trainees that speak the browser's protocol, not a browser.

    .venv/bin/python benchmarks/load.py [--trainees 40] [--arrival 10] [--room N] [--after 60]

What happens, on this machine, only on 127.0.0.1:

1. ``samsyn serve`` starts with the committed ``training/voila.json`` and
   ``SAMSYN_ROOM_SIZE`` = ``--room`` (default: the number of trainees; 0 = no
   room sizing), then waits until the preheated pool is full and quiet;
2. N participants are created in the store (as a mentor's workshop would have
   them), each with a personal code;
3. one trainee alone opens a case page: the *unloaded* time to interactive
   that the room's figures are compared with;
4. the N trainees arrive within ``--arrival`` seconds (evenly spread) and each
   goes through the whole flow the way a browser does it:

   * **start page** (``start.ipynb?code=…``): HTTP GET of the page (the body
     streams while the kernel renders), the static scripts and styles the page
     names (first page only: a browser caches them), ``GET /api/kernels/<id>``
     as Voila's widget manager does, then the kernel websocket:
     ``kernel_info_request``, the ``jupyter.widget.control`` comm and its
     ``request_states`` → all widget states. **Time to interactive** = request
     start → the states are in and the widget a trainee acts on exists (the
     case links; on a case page the stepper's "Next" button);
   * **a case page**: the seven steps (the mapping step included) through widget comm messages — checkbox
     values, dropdown and radio indices, text, and button clicks as
     ``custom``/``click`` events — waiting after each click until the kernel is
     idle again and the next step's widgets (built lazily) have arrived; then
     "Submit" and the feedback (the kernel's reply builds it);
   * **leave** each page as a browser does: the unload beacon ``POST
     voila/api/shutdown/<id>`` with the page's cookie, and the websocket closes;
   * the **start page** again, a **second case page**, and leave.

5. figures: time to interactive per page (p50/p95, nearest rank) and the case
   page's p95 as a multiple of the unloaded one; time to stored answer (the
   "Submit" click → the row's ``submitted_at``); answers stored; peak memory
   of Voila and all kernels (sum of PSS: shared libraries count once) and peak
   kernel count, sampled every two seconds; CPU seconds of Voila and the kernels;
   live kernels when the last trainee has left and ``--after`` seconds later,
   next to the pool size. The load average is printed at start and end.

No browser runs: the figures are the server's. ``benchmarks/burst.py`` keeps a
10-context Chromium run as the realism check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import urljoin

import psutil

from _harness import REPO, machine, percentile, remove, start_samsyn, temp_dir
from widgets.answer_form import STEPS  # the stepper's steps, in order (the page says "Steg n av len(STEPS)")

CASES = ("assi", "max")
MB = 2**20
#: One quick, valid answer per case (ids from cases/library/*.yaml and cases/variables.yaml).
ANSWERS = {
    "assi": dict(home="brister_i_omsorg", guardian="kriminalitet", child="missbruk", risk_factor="substance-use",
                 risk_index=3, safety=3, intervention="strukturerat_program", focus="kanslor_och_beteende"),
    "max": dict(home="brister_i_omsorg", guardian="psykisk_ohalsa", child="ingen_svarighet",
                risk_factor="unmet-health-care", risk_index=2, safety=4, intervention="annan_oppenvard",
                focus="grundlaggande_omsorg"),
}
STEP_TIMEOUT = 300.0


# -- the protocol ---------------------------------------------------------------------------
class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("rel") == "stylesheet" and a.get("href"):
            self.urls.append(a["href"])


class PageError(RuntimeError):
    pass


class Page:
    """One page view: its HTTP response, its kernel websocket, and the widget models the kernel sent."""

    def __init__(self, base: str, http, cookies: dict[str, str], client: str = ""):
        self.base, self.http, self.cookies = base, http, cookies
        #: The trainee's own address, as a reverse proxy would pass it on (the server's per-client kernel cap).
        self.client = client
        self.kernel_id = ""
        self.models: dict[str, dict] = {}
        self.session = uuid.uuid4().hex
        self.ws = None
        self.idle: dict[str, asyncio.Event] = {}
        self.replies: dict[str, asyncio.Future] = {}
        self.comm_msgs: dict[str, asyncio.Future] = {}
        self.changed = asyncio.Event()
        self.reader: asyncio.Task | None = None
        self.page_token = ""
        self.page_cookie_path = ""
        self.closed = False

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _headers(self, **more: str) -> dict[str, str]:
        return {"Cookie": self._cookie_header(), **({"X-Forwarded-For": self.client} if self.client else {}), **more}

    def _take_cookies(self, response) -> None:
        for raw in response.headers.get_list("Set-Cookie"):
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if name == "samsyn_page":
                self.page_token = value
                found = re.search(r"Path=([^;]+)", raw)
                self.page_cookie_path = found.group(1) if found else ""
            else:
                self.cookies[name] = value

    async def open(self, path: str, *, fetch_assets: bool, ready) -> float:
        """Load the page until ``ready(self)``; returns the time to interactive in seconds."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        start = time.perf_counter()
        response = await self.http.fetch(HTTPRequest(self.base + path, headers=self._headers(),
                                                     request_timeout=STEP_TIMEOUT, follow_redirects=False))
        self._take_cookies(response)
        body = response.body.decode("utf-8", "replace")
        found = re.search(r'"kernelId": "([0-9a-f-]{36})"', body)
        if not found:
            raise PageError(f"no kernel in {path} ({response.code})")
        self.kernel_id = found.group(1)
        if fetch_assets:
            parser = _Assets()
            parser.feed(body)
            for url in parser.urls:
                full = urljoin(self.base + path, url)
                if full.startswith(self.base):
                    await self.http.fetch(HTTPRequest(full, headers=self._headers(), request_timeout=STEP_TIMEOUT),
                                          raise_error=False)
        await self.http.fetch(HTTPRequest(f"{self.base}/api/kernels/{self.kernel_id}",
                                          headers=self._headers(), request_timeout=STEP_TIMEOUT))
        ws_url = self.base.replace("http://", "ws://") + f"/api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        self.ws = await websocket_connect(HTTPRequest(ws_url, headers=self._headers(Origin=self.base)),
                                          max_message_size=64 * MB)
        self.reader = asyncio.ensure_future(self._read())
        await self.request("kernel_info_request", {})
        control = uuid.uuid4().hex
        self.comm_msgs[control] = asyncio.get_running_loop().create_future()
        await self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                        metadata={"version": "1.0.0"})
        await self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        data = await asyncio.wait_for(self.comm_msgs[control], STEP_TIMEOUT)
        for model_id, state in data.get("states", {}).items():
            self.models[model_id] = dict(state.get("state", {}))
        await self.send("comm_close", {"comm_id": control, "data": {}})
        await self.until(ready)
        return time.perf_counter() - start

    # -- messages ------------------------------------------------------------------------
    def _message(self, msg_type: str, content: dict, metadata: dict | None = None) -> dict:
        return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session,
                           "username": "load", "date": datetime.now(timezone.utc).isoformat(), "version": "5.3"},
                "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": "shell", "buffers": []}

    async def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        msg = self._message(msg_type, content, metadata)
        self.idle[msg["header"]["msg_id"]] = asyncio.Event()
        await self.ws.write_message(json.dumps(msg))
        return msg["header"]["msg_id"]

    async def request(self, msg_type: str, content: dict) -> dict:
        msg = self._message(msg_type, content)
        future = asyncio.get_running_loop().create_future()
        self.replies[msg["header"]["msg_id"]] = future
        await self.ws.write_message(json.dumps(msg))
        return await asyncio.wait_for(future, STEP_TIMEOUT)

    async def _read(self) -> None:
        from jupyter_server.services.kernels.connection.base import deserialize_binary_message

        while True:
            raw = await self.ws.read_message()
            if raw is None:
                self.closed = True
                self.changed.set()
                return
            msg = deserialize_binary_message(raw) if isinstance(raw, bytes) else json.loads(raw)
            kind = msg.get("header", {}).get("msg_type") or msg.get("msg_type")
            parent = msg.get("parent_header", {}).get("msg_id")
            content = msg.get("content", {})
            if parent in self.replies and kind.endswith("_reply"):
                future = self.replies.pop(parent)
                if not future.done():
                    future.set_result(content)
            if kind == "status" and content.get("execution_state") == "idle" and parent in self.idle:
                self.idle[parent].set()
            elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                self.models[content["comm_id"]] = dict(content.get("data", {}).get("state", {}))
                self.changed.set()
            elif kind == "comm_msg":
                comm_id, data = content.get("comm_id"), content.get("data", {})
                if comm_id in self.comm_msgs and not self.comm_msgs[comm_id].done():
                    self.comm_msgs[comm_id].set_result(data)
                elif data.get("method") in ("update", "echo_update") and comm_id in self.models:
                    self.models[comm_id].update(data.get("state", {}))
                    self.changed.set()
            elif kind == "comm_close":
                self.models.pop(content.get("comm_id"), None)

    async def until(self, predicate, timeout: float = STEP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if self.closed:
                raise PageError("the kernel's websocket closed")
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PageError("timed out waiting for the page")
            try:
                await asyncio.wait_for(self.changed.wait(), min(remaining, 5.0))
            except asyncio.TimeoutError:
                pass

    # -- widgets ---------------------------------------------------------------------------
    def find(self, cls: str) -> str | None:
        for model_id, state in self.models.items():
            if cls in state.get("_dom_classes", ()):
                return model_id
        return None

    def html_contains(self, text: str) -> bool:
        return any(text in str(s.get("value", "")) for s in self.models.values() if s.get("_model_name") == "HTMLModel")

    async def update(self, cls: str, **state) -> None:
        model = self.find(cls)
        if model is None:
            raise PageError(f"no widget .{cls}")
        self.models[model].update(state)
        msg_id = await self.send("comm_msg", {"comm_id": model, "data": {"method": "update", "state": state,
                                                                          "buffer_paths": []}})
        await asyncio.wait_for(self.idle[msg_id].wait(), STEP_TIMEOUT)

    async def click(self, cls: str) -> None:
        model = self.find(cls)
        if model is None:
            raise PageError(f"no button .{cls}")
        msg_id = await self.send("comm_msg", {"comm_id": model, "data": {"method": "custom",
                                                                          "content": {"event": "click"}}})
        await asyncio.wait_for(self.idle[msg_id].wait(), STEP_TIMEOUT)

    async def leave(self) -> None:
        """The unload beacon, then the websocket closes (what closing the tab does)."""
        from tornado.httpclient import HTTPRequest

        if self.page_token:
            await self.http.fetch(HTTPRequest(self.base + self.page_cookie_path, method="POST", body=b"",
                                              headers={"Cookie": f"samsyn_page={self.page_token}", "Origin": self.base,
                                                       **({"X-Forwarded-For": self.client} if self.client else {})},
                                              request_timeout=60), raise_error=False)
        if self.ws is not None:
            self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


# -- a trainee ----------------------------------------------------------------------------
@dataclass
class Trainee:
    index: int
    code: str
    participant_id: int
    tti: dict[str, float] = field(default_factory=dict)
    clicked_utc: datetime | None = None
    feedback_s: float | None = None
    error: str | None = None
    done_at: float | None = None
    rss_before: float | None = None  # the case page's kernel once the page is interactive (MB)
    rss_after: float | None = None  # … and once the feedback is shown


def start_ready(page: Page) -> bool:
    return page.html_contains("samsyn-case-link")


def case_ready(page: Page) -> bool:
    return page.find("samsyn-next") is not None


#: The mapping step (Signs of Safety), in a trainee's own words: a worry, a next step, the danger
#: statement and safety goal, and the two scaling questions (the scale itself is set in step 3).
MAPPING = (
    ("samsyn-mapping-harm", "Skolan har sett blåmärken två gånger i höstas."),
    ("samsyn-mapping-steps", "Ett möte med mamma och skolan på fredag."),
    ("samsyn-mapping-danger", "Skolan är rädd att barnet blir slaget hemma igen."),
    ("samsyn-mapping-goal", "Skolan och mormor ser att ingen slår barnet hemma, i ett halvår."),
    ("samsyn-mapping-why-not-lower", "Mormor finns nära och barnet berättar för henne."),
    ("samsyn-mapping-one-step-up", "Mamma tar emot stöd och ett nätverksmöte har hållits."),
)


async def answer_case(page: Page, case: str, t: Trainee, think: float) -> None:
    a = ANSWERS[case]

    async def step(n: int) -> None:
        await page.click("samsyn-next")
        await page.until(lambda p: p.html_contains(f"Steg {n} av {len(STEPS)}"))
        await asyncio.sleep(think)

    for group in ("home", "guardian", "child"):
        await page.update(f"samsyn-opt-exposure-{group}-{a[group]}", value=True)
    await step(2)
    await page.until(lambda p: p.find(f"samsyn-factor-risk-{a['risk_factor']}") is not None)
    await page.update(f"samsyn-factor-risk-{a['risk_factor']}", value=True)
    await page.update(f"samsyn-weight-risk-{a['risk_factor']}-severity", index=3)
    await page.update(f"samsyn-weight-risk-{a['risk_factor']}-extent", index=2)
    await step(3)
    await page.until(lambda p: p.find("samsyn-risk") is not None)
    await page.update("samsyn-risk", index=a["risk_index"])
    await page.update("samsyn-safety", index=a["safety"])
    await step(4)
    await page.until(lambda p: p.find("samsyn-mapping-danger") is not None)
    for cls, text in MAPPING:
        await page.update(cls, value=text)
    await step(5)
    await page.until(lambda p: p.find(f"samsyn-opt-intervention-{a['intervention']}") is not None)
    await page.update(f"samsyn-opt-intervention-{a['intervention']}", value=True)
    await page.update(f"samsyn-opt-focus-{a['focus']}", value=True)
    await step(6)
    await page.until(lambda p: p.find("samsyn-goal-1-goal") is not None)
    await page.update("samsyn-goal-1-goal", value=f"Målet för {case}: minst fyra dagar i veckan i skolan ({t.index})")
    await step(7)
    await page.until(lambda p: p.find("samsyn-motivation") is not None)
    await page.update("samsyn-motivation", value="Omfattande riskbeteende och svag vägledning hemma; se utredningen.")
    t.clicked_utc = datetime.now(timezone.utc)
    clicked = time.perf_counter()
    await page.click("samsyn-submit")
    await page.until(lambda p: p.html_contains("samsyn-submitted"))
    t.feedback_s = time.perf_counter() - clicked


MEMORY_OF = None  # set by main(): kernel id -> RSS in MB (or None)


async def kernel_rss(kernel_id: str) -> float | None:
    if MEMORY_OF is None:
        return None
    return await asyncio.get_running_loop().run_in_executor(None, MEMORY_OF, kernel_id)


async def trainee_flow(base: str, t: Trainee, delay: float, think: float) -> None:
    from tornado.httpclient import AsyncHTTPClient

    await asyncio.sleep(delay)
    http = AsyncHTTPClient()
    cookies: dict[str, str] = {}
    client = f"10.40.{t.index // 200}.{t.index % 200 + 1}"  # each trainee their own laptop
    first, second = CASES[t.index % 2], CASES[(t.index + 1) % 2]
    try:
        page = Page(base, http, cookies, client)
        t.tti["start"] = await page.open(f"/voila/render/start.ipynb?lang=sv&code={t.code}", fetch_assets=True,
                                         ready=start_ready)
        await asyncio.sleep(think)
        await page.leave()
        page = Page(base, http, cookies, client)
        t.tti["case"] = await page.open(f"/voila/render/case.ipynb?case={first}&lang=sv&code={t.code}",
                                        fetch_assets=False, ready=case_ready)
        t.rss_before = await kernel_rss(page.kernel_id)
        await asyncio.sleep(think)
        await answer_case(page, first, t, think)
        await asyncio.sleep(1.0)  # the feedback's last messages
        t.rss_after = await kernel_rss(page.kernel_id)
        await asyncio.sleep(think)
        await page.leave()
        page = Page(base, http, cookies, client)
        t.tti["start again"] = await page.open(f"/voila/render/start.ipynb?lang=sv&code={t.code}", fetch_assets=False,
                                               ready=start_ready)
        await asyncio.sleep(think)
        await page.leave()
        page = Page(base, http, cookies, client)
        t.tti["second case"] = await page.open(f"/voila/render/case.ipynb?case={second}&lang=sv&code={t.code}",
                                               fetch_assets=False, ready=case_ready)
        await asyncio.sleep(think)
        await page.leave()
    except Exception as exc:  # record, keep the others going
        t.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        try:
            await page.leave()
        except Exception:
            pass
    t.done_at = time.perf_counter()


# -- the server's side --------------------------------------------------------------------
class Sampler:
    """Every two seconds: PSS of Voila and every kernel (summed), kernel count, CPU seconds."""

    def __init__(self, server):
        self.server = server
        self.voila = psutil.Process(server.proc.pid)
        self.peak_pss = 0.0
        self.peak_kernels = 0
        self.peak_at = 0.0
        self.cpu: dict[tuple[str, int], float] = {}
        self.start_cpu: dict[tuple[str, int], float] = {}
        self.stop = False
        self.kernel_pss: list[float] = []

    def _cpu(self, group: str, proc) -> None:
        try:
            t = proc.cpu_times()
            self.cpu[(group, proc.pid)] = t.user + t.system
        except psutil.Error:
            pass

    def sample(self) -> None:
        kernels = self.server.kernels()
        total = 0.0
        for proc in [self.voila, *kernels]:
            try:
                total += proc.memory_full_info().pss / MB
            except psutil.Error:
                pass
        self._cpu("voila", self.voila)
        for proc in kernels:
            self._cpu("kernels", proc)
        if total > self.peak_pss:
            self.peak_pss, self.peak_at = total, time.perf_counter()
        self.peak_kernels = max(self.peak_kernels, len(kernels))

    def begin(self) -> None:
        self.sample()
        self.start_cpu = dict(self.cpu)
        self.peak_pss = 0.0
        self.peak_kernels = 0

    def used(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for (group, pid), seconds in self.cpu.items():
            out[group] = out.get(group, 0.0) + seconds - self.start_cpu.get((group, pid), 0.0)
        return out

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stop:
            await loop.run_in_executor(None, self.sample)
            await asyncio.sleep(2.0)


def pool_size(room: int) -> int:
    """Kernels the server keeps preheated: training/voila.json, with the room's case and start pools."""
    from samsyn.rooms import pools_for

    config = json.loads((REPO / "training" / "voila.json").read_text())
    pools = pools_for(config["VoilaKernelManager"]["kernel_pools_config"], room)
    notebooks = [p.name for p in (REPO / "training").glob("*.ipynb")]
    default = pools.get("default", {}).get("pool_size", 0)
    return sum(pools.get(nb, {}).get("pool_size", default) for nb in notebooks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=40)
    parser.add_argument("--arrival", type=float, default=10.0, help="seconds over which the trainees arrive")
    parser.add_argument("--room", type=int, default=None, help="SAMSYN_ROOM_SIZE (default: --trainees; 0: none)")
    parser.add_argument("--think", type=float, default=0.5, help="seconds a trainee pauses between steps")
    parser.add_argument("--after", type=float, default=60.0, help="seconds to watch the kernels after the last leaves")
    parser.add_argument("--keep-log", default=None, help="copy the server's log to this file")
    args = parser.parse_args()
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))  # stop the server too (finally below)
    n = max(1, min(args.trainees, 200))
    room = n if args.room is None else max(0, args.room)

    from tornado.httpclient import AsyncHTTPClient
    from sqlalchemy import text

    from store import Store
    from store.db import engine_for

    AsyncHTTPClient.configure(None, max_clients=4 * n + 10)
    print(f"Load test — {machine()}")
    tmp = temp_dir("samsyn-bench-load-")
    server = None
    try:
        # Each trainee has an address of their own (X-Forwarded-For, as behind a reverse proxy), so the
        # server's kernel caps (samsyn/guard.py) count them as a real room: 8 per client, 1.5 × the room in all.
        server = start_samsyn(tmp, extra_env={"SAMSYN_ROOM_SIZE": str(room), "SAMSYN_CLIENT_IP_HEADER": "X-Forwarded-For",
                                              "SAMSYN_MAX_KERNELS_PER_CLIENT": "8"})
        store = Store(server.database_url)
        trainees = []
        for i in range(n):
            p = store.create_participant(f"Deltagare {i + 1}", self_paced=True)
            trainees.append(Trainee(i, p.personal_code, p.id))
        solo = store.create_participant("Ensam", self_paced=True)
        global MEMORY_OF

        def memory_of(kernel_id: str) -> float | None:
            proc = server.kernel_process(kernel_id)
            try:
                return proc.memory_info().rss / MB if proc is not None else None
            except psutil.Error:
                return None

        MEMORY_OF = memory_of
        expected_pool = pool_size(room)
        base_pool = pool_size(0)
        fill_wait = server.wait_preheated(expected_pool, timeout=1800)
        print(f"{n} trainees, arrival within {args.arrival:g} s, think time {args.think:g} s; SAMSYN_ROOM_SIZE={room}: "
              f"{expected_pool} preheated kernels, ready {fill_wait:.0f} s after start; "
              f"load average now {', '.join(f'{x:.1f}' for x in os.getloadavg())}")

        async def unloaded() -> float:
            http = AsyncHTTPClient()
            page = Page(server.url, http, {}, "10.41.0.1")
            tti = await page.open(f"/voila/render/case.ipynb?case=assi&lang=sv&code={solo.personal_code}",
                                  fetch_assets=True, ready=case_ready)
            await page.leave()
            return tti

        solo_tti = asyncio.run(unloaded())
        # the unloaded page used one kernel of the room: with room sizing it is not replaced (samsyn/rooms.py)
        server.wait_preheated(expected_pool - (1 if room > 2 else 0), timeout=600)
        sampler = Sampler(server)
        sampler.begin()

        async def room_flow() -> float:
            task = asyncio.ensure_future(sampler.run())
            started = time.perf_counter()
            try:
                await asyncio.gather(*(trainee_flow(server.url, t, i * args.arrival / n, args.think)
                                       for i, t in enumerate(trainees)))
            finally:
                sampler.stop = True
                await task
            return time.perf_counter() - started

        elapsed = asyncio.run(room_flow())
        sampler.sample()
        cpu = sampler.used()
        live_end = len(server.kernels())
        time.sleep(args.after)
        live_after = len(server.kernels())
        preheated_after = server.preheated()

        stored: dict[int, datetime] = {}
        with engine_for(server.database_url).connect() as conn:
            for pid, submitted in conn.execute(text("SELECT participant_id, submitted_at FROM answers")):
                if isinstance(submitted, str):
                    submitted = datetime.fromisoformat(submitted)
                if submitted.tzinfo is None:
                    submitted = submitted.replace(tzinfo=timezone.utc)
                stored[pid] = submitted
        log = server.log_path.read_text(errors="replace")
        if args.keep_log:
            import shutil

            shutil.copy(server.log_path, args.keep_log)
    finally:
        if server is not None:
            server.stop()
        remove(tmp)

    ids = {t.participant_id for t in trainees}
    answers = sum(1 for pid in stored if pid in ids)
    to_store = [(stored[t.participant_id] - t.clicked_utc).total_seconds()
                for t in trainees if t.clicked_utc is not None and t.participant_id in stored]
    feedback = [t.feedback_s for t in trainees if t.feedback_s is not None]
    print(f"the room took {elapsed:.0f} s from the first arrival until the last trainee left")
    print(f"unloaded case page (one trainee alone, same server): time to interactive {solo_tti:.2f} s")
    print(f"{'figure (seconds)':<44} {'p50':>7} {'p95':>7} {'max':>7} {'n':>4}  {'p95 ÷ unloaded':>14}")
    for page in ("start", "case", "start again", "second case"):
        values = [t.tti[page] for t in trainees if page in t.tti]
        label = f"time to interactive: {page} page" if "case" not in page else f"time to interactive: {page}"
        if values:
            print(f"{label:<44} {percentile(values, 50):7.2f} {percentile(values, 95):7.2f} {max(values):7.2f} "
                  f"{len(values):4d}  {percentile(values, 95) / solo_tti:14.2f}")
    for label, values in (("time to stored answer (click → row)", to_store),
                          ("time to feedback (click → widgets)", feedback)):
        if values:
            print(f"{label:<44} {percentile(values, 50):7.2f} {percentile(values, 95):7.2f} {max(values):7.2f} {len(values):4d}")
    print(f"answers stored: {answers} of {n}")
    for label, values in (("before feedback", [t.rss_before for t in trainees if t.rss_before]),
                          ("after feedback", [t.rss_after for t in trainees if t.rss_after])):
        if values:
            print(f"case page kernel RSS {label}: median {percentile(values, 50):.1f} MB, max {max(values):.1f} MB "
                  f"(n = {len(values)})")
    print(f"peak memory, Voila + all kernels (sum of PSS): {sampler.peak_pss / 1024:.2f} GB; peak kernels: "
          f"{sampler.peak_kernels}")
    me = psutil.Process().cpu_times()
    print(f"CPU seconds of this benchmark's own process (the simulated trainees and the sampler), whole run: "
          f"{me.user + me.system:.0f}")
    print(f"CPU seconds during the room: Voila {cpu.get('voila', 0):.0f}, kernels {cpu.get('kernels', 0):.0f} "
          f"(server per trainee {(cpu.get('voila', 0) + cpu.get('kernels', 0)) / n:.1f} s; 2 CPUs give "
          f"{2 * elapsed:.0f} in {elapsed:.0f} s)")
    print(f"live kernels when the last trainee left: {live_end}; {args.after:.0f} s later: {live_after}, of which "
          f"{preheated_after} preheated (pool size {base_pool} + unused room kernels); page kernels left: "
          f"{live_after - preheated_after}")
    refused = log.count("403 POST /voila/api/shutdown")
    culled = log.count("Samsyn: culling")
    print(f"pages that said goodbye: {log.count('Samsyn: a page was left')}; refused goodbyes: {refused}; "
          f"culled: {culled}")
    print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    errors = [f"trainee {t.index + 1}: {t.error}" for t in trainees if t.error]
    for line in errors[:10]:
        print("  error:", line)
    case_p95 = percentile([t.tti["case"] for t in trainees if "case" in t.tti], 95) if all(
        "case" in t.tti for t in trainees) else float("inf")
    verdict = lambda ok: "met" if ok else "MISSED"  # noqa: E731
    print(f"target: {n} of {n} answers stored: {answers} — {verdict(answers == n)}")
    rss_all = [v for t in trainees for v in (t.rss_before, t.rss_after) if v]
    if rss_all:
        print(f"target: ≤ 90 MB RSS per case-page kernel, before and after feedback: max {max(rss_all):.1f} MB — "
              f"{verdict(max(rss_all) <= 90)}")
    print(f"target: p95 time to interactive (case page) ≤ 10 s: {case_p95:.1f} s — {verdict(case_p95 <= 10)}")
    print(f"target: peak memory ≤ 4 GB: {sampler.peak_pss / 1024:.2f} GB — {verdict(sampler.peak_pss <= 4096)}")
    print(f"target: kernels back to the pool size ≤ 60 s after the trainees leave: {live_after - preheated_after} "
          f"page kernels left — {verdict(live_after == preheated_after and args.after <= 60)}")


if __name__ == "__main__":
    main()
