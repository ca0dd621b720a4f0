"""The Docker image's recipe, exercised without a Docker engine.

The test reads the Dockerfile, copies the build context the way its COPY lines do, runs its
install RUN lines (docker/install.sh) into a fresh virtualenv, then runs the image's ENTRYPOINT
with `check` and a one-shot `ask` under the image's ENV. It needs the package registry (pip's
cache makes reruns quick). Static checks cover the rest of the recipe: stages, user, signals,
health check, pins.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"


@dataclass
class Stage:
    """One FROM ... AS name stage, as a list of (instruction, arguments)."""

    name: str
    base: str
    steps: list[tuple[str, str]] = field(default_factory=list)


def parse_dockerfile(path: Path = DOCKERFILE) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, with line continuations joined."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            base, _, name = rest.partition(" AS ")
            stages.append(Stage(name.strip(), base.strip()))
        elif instruction == "ARG" and not stages:
            key, _, value = rest.partition("=")
            args[key] = value
        elif stages:
            stages[-1].steps.append((instruction, rest.strip()))
    return args, stages


def env_of(stage: Stage) -> dict[str, str]:
    """The stage's ENV instructions (KEY=VALUE form)."""
    found: dict[str, str] = {}
    for instruction, rest in stage.steps:
        if instruction == "ENV":
            found.update(item.split("=", 1) for item in shlex.split(rest))
    return found


def test_recipe_shape() -> None:
    """Slim Python 3.11, two stages, non-root user, SIGTERM, health check, `python -m bot run`."""
    args, stages = parse_dockerfile()
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", args["PYTHON_IMAGE"])
    assert [s.name for s in stages] == ["build", "runtime"]
    runtime = dict(stages[1].steps)
    assert runtime["USER"] not in ("root", "0")
    assert runtime["STOPSIGNAL"] == "SIGTERM"
    assert '"python", "-m", "bot", "health"' in runtime["HEALTHCHECK"]
    assert json.loads(runtime["ENTRYPOINT"]) == ["python", "-m", "bot"]
    assert json.loads(runtime["CMD"]) == ["run"]
    assert '"/data"' in runtime["VOLUME"]
    assert any(i == "COPY" and r.startswith("--from=build") for i, r in stages[1].steps)


def test_no_secret_in_any_layer() -> None:
    """No token or secret in ARG/ENV, and .dockerignore keeps .env out of the build context."""
    _, stages = parse_dockerfile()
    for stage in stages:
        for instruction, rest in stage.steps:
            if instruction in ("ARG", "ENV"):
                assert not re.search(r"TOKEN|SECRET|SALT|PASSWORD", rest, re.I), rest
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [r.strip() for r in lines if r.strip() and not r.startswith("#")]
    assert rules[0] == "*"  # deny everything, then allow what the image needs
    assert not any(r.startswith("!") and ".env" in r for r in rules)


def test_requirements_are_pinned_to_the_tested_versions() -> None:
    """Every runtime requirement is pinned with == to the version installed in the dev venv."""
    for path in sorted((REPO / "requirements").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if not line or line.startswith("-r "):
                continue
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line} is not pinned"
            installed = importlib.metadata.version(re.sub(r"\[.*\]", "", name))
            assert installed == version, f"{path.name}: {name} pinned {version}, venv {installed}"


def build_context(stage: Stage, root: Path) -> None:
    """Copy what the stage's COPY lines (without --from) copy, into `root` as the image would."""
    for instruction, rest in stage.steps:
        if instruction != "COPY" or rest.startswith("--from"):
            continue
        *sources, dest = shlex.split(rest)
        for source in sources:
            src = REPO / source.rstrip("/")
            target = root / dest.lstrip("/")
            if src.is_dir():
                shutil.copytree(src, target if dest.endswith("/") else target / src.name,
                                dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                target = target / src.name if dest.endswith("/") else target
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)


def relocate(text: str, root: Path) -> str:
    """Map the image's absolute paths (/opt/venv, /src, /app, /data) under `root`."""
    return re.sub(r"(?<![\w/])/(opt/venv|src|app|data)\b", lambda m: f"{root}/{m.group(1)}", text)


def test_image_recipe_builds_a_working_bot(tmp_path: Path) -> None:
    """The Dockerfile's install steps give a venv where `check` passes and `ask` answers."""
    _, (build, runtime) = parse_dockerfile()
    build_context(build, tmp_path / "src")
    workdir_build = tmp_path / "src"
    for instruction, rest in build.steps:
        if instruction == "RUN":
            command = relocate(re.sub(r"--mount=\S+\s*", "", rest), tmp_path)
            done = subprocess.run(command, shell=True, cwd=workdir_build, capture_output=True,
                                  text=True, timeout=240)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    build_context(runtime, tmp_path)
    env = {k: relocate(v, tmp_path) for k, v in env_of(runtime).items()}
    env["PATH"] = env["PATH"].replace("$PATH", os.environ.get("PATH", ""))
    env |= {"HOME": str(tmp_path), "LANG": "C.UTF-8"}
    entry = json.loads(dict(runtime.steps)["ENTRYPOINT"])
    workdir = tmp_path / dict(runtime.steps)["WORKDIR"].lstrip("/")

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*entry, *argv], cwd=workdir, env=env, capture_output=True,
                              text=True, timeout=60)

    check = run("check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "check: ok" in check.stdout
    ask = run("ask", "Qui est Liang Wenfeng ?", "--json")
    assert ask.returncode == 0, ask.stderr
    assert json.loads(ask.stdout)["id"] == "who-is-liang-wenfeng"
    # The bot came from the venv, not from the repository next door.
    where = subprocess.run([*entry[:1], "-c", "import bot; print(bot.__file__)"], cwd=workdir,
                           env=env, capture_output=True, text=True, timeout=60)
    assert where.stdout.startswith(str(tmp_path / "opt" / "venv")), where.stdout
