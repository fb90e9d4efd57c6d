"""Supervisors see notice campaigns with their progress and pause, resume or cancel them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from energobot.settings import NoticeSettings, Settings
from storage.database import Database
from tests.console.conftest import Browser, audit_actions, make_settings
from tests.console.notice_seeds import login_as, outbox_states, seed_campaign

# queued, sent (no receipt yet), delivered, read ×2, failed, skipped for two reasons
STATES: list[tuple[str, str | None, str | None]] = [
    ("pending", None, None),
    ("pending", None, None),
    ("sent", None, None),
    ("sent", "delivered", None),
    ("sent", "read", None),
    ("sent", "read", None),
    ("failed", None, "blocked"),
    ("skipped", None, "unsubscribed"),
    ("skipped", None, "unsubscribed"),
    ("skipped", None, "paid"),
]


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The notice scheduler off: the campaigns are the ones the tests put in."""
    return make_settings(database_url).model_copy(update={"notices": NoticeSettings(enabled=False)})


@pytest.fixture
async def boss(database: Database, browser_factory: Any) -> Browser:
    return await login_as(database, browser_factory, "boss", "supervisor")


def row(page: str, campaign_id: int) -> str:
    found = re.search(
        rf'<tr data-test="campaign-row" data-campaign-id="{campaign_id}".*?</tr>', page, re.S
    )
    assert found, page
    return found.group(0)


def cell(html: str, name: str) -> str:
    found = re.search(rf'data-test="{name}"[^>]*>(.*?)</td>', html, re.S)
    assert found, name
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


async def test_recent_campaigns_with_their_progress(database: Database, boss: Browser) -> None:
    reminder = await seed_campaign(database, STATES)
    outage_notice = await seed_campaign(
        database, [("pending", None, None)], kind="outage_emergency", subject="7"
    )
    response = await boss.get("/console/campaigns")
    assert response.status == 200
    assert 'data-test="nav-campaigns"' in boss.page and 'aria-current="page"' in boss.page
    # Newest first.
    assert boss.page.index(f'data-campaign-id="{outage_notice.id}"') < boss.page.index(
        f'data-campaign-id="{reminder.id}"'
    )
    html = row(boss.page, reminder.id)
    assert 'data-status="running"' in html and 'data-kind="reading_reminder"' in html
    assert "Напоминание о показаниях — 2026-12" in html
    assert cell(html, "campaign-status") == "идёт"
    counts = {
        name: cell(html, name)
        for name in ("targets", "queued", "sent", "delivered", "read", "failed")
    }
    assert counts == {
        "targets": "10",
        "queued": "2",
        "sent": "1",
        "delivered": "1",
        "read": "2",
        "failed": "1",
    }
    skips = re.findall(
        r'data-test="skip" data-reason="([a-z_]+)">([^<]*): <strong>(\d+)</strong>', html
    )
    assert skips == [("unsubscribed", "клиент отписался", "2"), ("paid", "долг уже оплачен", "1")]
    assert 'data-total="3"' in html
    assert "сформирована" in html
    assert 'data-test="pause"' in html and 'data-test="resume"' not in html
    assert f'href="/console/campaigns/{reminder.id}/cancel" data-test="cancel"' in html
    assert "Аварийное отключение — 7" in row(boss.page, outage_notice.id)


async def test_an_outage_notice_is_named_after_its_place(database: Database, boss: Browser) -> None:
    now = datetime.now(UTC)
    async with database.unit_of_work() as store:
        outage_id, _ = await store.outages.add(
            "k",
            {
                "settlement": "г. Пермь",
                "street": "ул. Ленина",
                "houses": "1-15",
                "starts_at": now,
                "ends_at": now + timedelta(hours=4),
                "kind": "emergency",
                "reason": "",
            },
            now,
        )
        await store.commit()
    campaign = await seed_campaign(
        database,
        [("pending", None, None)],
        kind="outage_emergency",
        subject=str(outage_id),
        outage_id=outage_id,
    )
    await boss.get("/console/campaigns")
    html = row(boss.page, campaign.id)
    assert "Аварийное отключение — г. Пермь, ул. Ленина, 1-15" in html


