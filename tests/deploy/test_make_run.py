"""`make run` serves on SAMSYN_PORT (it used to pass --port 8866 whatever the environment said)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_listens_on_samsyn_port(tmp_path):
    port = free_port()
    venv = Path(sys.prefix)
    (tmp_path / "voila").mkdir()  # no preheated kernels: only the port matters here
    (tmp_path / "voila" / "voila.json").write_text(json.dumps(
        {"VoilaKernelManager": {"kernel_pools_config": {"default": {"pool_size": 0}}}}))
    env = {**os.environ, "SAMSYN_PORT": str(port), "SAMSYN_DATA_DIR": str(tmp_path / "data"),
           "SAMSYN_VOILA_CONFIG_DIR": str(tmp_path / "voila"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    env.pop("SAMSYN_DATABASE_URL", None)
    # This virtualenv is set up already: make must not reinstall it (-o: take it as it is).
    command = ["make", "-s", f"VENV={venv}", "-o", f"{venv}/.installed", "-o", f"{venv}/bin/python", "run"]
    with (tmp_path / "make.log").open("w") as log:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.3)
            else:
                raise AssertionError(f"make run did not listen on {port}:\n{(tmp_path / 'make.log').read_text()}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/")
            response = conn.getresponse()
            assert response.status == 302 and response.getheader("Location") == "/voila/render/start.ipynb"
            conn.close()
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(30)
    assert f"open http://127.0.0.1:{port}/" in (tmp_path / "make.log").read_text()
