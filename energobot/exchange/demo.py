"""The bundled demo data (energobot/demo/*.csv), imported like any billing file."""

from __future__ import annotations

import asyncio
from importlib.resources import files
from importlib.resources.abc import Traversable

from core.ports import Store
from energobot.exchange.importer import ImportReport, Kind, import_bytes

# Meters and history refer to accounts: accounts first.
DEMO_FILES: tuple[tuple[Kind, str], ...] = (
    (Kind.ACCOUNTS, "accounts.csv"),
    (Kind.METERS, "meters.csv"),
    (Kind.HISTORY, "history.csv"),
    (Kind.TARIFFS, "tariffs.csv"),
)


class DemoDataError(RuntimeError):
    """A bundled demo file does not pass validation: a bug in the package, not in the input."""


def demo_file(name: str) -> Traversable:
    return files("energobot").joinpath("demo", name)


async def import_demo(store: Store) -> list[ImportReport]:
    """Import every demo file through `store` (no commit); raises DemoDataError on errors."""
    reports = []
    for kind, name in DEMO_FILES:
        data = await asyncio.to_thread(demo_file(name).read_bytes)
        report = await import_bytes(store, kind, data, "csv")
        if report.errors:
            shown = "\n".join(str(error) for error in report.errors[:20])
            raise DemoDataError(f"demo/{name} does not validate:\n{shown}")
        reports.append(report)
    return reports


async def load_demo(store: Store) -> bool:
    """Import the demo data into a database without accounts; the caller commits.

    True if loaded; a database that has any accounts (demo or real) is left alone.
    """
    await store.exclusive("demo")  # several processes starting at once load it once
    if await store.accounts.count():
        return False
    await import_demo(store)
    return True
