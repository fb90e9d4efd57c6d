"""What a non-editable install ships: every data file the code loads at run time."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shipped(package: str) -> set[Path]:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "package-data"
    ][package]
    return {path for pattern in patterns for path in (ROOT / package).glob(pattern)}


def test_every_catalog_demo_file_and_migration_is_package_data() -> None:
    needed = {
        "bots": set((ROOT / "bots" / "webchat").glob("static/*"))
        | set((ROOT / "bots" / "webchat").glob("templates/*")),
        "console": set((ROOT / "console").glob("templates/*.html"))
        | set((ROOT / "console").glob("static/*")),
        "dialogs": set((ROOT / "dialogs" / "locales").rglob("*.yaml")),
        "energobot": set((ROOT / "energobot" / "demo").glob("*.csv")),
        "storage": set((ROOT / "storage" / "migrations").rglob("*.py"))
        | set((ROOT / "storage" / "migrations").glob("*.mako")),
    }
    for package, files in needed.items():
        assert files, package
        assert files <= shipped(package), sorted(map(str, files - shipped(package)))
