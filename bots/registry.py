"""Every channel plug-in there is: each `bots/<name>/plugin.py` exporting `PLUGIN`.

Found by looking, not by a list: a new channel is its own package and nothing here changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

import bots
from bots.plugin import Plugin


@cache
def plugins() -> tuple[Plugin[Any], ...]:
    """The plug-ins by name, in name order (settings sections, commands, mounting)."""
    found: list[Plugin[Any]] = []
    for module in sorted(pkgutil.iter_modules(bots.__path__), key=lambda m: m.name):
        if not module.ispkg:
            continue
        try:
            declared = importlib.import_module(f"bots.{module.name}.plugin")
        except ModuleNotFoundError as exc:
            if exc.name != f"bots.{module.name}.plugin":
                raise  # the plug-in itself failed to import: say so, do not hide the channel
            continue
        plugin = getattr(declared, "PLUGIN", None)
        if not isinstance(plugin, Plugin):
            raise TypeError(f"bots/{module.name}/plugin.py must export PLUGIN, a Plugin")
        if plugin.name != module.name:
            raise TypeError(f"bots/{module.name}: PLUGIN.name is {plugin.name!r}")
        unknown = set(plugin.secrets) - set(plugin.settings_model.model_fields)
        if unknown:
            raise TypeError(f"bots/{module.name}: secrets that are no settings: {sorted(unknown)}")
        found.append(plugin)
    return tuple(found)


def plugin(name: str) -> Plugin[Any]:
    for each in plugins():
        if each.name == name:
            return each
    raise KeyError(name)


def names() -> tuple[str, ...]:
    return tuple(p.name for p in plugins())
