"""Page kernels forked from one warmed-up process: shared memory, no import cost per kernel.

Every page has its own kernel, and every kernel would import the same ~60 MB
of Python (ipykernel, IPython, ipywidgets, SQLAlchemy, pydantic, Samsyn) and
spend about a CPU-second doing it. Instead the server starts one *zygote*
process that imports all of that once, freezes it for the garbage collector
(``gc.freeze()``, so collections do not touch — and un-share — those pages),
and forks a kernel whenever Voila asks for one. A forked kernel shares the
zygote's pages until it writes to them: measured, a case page's kernel keeps
about half its memory shared (``benchmarks/pages.py`` prints RSS, USS and PSS),
and starting one costs a fork instead of the imports.

Jupyter starts kernels through a *kernel provisioner*; :class:`ForkProvisioner`
is jupyter_client's ``LocalProvisioner`` with one change: a kernel whose
command is the standard ``python -m ipykernel_launcher …`` is forked from the
zygote (same interpreter, same arguments, the kernel's own environment and
working directory, its own session and process group) instead of being
started by ``subprocess``. Anything else — or a zygote that is not available —
falls back to the ordinary launch. The zygote is a child of the server; it
reaps its kernels and exits when the server closes its pipe.

``SAMSYN_FORK_KERNELS=0`` turns this off (every kernel a fresh process).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import threading
from typing import Any

from jupyter_client.provisioning.local_provisioner import LocalProvisioner

#: Imported once in the zygote, before any kernel is forked: what the pages import.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython.core.interactiveshell",
    "IPython.core.completer", "ipywidgets", "comm", "zmq", "tornado.ioloop", "jupyter_client.session",
    "websockets.sync.client", "sqlalchemy.orm", "sqlalchemy.dialects.sqlite", "pydantic", "yaml",
    "samsyn.config", "samsyn.i18n", "samsyn.preheat", "samsyn.charts", "cases", "cases.loader", "store",
    "store.repository", "store.models", "widgets.common", "widgets.identity", "widgets.start_page",
    "widgets.case_page", "widgets.answer_form", "widgets.trainee", "widgets.feedback_view", "widgets.progress_view",
    "widgets.mentor_page", "widgets.manager_page", "feedback", "feedback.model", "feedback.progress",
    "feedback.workshop", "scoring.plain", "insight.access", "setproctitle",
    # issue 12: the request challenge, errors kept on the server, attempt throttle, pseudonym rules. Not the
    # look-alike tables of confusable_homoglyphs (~6 MB): preloaded they would count in every kernel's RSS
    # (a case page's 84 → 90 MB, measured with benchmarks/load.py); only a start page that checks a new
    # pseudonym loads them, and it lets its kernel go when the trainee moves on.
    "samsyn.query_auth", "samsyn.hub", "samsyn.serverlog", "widgets.errors", "widgets.hub_workshops",
    "store.throttle", "store.pseudonym",
    # What every kernel otherwise imports while it starts (measured with py-spy in benchmarks/load.py): the
    # debugger ipykernel makes for every kernel (debugpy, ~80 ms a kernel), IPython's history database,
    # pdb, completer and inspector, the extension IPython loads, and psutil (the kernel's network
    # interfaces at start, its children at shutdown). Every kernel held them already: shared instead.
    "ipykernel.debugger", "IPython.core.debugger", "IPython.core.completerlib", "IPython.core.oinspect",
    "IPython.extensions.storemagic", "sqlite3", "psutil",
)


def enabled(environ=None) -> bool:
    from samsyn.config import Settings

    return Settings.from_env(environ).fork_kernels


# -- the zygote (its own process) -----------------------------------------------------------
def _reap(_signum=None, _frame=None) -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _run_kernel(request: dict) -> None:
    """In the forked child: become the kernel ``request`` describes (never returns)."""
    code = 0
    try:
        os.setsid()
        # ps, the benchmarks and the tests see the command line a launched kernel has (set before the
        # environment changes: setproctitle finds argv's memory through it)
        try:
            from setproctitle import setproctitle

            setproctitle(" ".join([sys.executable, "-m", "ipykernel_launcher", *request["args"]]))
        except ImportError:  # pragma: no cover - a declared dependency
            pass
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(request["env"])
        if request.get("cwd"):
            os.chdir(request["cwd"])
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(2, 1)  # the zygote's stderr is the server's log, as a launched kernel's would be
        sys.argv = [sys.executable, *request["args"]]
        from ipykernel.kernelapp import IPKernelApp

        # as for a launched kernel (JPY_PARENT_PID): no console banner, and exit if the parent goes
        app = IPKernelApp.instance()
        app.initialize([*request["args"], f"--IPKernelApp.parent_handle={os.getppid()}"])
        # ipywidgets registers its comm targets when it is imported inside a kernel; here it was
        # imported before there was one, so register them with this kernel now
        import ipywidgets

        ipywidgets.register_comm_target()
        app.start()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001 - report, then leave
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def preload_library() -> None:
    """Read the case library once here, so that a forked kernel's ``load_library`` finds it in its cache.

    Every page notebook starts with ``load_library(settings().cases_dir)``; reading and validating the
    shipped cases (YAML with the safe loader, pydantic) costs ~0.55 CPU-seconds, once per kernel, and a
    room of 40 starts ~80 kernels. The cache is keyed by the folder's listing and every file's modification
    time and size (``cases/loader.py``), so a kernel forked after a case was published, or one whose
    settings name another folder or local variables file, reads the folder itself as before. A library
    that cannot be read here is read (and reported) by the kernel instead."""
    try:
        from cases import load_library
        from samsyn.config import settings

        load_library(settings().cases_dir)
    except Exception as exc:  # noqa: BLE001 - the kernel reads it and reports the problem on its page
        print(f"samsyn forkserver: case library not preloaded: {exc}", file=sys.stderr)


def warm() -> None:
    """What the zygote does once before it forks anything: the imports, the catalogs, the case library."""
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a module that cannot load here loads in the kernel instead
            print(f"samsyn forkserver: not preloaded: {name}: {exc}", file=sys.stderr)
    from samsyn.i18n import catalog

    for lang in ("sv", "en"):
        catalog(lang)
    try:  # the store's ORM mappers, configured once rather than at every kernel's first query
        from store import configure_orm

        configure_orm()
    except Exception as exc:  # noqa: BLE001 - a kernel configures them at its first query, and reports
        print(f"samsyn forkserver: mappers not configured: {exc}", file=sys.stderr)
    preload_library()


def zygote_main() -> None:
    """Read one JSON request per line on stdin, fork a kernel for it, answer with its pid."""
    warm()
    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl-C is for the server
    out = sys.stdout
    out.write(json.dumps({"ready": os.getpid()}) + "\n")
    out.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        pid = os.fork()
        if pid == 0:
            _run_kernel(request)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


# -- the server's side ------------------------------------------------------------------------
class Zygote:
    """The server's handle on its zygote (started on first use; one per server process)."""

    _instance: "Zygote | None" = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "samsyn.forkserver"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        ready = self.proc.stdout.readline()
        if not ready or "ready" not in json.loads(ready):
            raise RuntimeError("the kernel fork server did not start")
        self.request_lock = threading.Lock()

    @classmethod
    def get(cls) -> "Zygote":
        with cls._lock:
            if cls._instance is None or cls._instance.proc.poll() is not None:
                cls._instance = Zygote()
            return cls._instance

    def spawn(self, args: list[str], env: dict[str, str], cwd: str | None) -> int:
        with self.request_lock:
            self.proc.stdin.write(json.dumps({"args": args, "env": env, "cwd": cwd}) + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError("the kernel fork server has gone")
        return int(json.loads(answer)["pid"])


class ForkedProcess:
    """What ``LocalProvisioner`` needs of a ``Popen``, for a kernel that is the zygote's child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
                with open(f"/proc/{self.pid}/stat", "rb") as fh:  # a zombie the zygote has not reaped yet
                    if fh.read().split(b")")[-1].split()[0] == b"Z":
                        self.returncode = 0
            except (ProcessLookupError, FileNotFoundError):
                self.returncode = 0
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.05)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        """As ``Popen.send_signal``: nothing happens to a kernel that has already exited (a forked kernel that
        failed to bind its ports exits at once; the restarter then interrupts it before starting it again)."""
        if self.poll() is not None:
            return
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            self.returncode = 0

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _kernel_args(cmd: list[str]) -> list[str] | None:
    """The arguments of a standard ipykernel command line, or None if it is anything else."""
    if len(cmd) >= 3 and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable) and cmd[1:3] == [
            "-m", "ipykernel_launcher"]:
        return list(cmd[3:])
    return None


def _ephemeral_ports() -> tuple[int, int] | None:
    """The system's range of ports for outgoing connections (Linux), or None."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as fh:
            low, high = (int(x) for x in fh.read().split()[:2])
    except (OSError, ValueError):
        return None
    return low, high


def kernel_ports(ip: str, count: int = 5, used: set[int] | frozenset = frozenset()) -> list[int] | None:
    """``count`` free TCP ports on ``ip`` below the system's ephemeral range, or None (then Jupyter picks).

    Jupyter picks a kernel's five ports by binding port 0, i.e. from the range the system also gives
    every outgoing connection; the port is free again until the kernel binds it. In a room, Voila opens
    five connections to every new kernel and the browsers (or ``benchmarks/load.py``) hundreds more, so one
    of them can take a chosen port first: the kernel dies at ``bind`` ("Address already in use"), its
    restarts reuse the same cached ports, and the page that had it answers 500 (seen once in a run of 40,
    ``benchmarks/README.md``). Ports below the ephemeral range are never handed out to connections."""
    import random
    import socket

    ephemeral = _ephemeral_ports()
    if ephemeral is None or ephemeral[0] < 4096:
        return None
    low, high = max(1024, ephemeral[0] // 2), ephemeral[0] - 1
    chosen: list[int] = []
    for _ in range(50 * count):
        port = random.randint(low, high)
        if port in used or port in chosen:
            continue
        probe = socket.socket()
        try:
            probe.bind((ip, port))
        except OSError:
            continue
        finally:
            probe.close()
        chosen.append(port)
        if len(chosen) == count:
            return chosen
    return None


class ForkProvisioner(LocalProvisioner):
    """``LocalProvisioner`` that forks standard ipykernel kernels from the zygote (module docstring), on
    ports no outgoing connection can take (:func:`kernel_ports`)."""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        if km is not None and getattr(km, "cache_ports", False) and not self.ports_cached and km.transport == "tcp":
            from jupyter_client.connect import LocalPortCache

            cache = LocalPortCache.instance()
            ports = kernel_ports(km.ip, 5, used=cache.currently_used_ports)
            if ports is not None:
                cache.currently_used_ports.update(ports)  # returned by LocalProvisioner.cleanup, as its own
                km.shell_port, km.iopub_port, km.stdin_port, km.hb_port, km.control_port = ports
                self.ports_cached = True
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        args = _kernel_args(cmd) if enabled() else None
        if args is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = kwargs.get("cwd")
        try:
            pid = Zygote.get().spawn(args, env, str(cwd) if cwd else None)
        except Exception as exc:  # never leave a page without a kernel: start it the ordinary way
            self.log.warning("Samsyn: forking a kernel failed (%s); starting it as a new process", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)
        self.pid = pid
        self.pgid = pid  # the child called setsid()
        import pathlib

        self.cwd = cwd or pathlib.Path.cwd()
        return self.connection_info


if __name__ == "__main__":
    zygote_main()
