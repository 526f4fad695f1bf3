"""`sourcekeeper.toml`: the settings a team repeats on every command, in one file.

    archive = "/srv/sk/archive"                       # the archive folder (--archive)
    db = "postgresql+psycopg://sk@db/sourcekeeper"    # the index (--db)
    store = "s3://warcs/sourcekeeper"                 # ARCHIVE_STORE_URI (--store)
    notify = ["mailto://user:pass@example.org"]       # recheck's alerts (--notify), Apprise URLs
    [settings]                                        # any Scrapy or archive setting, as with -s
    DOWNLOAD_DELAY = 2
    CONCURRENT_REQUESTS_PER_DOMAIN = 1

Where it is read (docs/unattended-operation.md): `--config FILE` alone when given; else
`sourcekeeper.toml` in the working directory, then the one in the archive folder, whose values
win over it. Every command option and `-s NAME=VALUE` wins over every file. Lowest first, a value comes from:
Scrapy's defaults, the archive's defaults (archive_store/crawl/default_settings.py), the project
(settings.py), the working directory's file, the archive folder's file (or --config FILE), the
command line. An unknown key is an error (exit 2) that names the key and the closest known one.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_NAME = "sourcekeeper.toml"
DEFAULT_ARCHIVE = Path("archive")  # the --archive default: `is` tells a default from a choice
SETTINGS_TABLE = "settings"
# top-level keys that stand for a command option (argparse dest) when the command has it
OPTION_KEYS = {"archive": "archive", "db": "db", "frontier": "frontier"}
# top-level keys that are shorthand for a setting (as the command options of the same name are)
SETTING_KEYS = {
    "store": "ARCHIVE_STORE_URI",
    "s3_endpoint": "ARCHIVE_S3_ENDPOINT",
    "tsa": "ARCHIVE_TSA_URL",
    "tsa_ca": "ARCHIVE_TSA_CA",
    "operator": "ARCHIVE_OPERATOR",
    "render": "ARCHIVE_RENDER",
    "proxy": "ARCHIVE_PROXY",
    "proxy_fallback": "ARCHIVE_PROXY_FALLBACK",
    "allow_private": "ARCHIVE_ALLOW_PRIVATE",
    "user_agent": "USER_AGENT",
}
# `notify = ["mailto://…", "json://host/path"]`: where `recheck` sends its alerts (Apprise URLs)
NOTIFY_KEY = "notify"
# read by components (scrapy-redis) without a default anywhere we can list
_EXTRA_SETTINGS = ("REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_PARAMS")


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the key or line."""


@dataclass
class ConfigLayer:
    """One file's values: options (archive, db, frontier) and settings (NAME -> text)."""

    label: str
    path: Path
    options: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)


def known_settings() -> set[str]:
    """Every setting name Scrapy, the archive or the project gives a default to."""
    import scrapy.settings.default_settings as scrapy_defaults  # noqa: PLC0415

    import archive_store.crawl.default_settings as archive_defaults  # noqa: PLC0415

    modules: list[Any] = [scrapy_defaults, archive_defaults]
    try:
        import settings as project  # noqa: PLC0415 (the checkout's settings.py)

        modules.append(project)
    except ImportError:
        pass
    return {name for module in modules for name in dir(module) if name.isupper()} | set(_EXTRA_SETTINGS)


