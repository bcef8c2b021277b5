"""Themes: YAML files validated and registered as Textual themes.

Why YAML files and not Python: users copy a shipped file, change colours, and drop it in
``$XDG_CONFIG_HOME/esnap/themes``; a broken file must give one clear message and never crash
the app (it falls back to the default). The stylesheet only uses theme variables, so every
colour on screen comes from here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from textual.color import Color, ColorParseError
from textual.theme import Theme

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "themes"
DEFAULT_THEME = "esnap-dark"
ANSI_THEME = "esnap-ansi"
# short names users may write in config (``theme: production``)
ALIASES = {
    "dark": "esnap-dark",
    "light": "esnap-light",
    "high-contrast": "esnap-high-contrast",
    "production": "esnap-production",
    "ansi": "esnap-ansi",
}

_COLOR_KEYS = (
    "primary", "secondary", "accent", "warning", "error", "success",
    "foreground", "background", "surface", "panel", "boost",
)
_TOP_KEYS = {"name", "description", "dark", "ansi", "colors", "variables"}


class ThemeError(ValueError):
    """A theme file that cannot be used; str() names the file and the field."""


@dataclass(frozen=True)
class ThemeFile:
    theme: Theme
    description: str
    path: Path


def user_theme_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "esnap" / "themes"


def parse_theme(data: Any, path: Path) -> ThemeFile:
    """Validate one decoded YAML document into a Textual ``Theme``."""
    where = str(path)
    if not isinstance(data, dict):
        raise ThemeError(f"{where}: expected a mapping at the top level")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ThemeError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(f"{where}: name: required, a non-empty string")
    colors = data.get("colors")
    if not isinstance(colors, dict) or "primary" not in colors:
        raise ThemeError(f"{where}: colors: required, a mapping with at least 'primary'")
    for key, value in colors.items():
        if key not in _COLOR_KEYS:
            raise ThemeError(f"{where}: colors.{key}: unknown colour name")
        _check_color(f"{where}: colors.{key}", value)
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise ThemeError(f"{where}: variables: expected a mapping")
    for key, value in variables.items():
        _check_color(f"{where}: variables.{key}", value)
    for flag in ("dark", "ansi"):
        if flag in data and not isinstance(data[flag], bool):
            raise ThemeError(f"{where}: {flag}: expected true or false")
    theme = Theme(
        name=name.strip(),
        dark=data.get("dark", True),
        ansi=data.get("ansi", False),
        variables={str(k): str(v) for k, v in variables.items()},
        **{key: str(value) for key, value in colors.items()},
    )
    return ThemeFile(theme=theme, description=str(data.get("description") or ""), path=path)


def _check_color(where: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ThemeError(f"{where}: expected a colour string, got {type(value).__name__}")
    try:
        Color.parse(value)
    except ColorParseError as error:
        raise ThemeError(f"{where}: not a colour: {value!r}") from error


def load_theme_file(path: Path) -> ThemeFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ThemeError(f"{path}: cannot read: {error}") from error
    return parse_theme(data, path)


def load_themes(*dirs: Path) -> tuple[list[ThemeFile], list[str]]:
    """Every ``*.yaml`` theme in ``dirs`` (later dirs override earlier names) and the problems
    found, one message per bad file."""
    found: dict[str, ThemeFile] = {}
    problems: list[str] = []
    for directory in dirs or (BUILTIN_DIR, user_theme_dir()):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            try:
                theme_file = load_theme_file(path)
            except ThemeError as error:
                problems.append(str(error))
                continue
            found[theme_file.theme.name] = theme_file
    return list(found.values()), problems


def resolve_name(name: str | None) -> str | None:
    """``production`` -> ``esnap-production``; other names pass through."""
    if name is None:
        return None
    return ALIASES.get(name, name)


def no_color_requested() -> bool:
    """NO_COLOR (https://no-color.org) is set: Textual then strips colour, so we switch to the
    ANSI theme whose cues (bold, underline, symbols) survive. Same test as Textual's own."""
    return "NO_COLOR" in os.environ
