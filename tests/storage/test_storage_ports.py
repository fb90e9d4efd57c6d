"""SqlStore offers every port of core.ports with compatible signatures."""

from __future__ import annotations

import inspect
import typing

import pytest

from core import ports
from storage.database import Database
from storage.store import OutboxRecord, SqlStore


def _port_methods(port: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(port).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def _properties(protocol: type) -> dict[str, object]:
    """The read-only members a Protocol declares (as properties), with their types."""
    return {
        name: typing.get_type_hints(member.fget, vars(ports))["return"]
        for name, member in vars(protocol).items()
        if isinstance(member, property)
    }


def _store_ports() -> dict[str, type]:
    hints = _properties(ports.Store)
    return {name: hint for name, hint in hints.items() if isinstance(hint, type)}


def test_store_declares_the_ports_we_check() -> None:
    assert len(_store_ports()) == 28


@pytest.mark.parametrize("attribute", sorted(_store_ports()))
async def test_each_port_is_implemented(db: Database, attribute: str) -> None:
    port = _store_ports()[attribute]
    async with db.unit_of_work() as store:
        repo = getattr(store, attribute)
        for name, expected in _port_methods(port).items():
            method = getattr(repo, name)
            assert inspect.iscoroutinefunction(method), f"{attribute}.{name} must be async"
            actual = inspect.signature(method)
            wanted = [p for p in expected.parameters.values() if p.name != "self"]
            given = list(actual.parameters.values())
            for want, have in zip(wanted, given, strict=False):
                assert (want.name, want.kind, want.default) == (have.name, have.kind, have.default)
            assert len(given) >= len(wanted), f"{attribute}.{name} lacks parameters"
            for extra in given[len(wanted) :]:
                assert extra.default is not inspect.Parameter.empty, (
                    f"{attribute}.{name}: extra parameter {extra.name} needs a default"
                )


def test_store_methods() -> None:
    for name in _port_methods(ports.Store):
        if name == "savepoint":  # an async context manager, not a coroutine
            continue
        assert inspect.iscoroutinefunction(getattr(SqlStore, name))


async def test_a_savepoint_undoes_only_its_own_writes(db: Database) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    async with db.unit_of_work() as store:
        await store.inbox.add("t", "kept", {}, now)
        with pytest.raises(RuntimeError):
            async with store.savepoint():
                await store.inbox.add("t", "undone", {}, now)
                raise RuntimeError("the turn failed")
        await store.commit()
    async with db.unit_of_work() as store:
        assert not await store.inbox.add("t", "kept", {}, now)  # a duplicate: it was kept
        assert await store.inbox.add("t", "undone", {}, now)  # new: it was undone


def test_outbox_record_has_the_row_fields() -> None:
    fields = set(OutboxRecord.__dataclass_fields__)
    wanted = set(_properties(ports.OutboxRow))
    assert wanted and wanted <= fields