def closest_setting(name: str, known: set[str] | None = None) -> str | None:
    """The known setting name closest to `name` (difflib; case does not count), or None."""
    names = sorted(known if known is not None else known_settings())
    close = difflib.get_close_matches(name.upper(), names, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_setting_names(names: list[str]) -> list[str]:
    """One message per name that is neither a Scrapy setting nor ours ("unknown setting X; did you
    mean Y?"), in the order given."""
    known = known_settings()
    problems = []
    for name in dict.fromkeys(names):
        if name in known:
            continue
        close = closest_setting(name, known)
        hint = f"; did you mean {close}?" if close else " (see docs/settings.md and Scrapy's settings)"
        problems.append(f"unknown setting {name}{hint}")
    return problems


def _unknown(key: str, known: set[str] | list[str], where: str) -> ConfigError:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ConfigError(f"{where}: unknown key {key!r}{hint}")


def as_setting_text(value: Any) -> str:
    """A TOML value as `-s` would give it: lists comma-joined, tables as JSON (Scrapy reads both)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_layer(path: Path, label: str, *, in_archive: bool = False) -> ConfigLayer:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    layer = ConfigLayer(label, path)
    top_known = [*OPTION_KEYS, *SETTING_KEYS, SETTINGS_TABLE, NOTIFY_KEY]
    for key, value in data.items():
        if key == SETTINGS_TABLE and isinstance(value, dict):
            layer.settings.update(_settings_table(path, value))
        elif key == NOTIFY_KEY and isinstance(value, list) and all(isinstance(v, str) for v in value):
            layer.options[NOTIFY_KEY] = list(value)  # never shown: the URLs may hold secrets
        elif key in OPTION_KEYS and not isinstance(value, dict | list):
            if key == "archive" and in_archive:
                raise ConfigError(f"{path}: 'archive' cannot be set inside the archive folder itself")
            # a relative folder is relative to the file that names it, not to where cron runs
            layer.options[key] = str(path.parent / Path(value).expanduser()) if key == "archive" else value
        elif key in SETTING_KEYS and not isinstance(value, dict):
            layer.settings[SETTING_KEYS[key]] = as_setting_text(value)
        elif key in top_known:
            raise ConfigError(f"{path}: {key!r} has the wrong type ({type(value).__name__})")
        elif key in known_settings():
            raise ConfigError(f"{path}: {key} is a setting: {_where_it_belongs(key, value)}")
        elif key.isupper() and (close := closest_setting(key)) is not None:
            raise ConfigError(
                f"{path}: unknown key {key!r}; did you mean the setting {close}? "
                f"{_where_it_belongs(close, value).capitalize()}"
            )
        else:
            raise _unknown(key, top_known, str(path))
    return layer


def _where_it_belongs(name: str, value: Any) -> str:
    """Where a setting name used as a top-level key belongs: `[settings]`, or its short key."""
    where = f"put it under [{SETTINGS_TABLE}]"
    short = next((key for key, setting in SETTING_KEYS.items() if setting == name), None)
    if short is None:
        return where
    shown = json.dumps(value, ensure_ascii=False) if isinstance(value, bool | int | float | str) else "..."
    return f"{where}, or use {short} = {shown}"


def _settings_table(path: Path, table: dict[str, Any]) -> dict[str, str]:
    known = known_settings()
    found = {}
    for name, value in table.items():
        if name not in known:
            raise _unknown(name, known, f"{path} [{SETTINGS_TABLE}]")
        found[name] = as_setting_text(value)
    return found


def find_layers(config: Path | None, archive: Path | None, cwd: Path | None = None) -> list[ConfigLayer]:
    """The files that apply, lowest first (see the module docstring)."""
    if config is not None:
        if not config.is_file():
            raise ConfigError(f"--config: no such file: {config}")
        return [read_layer(config, f"--config {config}")]
    cwd = cwd or Path.cwd()
    layers = []
    here = cwd / CONFIG_NAME
    if here.is_file():
        layers.append(read_layer(here, f"{here}"))
    if archive is None:
        archive_given = None
    elif archive is DEFAULT_ARCHIVE and layers and "archive" in layers[0].options:
        archive_given = Path(str(layers[0].options["archive"]))
    else:
        archive_given = archive
    if archive_given is not None:
        inside = (
            (cwd / archive_given / CONFIG_NAME)
            if not archive_given.is_absolute()
            else archive_given / CONFIG_NAME
        )
        if inside.is_file() and (not here.is_file() or not os.path.samefile(inside, here)):
            layers.append(read_layer(inside, f"{inside}", in_archive=True))
    return layers


def apply_layers(args: Any, layers: list[ConfigLayer]) -> None:
    """Fill what the command line left open: options still at their default, and settings under
    the command's own -s (which come later in the list, so they win)."""
    options: dict[str, Any] = {}
    settings: dict[str, str] = {}
    for layer in layers:
        options.update(layer.options)
        settings.update(layer.settings)
    if "archive" in options and getattr(args, "archive", None) is DEFAULT_ARCHIVE:
        args.archive = Path(str(options["archive"]))
    for key in ("db", "frontier"):
        if key in options and hasattr(args, key) and getattr(args, key) is None:
            setattr(args, key, str(options[key]))
    if NOTIFY_KEY in options and hasattr(args, NOTIFY_KEY) and not getattr(args, NOTIFY_KEY):
        setattr(args, NOTIFY_KEY, list(options[NOTIFY_KEY]))
    if hasattr(args, "settings"):
        args.settings = [*settings.items(), *args.settings]


def load_config(args: Any) -> list[ConfigLayer]:
    """Read the config files for this command line and fill `args` from them; the layers read
    and what the command line itself gave are kept on `args` for `sourcekeeper config`."""
    args.cli_options = {key: getattr(args, key, None) for key in OPTION_KEYS}
    args.cli_options["archive"] = None if args.cli_options["archive"] is DEFAULT_ARCHIVE else args.archive
    args.cli_settings = list(getattr(args, "settings", []))
    layers = find_layers(getattr(args, "config", None), getattr(args, "archive", None))
    apply_layers(args, layers)
    args.config_layers = layers
    return layers


@dataclass(frozen=True)
class Effective:
    name: str
    value: Any
    source: str


def effective_settings(args: Any, *, everything: bool = False) -> list[Effective]:
    """Each option and setting as the command would use it, and where the value came from."""
    import scrapy.settings.default_settings as scrapy_defaults  # noqa: PLC0415

    import archive_store.crawl.default_settings as archive_defaults  # noqa: PLC0415

    layers: list[ConfigLayer] = getattr(args, "config_layers", [])
    rows = [_option(args, key, layers) for key in OPTION_KEYS]
    sources: list[tuple[str, dict[str, Any]]] = []
    if everything:
        sources.append(("Scrapy default", _upper(scrapy_defaults)))
    sources.append(("archive default (archive_store/crawl/default_settings.py)", _upper(archive_defaults)))
    try:
        import settings as project  # noqa: PLC0415

        sources.append(("project (settings.py)", _upper(project)))
    except ImportError:
        pass
    sources += [(layer.label, layer.settings) for layer in layers]
    sources.append(("command line", dict(getattr(args, "cli_settings", []))))
    found: dict[str, Effective] = {}
    for label, values in sources:
        for name, value in values.items():
            found[name] = Effective(name, value, label)
    return rows + [found[name] for name in sorted(found)]


def _upper(module: Any) -> dict[str, Any]:
    return {name: getattr(module, name) for name in dir(module) if name.isupper()}


def _option(args: Any, key: str, layers: list[ConfigLayer]) -> Effective:
    given = getattr(args, "cli_options", {}).get(key)
    if given is not None:
        return Effective(key, str(given), "command line")
    for layer in reversed(layers):
        if key in layer.options:
            return Effective(key, str(layer.options[key]), layer.label)
    value = getattr(args, key, None)
    if key == "frontier" and value:
        return Effective(key, value, "environment")
    return Effective(key, None if value is None else str(value), "default")
