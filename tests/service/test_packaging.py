"""What a non-editable install ships: every data file the code loads at run time."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def shipped(package: str) -> set[Path]:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "package-data"
    ][package]
    return {path for pattern in patterns for path in (ROOT / package).glob(pattern)}


def test_every_catalog_demo_file_and_migration_is_package_data() -> None:
    needed = {
        "bots": set((ROOT / "bots" / "webchat").glob("static/*"))
        | set((ROOT / "bots" / "webchat").glob("templates/*"))
        | set((ROOT / "bots").glob("*/locales/*.yaml")),
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


def _locked(name: str) -> dict[str, tuple[str, int]]:
    """What a lock file pins: name → (version, how many hashes)."""
    text = (ROOT / name).read_text("utf-8")
    pins: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[a-z0-9])", text):
        pin = re.match(r"([A-Za-z0-9._-]+)==(\S+)", block)
        if pin:
            pins[canonicalize_name(pin.group(1))] = (pin.group(2), block.count("--hash=sha256:"))
    return pins


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))]
)
def test_the_lock_files_pin_every_dependency_with_hashes_within_its_floor(
    lock: str, extras: tuple[str, ...]
) -> None:
    """make run/make test install from the lock files (--require-hashes): they must hold what
    pyproject.toml asks for, at versions its floors (those above known CVEs) allow."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in project["optional-dependencies"][extra]]
    pins = _locked(lock)
    assert all(hashes for _, hashes in pins.values()), lock
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, (lock, name)
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (
            lock,
            name,
            pins[name][0],
        )
