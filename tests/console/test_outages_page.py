"""Supervisors enter outages with a preview of whom they reach, cancel them, and say the power is
back."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestServer

from console.context import CONSOLE
from core.notices import OutageRecord
from energobot.settings import NoticeSettings, Settings
from outbox.notices.keys import outage_key
from storage.database import Database
from tests.console.conftest import Browser, audit_actions, make_settings
from tests.console.notice_seeds import login_as, seed_links

ZONE = ZoneInfo("Asia/Yekaterinburg")  # the company's, as config.yaml's default
LINKS = [
    # (user, account, address): who is linked to what
    ("u1", "5900000001", "Пермский край, г. Пермь, ул. Ленина, д. 10, кв. 5"),  # 1-15
    ("u1", "5900000002", "г. Пермь, ул. Ленина, д. 12а, кв. 7"),  # 2-20 чётные, same customer
    ("u2", "5900000003", "г Пермь ул Ленина 17"),  # 17
    ("u3", "5900000004", "г. Пермь, ул. Ленина, д. 19, кв. 1"),  # not listed
    ("u4", "5900000005", "г. Пермь, ул. Ленинская, д. 3"),  # another street
    ("u5", "5900000006", "Пермский р-н, с. Лобаново, ул. Ленина, д. 5"),  # another settlement
    ("u6", "5900000007", "г. Пермь, Ленина, 14"),  # 2-20 чётные
]


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The notice scheduler off: nothing but the console touches the outages."""
    return make_settings(database_url).model_copy(update={"notices": NoticeSettings(enabled=False)})


@pytest.fixture
async def boss(database: Database, browser_factory: Any) -> Browser:
    return await login_as(database, browser_factory, "boss", "supervisor")


@pytest.fixture
def woken(server: TestServer) -> list[str]:
    """Each time the console woke the notice scheduler."""
    calls: list[str] = []
    server.app[CONSOLE].wake_notices = lambda: calls.append("wake")
    return calls


def local(day: datetime, hour: int) -> str:
    """A datetime-local field's value in the company's zone."""
    return day.astimezone(ZONE).replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def tomorrow() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)


def form(**changes: str) -> dict[str, str]:
    values = {
        "settlement": "г. Пермь",
        "street": "ул. Ленина",
        "houses": "1-15, 17, 2-20 чётные",
        "starts_at": local(tomorrow(), 9),
        "ends_at": local(tomorrow(), 17),
        "kind": "planned",
        "reason": "ремонт линии",
    }
    values.update(changes)
    return values


