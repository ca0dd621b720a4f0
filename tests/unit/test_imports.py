"""The core stays platform-free: importing or running it loads no chat or HTTP library."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.conftest import NetworkAttempt

REPO = Path(__file__).resolve().parents[2]
PLATFORM_LIBRARIES = "{'discord', 'telegram', 'aiohttp', 'httpx'}"
CORE_MODULES = (
    "bot", "bot.model", "bot.text", "bot.matching", "bot.answering", "bot.content",
    "bot.validation", "bot.evaluation", "bot.service", "bot.__main__",
    "adapters.console.chat", "adapters.console.render",
)


def loaded_platform_modules(code: str) -> str:
    """Run `code` in a fresh interpreter, then print which platform modules it loaded."""
    probe = (f"{code}\nimport sys\n"
             f"print(sorted(m for m in sys.modules if m.split('.')[0] in {PLATFORM_LIBRARIES}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_import_bot_loads_no_platform_library() -> None:
    """`import bot` and the core modules (answering, service, __main__ ...) load no platform lib."""
    assert loaded_platform_modules(f"import {', '.join(CORE_MODULES)}") == "[]"


def test_ask_command_loads_no_platform_library() -> None:
    """Answering a question from the command line loads no platform library either."""
    code = ("import io\nfrom bot.__main__ import main\n"
            "assert main(['ask', 'Qui est Liang Wenfeng ?', '--json'], out=io.StringIO()) == 0")
    assert loaded_platform_modules(code) == "[]"


def test_probe_would_see_a_platform_library() -> None:
    """The probe itself works: importing aiohttp is reported (so the tests above can fail)."""
    assert "aiohttp" in loaded_platform_modules("import aiohttp")


def test_network_guard_refuses_connections(no_network: list[object]) -> None:
    """The autouse guard turns a connection attempt into an error that OSError handlers miss."""
    with pytest.raises(NetworkAttempt):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    assert no_network == [("192.0.2.1", 80)]
    no_network.clear()  # expected here; any other test that connects fails at teardown
