"""What every command needs: settings, the database, migrations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from energobot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:  # SQLAlchemy is imported by the commands that open a database
    from storage.database import Database


@dataclass
class CliContext:
    config_path: str | None
    _settings: Settings | None = field(default=None, init=False)

    @property
    def settings(self) -> Settings:
        """Loaded once; an invalid setting stops the command with a message naming it."""
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path)
            except SettingsError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings


async def open_database(settings: Settings, *, migrate: bool) -> Database:
    """Connect (and bring the schema up to date unless told not to)."""
    from storage.database import Database
    from storage.migrate import upgrade

    if migrate:
        await upgrade(settings.database.url)
    return Database(
        settings.database.url, echo=settings.database.echo, pool_size=settings.database.pool_size
    )


pass_cli = click.make_pass_decorator(CliContext)