def token(page: str) -> str:
    found = re.search(r'name="preview" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def shown(page: str, name: str) -> str:
    found = re.search(rf'data-test="{name}" data-count="(\d+)"', page)
    assert found, name
    return found.group(1)


async def stored(database: Database) -> list[OutageRecord]:
    async with database.unit_of_work() as store:
        return await store.outages.recent(10)


async def add_outage(database: Database, starts: datetime, ends: datetime, houses: str) -> int:
    values = {
        "settlement": "г. Пермь",
        "street": "ул. Мира",
        "houses": houses,
        "starts_at": starts,
        "ends_at": ends,
        "kind": "emergency",
        "reason": "авария на подстанции",
    }
    async with database.unit_of_work() as store:
        outage_id, _ = await store.outages.add(houses, values, starts)
        await store.commit()
    return outage_id


async def test_preview_shows_whom_it_reaches_and_stores_nothing(
    database: Database, boss: Browser, woken: list[str]
) -> None:
    await seed_links(database, LINKS)
    response = await boss.get("/console/outages")
    assert response.status == 200 and 'data-test="create"' not in boss.page
    assert 'aria-current="page"' in boss.page and 'data-test="nav-outages"' in boss.page

    response = await boss.post("/console/outages/preview", form())
    assert response.status == 200, boss.page
    assert 'data-test="preview-result"' in boss.page
    # Accounts 10, 12а, 17 and 14: three customers (u1 has two of them), four accounts.
    assert shown(boss.page, "reach-customers") == "3"
    assert shown(boss.page, "reach-accounts") == "4"
    assert "3 клиента" in boss.page and "4 лицевых счёта" in boss.page
    addresses = re.findall(
        r'data-test="reach-address"><span class="hint">([^<]*)</span> ([^<]*)<', boss.page
    )
    assert addresses == [
        ("•••••••0001", "Пермский край, г. Пермь, ул. Ленина, д. 10"),
        ("•••••••0002", "г. Пермь, ул. Ленина, д. 12а"),
        ("•••••••0003", "г Пермь ул Ленина 17"),
        ("•••••••0007", "г. Пермь, Ленина, 14"),
    ]
    assert "5900000001" not in boss.page and "кв. 5" not in boss.page
    # The form keeps what was typed; now it can be created.
    assert 'value="1-15, 17, 2-20 чётные"' in boss.page and 'data-test="create"' in boss.page
    assert await stored(database) == [] and woken == []


async def test_preview_then_create_and_notify(
    database: Database, boss: Browser, woken: list[str]
) -> None:
    await seed_links(database, LINKS[:1])
    values = form()
    await boss.post("/console/outages/preview", values)
    response = await boss.post("/console/outages", {**values, "preview": token(boss.page)})
    assert response.status == 200 and response.url.path == "/console/outages"
    assert 'data-test="notice"' in boss.page and "Отключение внесено" in boss.page
    assert woken == ["wake"]

    (outage,) = await stored(database)
    day = tomorrow().astimezone(ZONE)
    starts = datetime(day.year, day.month, day.day, 9, tzinfo=ZONE)
    assert outage.starts_at == starts and outage.starts_at.utcoffset() == timedelta(0)
    assert outage.ends_at == starts + timedelta(hours=8)
    assert (outage.settlement, outage.street, outage.houses) == (
        "г. Пермь",
        "ул. Ленина",
        "1-15, 17, 2-20 чётные",
    )
    assert (outage.kind, outage.reason, outage.created_by) == ("planned", "ремонт линии", "boss")
    assert outage.key == outage_key(
        "г. Пермь", "ул. Ленина", "1-15, 17, 2-20 чётные", outage.starts_at, "planned"
    )

    found = re.search(r'<tr data-test="outage-row".*?</tr>', boss.page, re.S)
    assert found
    html = found.group(0)
    assert f'data-outage-id="{outage.id}"' in html and 'data-state="planned"' in html
    assert "г. Пермь, ул. Ленина, дома 1-15, 17, 2-20 чётные" in html
    assert "09:00 — 17:00" in html and "плановое" in html and "ремонт линии" in html
    assert "запланировано" in html and "boss" in html
    assert 'data-test="outage-cancel"' in html and 'data-test="outage-restore"' not in html

    # The same outage again adds nothing and tells no one twice.
    await boss.post("/console/outages/preview", values)
    response = await boss.post("/console/outages", {**values, "preview": token(boss.page)})
    assert response.status == 200 and "уже внесено" in boss.page
    assert len(await stored(database)) == 1 and woken == ["wake"]

    actions = [
        (who, action, details)
        for who, action, details in await audit_actions(database)
        if action.startswith("console.outage")
    ]
    assert actions == [
        (
            "operator:boss",
            "console.outage_create",
            {
                "outage_id": outage.id,
                "settlement": "г. Пермь",
                "street": "ул. Ленина",
                "houses": "1-15, 17, 2-20 чётные",
                "starts_at": outage.starts_at.isoformat(),
                "ends_at": outage.ends_at.isoformat(),
                "kind": "planned",
            },
        )
    ]


async def test_creating_needs_a_preview_of_the_same_values(
    database: Database, boss: Browser, woken: list[str]
) -> None:
    await seed_links(database, LINKS)
    await boss.get("/console/outages")
    # Straight to «create»: the preview is shown instead.
    response = await boss.post("/console/outages", form())
    assert response.status == 200 and 'data-test="preview-result"' in boss.page
    assert "Сначала проверьте" in boss.page
    # Previewed, then changed: previewed again.
    await boss.post("/console/outages/preview", form())
    previewed = token(boss.page)
    response = await boss.post("/console/outages", {**form(houses="17"), "preview": previewed})
    assert response.status == 200 and "Сначала проверьте" in boss.page
    assert shown(boss.page, "reach-accounts") == "1"
    assert await stored(database) == [] and woken == []
    # A forged preview is no preview.
    response = await boss.post("/console/outages", {**form(), "preview": "0" * 64})
    assert "Сначала проверьте" in boss.page and await stored(database) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"houses": "1-15, абв"}, "Не удалось разобрать дома: «абв»"),
        ({"houses": "20-2"}, "Не удалось разобрать дома: «20-2»"),
        ({"street": "  "}, "Укажите улицу."),
        ({"settlement": ""}, "Укажите населённый пункт."),
        ({"ends_at": local(tomorrow(), 8)}, "Окончание должно быть позже начала."),
        ({"starts_at": "завтра"}, "Укажите дату и время начала."),
        (
            {
                "starts_at": local(tomorrow() - timedelta(days=3), 9),
                "ends_at": local(tomorrow() - timedelta(days=3), 17),
            },
            "Окончание уже прошло",
        ),
        ({"kind": "scheduled"}, "Выберите вид отключения"),
        ({"settlement": "г."}, "Укажите населённый пункт."),
        ({"houses": "1-15, " + "7" * 400}, "Поле «Дома» слишком длинное: не больше 400 символов."),
    ],
)
async def test_a_form_that_cannot_be_read_is_shown_again_with_why(
    database: Database,
    boss: Browser,
    woken: list[str],
    changes: dict[str, str],
    message: str,
) -> None:
    await boss.get("/console/outages")
    for path in ("/console/outages/preview", "/console/outages"):
        response = await boss.post(path, {**form(**changes), "preview": "x"})
        assert response.status == 400, (path, boss.page)
        error = re.search(r'data-test="error"[^>]*>([^<]*)<', boss.page)
        assert error and message in error.group(1), boss.page
        assert 'data-test="preview-result"' not in boss.page
        assert 'value="ремонт линии"' in boss.page  # what was typed is kept
    assert await stored(database) == [] and woken == []


