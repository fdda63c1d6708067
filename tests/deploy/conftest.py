"""The single-user image of docs/deploy/Dockerfile, built here without Docker.

There is no Docker engine on the test machines, so ``image`` runs the
Dockerfile's own steps: every ``RUN`` command as written, in a fresh virtualenv
per stage (standing in for the base image's Python), with the image's absolute
paths (``/src``, ``/dist``, ``/etc/samsyn``) placed under a temporary root, and
every ``COPY`` done from a copy of this checkout (the files git tracks or
would track: what ``git archive`` sends as the build context). What cannot run
here is listed in ``Image.not_run`` and checked against ``NOT_RUN`` below (and
docs/deploy.md says the same): a new step that cannot run fails the test
instead of being skipped quietly.

The wheel test serves this image's ``samsyn``; the hub test uses it as the
single-user environment behind a real JupyterHub.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import venv
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "docs" / "deploy" / "Dockerfile"
#: The image's absolute paths the Dockerfile uses; each lives under the temporary root here.
IMAGE_PATHS = ("/src", "/dist", "/etc/samsyn")
#: The Dockerfile steps that cannot run on a test machine, and why.
NOT_RUN = {
    "FROM python:3.11-slim AS build": "the base image: this machine's Python 3.11 in a fresh virtualenv instead",
    "FROM python:3.11-slim": "the base image: this machine's Python 3.11 in a fresh virtualenv instead",
    "RUN useradd --create-home --uid 1000 samsyn": "would add a user to this machine; the tests run as the current user",
    "USER samsyn": "the tests run as the current user",
    "WORKDIR /home/samsyn": "the tests work in a temporary folder",
}


def dockerfile_steps(text: str) -> list[tuple[str, str]]:
    """(instruction, arguments) of each step, continuation lines joined, comments dropped."""
    steps, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        instruction, _, args = pending.strip().partition(" ")
        steps.append((instruction.upper(), args.strip()))
        pending = ""
    return steps


def build_context(target: Path) -> Path:
    """The files of this checkout that git tracks or would track (what `git archive` sends)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # a deleted but still tracked file is not in the context
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@dataclass
class Image:
    root: Path  # the image's "/" for the paths in IMAGE_PATHS
    bin: Path  # the final stage's Python environment (what the image runs)
    not_run: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def path(self, image_path: str) -> Path:
        return self.root / image_path.lstrip("/")

    def env(self, **extra: str) -> dict[str, str]:
        """An environment like the image's: its Python first, nothing of the checkout."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMSYN_", "VIRTUAL_ENV", "PYTHON"))}
        env["PATH"] = f"{self.bin}:/usr/local/bin:/usr/bin:/bin"
        return {**env, **extra}


def _rerooted(command: str, root: Path) -> str:
    pattern = "|".join(re.escape(p) for p in IMAGE_PATHS)
    return re.sub(rf"(?<![\w./-])({pattern})(?=[/\s\"']|$)", lambda m: f"{root}{m.group(1)}", command)


def build_image(tmp: Path) -> Image:
    root = tmp / "root"
    root.mkdir(parents=True)
    context = build_context(tmp / "context")
    image = Image(root=root, bin=Path())
    stage = 0
    for instruction, args in dockerfile_steps(DOCKERFILE.read_text()):
        step = f"{instruction} {args}"
        if step in NOT_RUN:
            image.not_run[step] = NOT_RUN[step]
            if instruction == "FROM":  # a new stage: a fresh Python environment
                stage += 1
                env_dir = tmp / f"stage-{stage}"
                venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
                image.bin = env_dir / "bin"
            continue
        if instruction == "COPY":
            words = shlex.split(args)
            from_stage = [w for w in words if w.startswith("--from=")]
            source, dest = [w for w in words if not w.startswith("--")]
            assert dest.startswith(IMAGE_PATHS), f"{step}: copies to a path the test does not place ({dest})"
            target = image.path(dest)
            if from_stage:  # another stage's file: one root here, so it is already in place
                assert source == dest and target.exists(), f"{step}: {source} was not made by an earlier stage"
                continue
            origin = context / source
            target.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_dir():
                shutil.copytree(origin, target, dirs_exist_ok=True)
            else:
                shutil.copy2(origin, target)
            image.log.append(f"{step}: copied")
            continue
        if instruction == "RUN":
            absolute = set(re.findall(r"(?<![\w./-])(/[a-z][\w.-]*)", args))
            unknown = {p for p in absolute if not p.startswith(IMAGE_PATHS)}
            assert not unknown, f"{step}: uses {sorted(unknown)}, which the test does not place (IMAGE_PATHS)"
            command = _rerooted(args, root)
            result = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=tmp, env=image.env(),
                                    capture_output=True, text=True, timeout=1500)
            assert result.returncode == 0, f"{step} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
            image.log.append(f"{step}: ok")
            continue
        raise AssertionError(f"{step}: the test does not know how to run a {instruction} step")
    return image


@pytest.fixture(scope="session")
def image(tmp_path_factory) -> Image:
    """The single-user image, built by the Dockerfile's steps (a few minutes: a fresh install from PyPI)."""
    built = build_image(tmp_path_factory.mktemp("image"))
    assert built.not_run == NOT_RUN, "a Dockerfile step changed: update NOT_RUN and docs/deploy.md"
    return built
