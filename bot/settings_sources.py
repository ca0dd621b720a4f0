"""Where raw setting values come from: the environment first, then the YAML file of BOT_CONFIG.

Both are parsed with the `OPTIONS` of `bot.settings_fields`; every bad value, unknown file key
or unreadable file becomes a line in `problems`, so `bot.config` can report them all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.settings_fields import OPTIONS, Option


def read_yaml(path: Path, problems: list[str]) -> dict[str, Any]:
    """The YAML config file flattened to dotted keys ("limits.rate_limit": 10)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        problems.append(f"BOT_CONFIG={path}: cannot read the file ({exc.strerror})")
        return {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problems.append(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path}: the config file must be a mapping of settings")
        return {}
    return _flatten(data)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def collect(environ: Mapping[str, str], file_values: dict[str, Any], problems: list[str]
             ) -> tuple[dict[str, Any], list[str]]:
    """Parse each option from env (first) or file; bad values and unknown names become problems."""
    values: dict[str, Any] = {}
    known_keys = {o.key for o in OPTIONS}
    for key in sorted(set(file_values) - known_keys):
        problems.append(f"config file: unknown setting '{key}' (known: see config.example.yaml)")
    for option in OPTIONS:
        raw, origin = _raw(option, environ, file_values)
        if raw is None:
            values[option.key] = option.default
            continue
        try:
            values[option.key] = option.parse(raw)
        except ValueError as exc:
            shown = "***" if option.secret else repr(raw)
            problems.append(f"{origin}={shown}: {exc}")
            values[option.key] = option.default  # so bot.config's cross-checks still run
    known_env = {o.env for o in OPTIONS} | {"BOT_CONFIG"}
    warnings = [f"unknown environment variable {name} (ignored)" for name in sorted(environ)
                if name.startswith(("BOT_", "TELEGRAM_", "DISCORD_")) and name not in known_env]
    return values, warnings


def _raw(option: Option, environ: Mapping[str, str], file_values: dict[str, Any]
         ) -> tuple[object, str]:
    value = environ.get(option.env)
    if value is not None and value.strip() != "":
        return value.strip(), option.env
    if option.key in file_values and file_values[option.key] is not None:
        return file_values[option.key], f"config file '{option.key}'"
    return None, option.env