async def test_pause_resume_and_cancel_after_confirming(database: Database, boss: Browser) -> None:
    campaign = await seed_campaign(database, STATES[:3])
    base = f"/console/campaigns/{campaign.id}"

    response = await boss.post(f"{base}/pause")
    assert response.status == 200 and response.url.path == "/console/campaigns"
    assert 'data-test="notice"' in boss.page and "приостановлена" in boss.page
    html = row(boss.page, campaign.id)
    assert 'data-status="paused"' in html and cell(html, "campaign-status") == "приостановлена"
    assert 'data-test="resume"' in html and 'data-test="pause"' not in html
    # Pausing what is already paused says so and changes nothing.
    response = await boss.post(f"{base}/pause")
    assert response.status == 409 and 'data-test="error"' in boss.page

    response = await boss.post(f"{base}/resume")
    assert response.status == 200
    assert 'data-status="running"' in row(boss.page, campaign.id)

    # Cancelling asks first: neither the link nor a post without the answer changes anything.
    response = await boss.get(f"{base}/cancel")
    assert response.status == 200
    assert f'data-test="cancel-confirmation" data-campaign-id="{campaign.id}"' in boss.page
    assert "Отменить рассылку «Напоминание о показаниях — 2026-12»?" in boss.page
    assert "2 уведомления в очереди не будут отправлены" in boss.page
    response = await boss.post(f"{base}/cancel")
    assert response.status == 200 and 'data-test="cancel-confirmation"' in boss.page
    assert 'data-status="running"' in row(boss.page, campaign.id)
    assert await outbox_states(database, campaign.id) == [
        ("pending", None),
        ("pending", None),
        ("sent", None),
    ]

    response = await boss.post(f"{base}/cancel", {"confirm": "yes"})
    assert response.status == 200 and "Рассылка отменена" in boss.page
    html = row(boss.page, campaign.id)
    assert 'data-status="cancelled"' in html and cell(html, "campaign-status") == "отменена"
    assert not any(f'data-test="{action}"' in html for action in ("pause", "resume", "cancel"))
    assert cell(html, "queued") == "0"
    assert re.search(r'data-reason="cancelled">рассылку отменили: <strong>2</strong>', html)
    # The queued notices were skipped as cancelled; what went out is left as it was.
    assert await outbox_states(database, campaign.id) == [
        ("skipped", "cancelled"),
        ("skipped", "cancelled"),
        ("sent", None),
    ]
    # A cancelled campaign stays so.
    for action in ("resume", "pause"):
        response = await boss.post(f"{base}/{action}")
        assert response.status == 409
    response = await boss.post(f"{base}/cancel", {"confirm": "yes"})
    assert response.status == 409 and 'data-test="error"' in boss.page

    actions = [
        (who, action, details)
        for who, action, details in await audit_actions(database)
        if action.startswith("console.campaign")
    ]
    details = {"campaign_id": campaign.id, "kind": "reading_reminder", "subject": "2026-12"}
    assert actions == [
        ("operator:boss", "console.campaign_pause", {**details, "was": "running"}),
        ("operator:boss", "console.campaign_resume", {**details, "was": "paused"}),
        ("operator:boss", "console.campaign_cancel", {**details, "was": "running"}),
    ]


async def test_missing_campaign_is_404(boss: Browser) -> None:
    assert (await boss.post("/console/campaigns/999/pause")).status == 404
    assert (await boss.get("/console/campaigns/999/cancel")).status == 404
    assert (await boss.post("/console/campaigns/999/cancel", {"confirm": "yes"})).status == 404


async def test_operators_may_not_see_or_change_campaigns(
    database: Database, anna: Browser, boss: Browser
) -> None:
    campaign = await seed_campaign(database, STATES[:2])
    await anna.get("/console/queue")
    assert 'data-test="nav-campaigns"' not in anna.page
    assert 'data-test="nav-outages"' not in anna.page
    response = await anna.get("/console/campaigns")
    assert response.status == 403 and "Напоминание" not in anna.page
    await anna.get("/console/queue")
    for path in ("pause", "resume"):
        response = await anna.post(f"/console/campaigns/{campaign.id}/{path}")
        assert response.status == 403
    response = await anna.post(f"/console/campaigns/{campaign.id}/cancel", {"confirm": "yes"})
    assert response.status == 403
    # A supervisor's post without the CSRF token is refused too.
    response = await boss.post(f"/console/campaigns/{campaign.id}/pause", token=False)
    assert response.status == 403
    await boss.get("/console/campaigns")
    assert 'data-test="nav-campaigns"' in boss.page and 'data-test="nav-outages"' in boss.page
    assert 'data-status="running"' in row(boss.page, campaign.id)
    assert not [a for _, a, _ in await audit_actions(database) if a.startswith("console.campaign")]


async def test_an_admin_manages_campaigns_too(database: Database, browser_factory: Any) -> None:
    root = await login_as(database, browser_factory, "root", "admin")
    campaign = await seed_campaign(database, STATES[:1])
    response = await root.post(f"/console/campaigns/{campaign.id}/pause")
    assert response.status == 200 and 'data-status="paused"' in row(root.page, campaign.id)
