"""Where a kiosk's settings come from: the main file, drop-ins, and a separate secrets file.

`kiosk.toml` is read first, then every `kiosk.toml.d/*.toml` in name order (a fleet tool
pushes one file such as `50-branch.toml`), then `secrets.toml` beside the main file. Tables
merge key by key, later files winning; a list (including `[[scanner]]`) is replaced whole.
The secrets file may hold only secrets and should be readable by the service user alone.
"""

from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config.table import ConfigError

SECRETS_FILE = "secrets.toml"
# (table, key) of every setting that is a secret: masked by `kiosk config show`, allowed in secrets.toml.
SECRET_KEYS = frozenset({("sip2", "password"), ("sip2", "terminal_password"), ("email", "password"),
                         ("monitoring", "heartbeat_token")})


@dataclass(frozen=True)
class ConfigDocument:
    """The merged settings, the files they came from, and warnings about those files."""

    data: dict[str, Any]
    files: tuple[str, ...]
    warnings: tuple[str, ...]
    origins: dict[tuple[str, str], str]  # (table, key) -> the file that set it last

    def origin_of(self, message: str) -> str:
        """The file that set the key an error message starts with ("sip2.port: ..."), else the main file."""
        match = re.match(r"(\w+)(?:\[\d+\])?\.(\w+)", message)
        if not match:
            return self.files[0]
        if (match[1], match[2]) in self.origins:
            return self.origins[match[1], match[2]]
        # A key nobody set (a required one): blame the last file that touched its table.
        touched = [file for (table, _), file in self.origins.items() if table == match[1]]
        return max(touched, key=self.files.index, default=self.files[0])


def drop_in_folder(path: Path) -> Path:
    """`/etc/library-kiosk/kiosk.toml` -> `/etc/library-kiosk/kiosk.toml.d`."""
    return path.with_name(path.name + ".d")


def read_document(path: str | Path) -> ConfigDocument:
    """Read the main file, its drop-ins and the secrets file; raise ConfigError naming the file."""
    path = Path(path)
    data: dict[str, Any] = {}
    origins: dict[tuple[str, str], str] = {}
    warnings: list[str] = []
    files = [path, *sorted(drop_in_folder(path).glob("*.toml"))]
    for file in files:
        layer = _read_toml(file)
        _merge(data, layer, origins, str(file))
        warnings += _exposed_secrets(file, layer)
    secrets = path.with_name(SECRETS_FILE)
    if secrets.exists():
        layer = _read_toml(secrets)
        _check_only_secrets(secrets, layer)
        _merge(data, layer, origins, str(secrets))
        warnings += _readable_by_others(secrets)
        files.append(secrets)
    return ConfigDocument(data, tuple(str(f) for f in files), tuple(warnings), origins)


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        with file.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such configuration file (see config/kiosk.example.toml)") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(_not_utf8(file, exc)) from None


def _not_utf8(file: Path, exc: UnicodeDecodeError) -> str:
    """Where a file that is not UTF-8 goes wrong, and how to convert it."""
    line = exc.object[:exc.start].count(b"\n") + 1
    return (f"{file}, line {line}: byte 0x{exc.object[exc.start]:02x} is not UTF-8; TOML files must be "
            f"saved as UTF-8 (a Latin-1 file converts with: iconv -f latin1 -t utf-8 {file.name} "
            f"> {file.name}.new && mv {file.name}.new {file.name})")


def _merge(into: dict[str, Any], layer: dict[str, Any], origins: dict[tuple[str, str], str], file: str) -> None:
    for name, value in layer.items():
        if isinstance(value, dict) and isinstance(into.get(name), dict):
            into[name] = {**into[name], **value}
        else:
            into[name] = value
        if isinstance(value, dict):
            origins.update({(name, key): file for key in value})
        elif isinstance(value, list):
            origins.update({(name, key): file for table in value if isinstance(table, dict) for key in table})


def _check_only_secrets(file: Path, layer: dict[str, Any]) -> None:
    for name, table in layer.items():
        keys = table.keys() if isinstance(table, dict) else [""]
        for key in keys:
            if (name, key) not in SECRET_KEYS:
                allowed = ", ".join(f"{t}.{k}" for t, k in sorted(SECRET_KEYS))
                raise ConfigError(f"{file}: {name}.{key} is not a secret; put it in kiosk.toml "
                                  f"(the secrets file holds only {allowed})")


def _readable_by_others(file: Path) -> list[str]:
    mode = file.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [f"{file} is readable by group or others (mode {stat.S_IMODE(mode):04o}): "
                f"chmod 600 {file} and chown it to the kiosk's service user"]
    return []


def _exposed_secrets(file: Path, layer: dict[str, Any]) -> list[str]:
    try:
        world_readable = bool(file.stat().st_mode & stat.S_IROTH)
    except OSError:
        return []
    return [f"{file}: {t}.{k} is a secret in a file everyone can read; move it to {SECRETS_FILE}"
            for t, k in sorted(SECRET_KEYS)
            if world_readable and isinstance(layer.get(t), dict) and layer[t].get(k)]