async def test_cancel_and_power_back(database: Database, boss: Browser, woken: list[str]) -> None:
    now = datetime.now(UTC)
    under_way = await add_outage(database, now - timedelta(hours=1), now + timedelta(hours=3), "1")
    planned = await add_outage(
        database, now + timedelta(days=2), now + timedelta(days=2, hours=4), "2"
    )
    over = await add_outage(database, now - timedelta(days=2), now - timedelta(days=1), "3")
    await boss.get("/console/outages")

    def state(outage_id: int) -> str:
        found = re.search(
            rf'data-test="outage-row" data-outage-id="{outage_id}" data-state="([a-z]+)"',
            boss.page,
        )
        assert found, outage_id
        return found.group(1)

    assert (state(under_way), state(planned), state(over)) == ("active", "planned", "restored")
    # The power can come back only where it was cut off; what is over stays as it was.
    response = await boss.post(f"/console/outages/{planned}/restore")
    assert response.status == 409 and "запланировано" in boss.page
    response = await boss.post(f"/console/outages/{over}/cancel")
    assert response.status == 409
    assert woken == []

    response = await boss.post(f"/console/outages/{under_way}/restore")
    assert response.status == 200 and "Отмечено, что свет дали" in boss.page
    assert state(under_way) == "restored"
    response = await boss.post(f"/console/outages/{planned}/cancel")
    assert response.status == 200 and "Отключение отменено" in boss.page
    assert state(planned) == "cancelled"
    assert woken == ["wake", "wake"]
    response = await boss.post(f"/console/outages/{planned}/cancel")
    assert response.status == 409 and 'data-test="error"' in boss.page
    assert (await boss.post("/console/outages/999/restore")).status == 404

    records = {o.id: o for o in await stored(database)}
    assert records[under_way].restored_at is not None and records[under_way].cancelled_at is None
    assert records[planned].cancelled_at is not None
    actions = [
        (action, details["outage_id"])
        for _, action, details in await audit_actions(database)
        if action.startswith("console.outage") and details
    ]
    assert actions == [("console.outage_restore", under_way), ("console.outage_cancel", planned)]


async def test_operators_may_not_enter_outages(
    database: Database, anna: Browser, boss: Browser, woken: list[str]
) -> None:
    now = datetime.now(UTC)
    outage_id = await add_outage(database, now - timedelta(hours=1), now + timedelta(hours=3), "1")
    response = await anna.get("/console/outages")
    assert response.status == 403 and "ул. Мира" not in anna.page
    await anna.get("/console/queue")
    for path in ("/console/outages/preview", "/console/outages"):
        response = await anna.post(path, form())
        assert response.status == 403 and "preview-result" not in anna.page
    for action in ("cancel", "restore"):
        response = await anna.post(f"/console/outages/{outage_id}/{action}")
        assert response.status == 403
    await boss.get("/console/outages")
    response = await boss.post("/console/outages/preview", form(), token=False)
    assert response.status == 403
    response = await boss.post(f"/console/outages/{outage_id}/restore", token=False)
    assert response.status == 403
    assert [o.id for o in await stored(database)] == [outage_id]
    assert (await stored(database))[0].restored_at is None and woken == []
