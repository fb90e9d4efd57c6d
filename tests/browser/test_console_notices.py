"""A supervisor in a real Chromium: previews an outage, creates it and sees it listed, then
pauses a notice campaign."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.support import PASSWORD, Server, new_context

ZONE = ZoneInfo("Asia/Yekaterinburg")  # config.yaml's company.timezone

# Two customers with demo accounts on a ул. Ленина — one in Пермь (house 64), one in Чайковский
# — and a reminders campaign with two notices queued. Channel «nowhere» is served by no
# sender: the notices stay queued whatever the background jobs do.
SEED_SCRIPT = """
import asyncio, json, sys
from datetime import UTC, datetime
from core.notices import NoticeDraft
from storage.database import Database

async def main():
    database = Database(sys.argv[1])
    now = datetime.now(UTC)
    async with database.unit_of_work() as store:
        drafts = []
        for user_id, number in (("b-1", "5901000001"), ("b-2", "5901000015")):
            customer = await store.customers.get_or_create("nowhere", user_id, "", "ru", now)
            conversation = await store.conversations.get_for_update(customer, now)
            await store.accounts.link(customer.id, number, "test", now)
            drafts.append(NoticeDraft(
                f"browser:{number}", conversation.id, "nowhere", user_id, number,
                {"account": number, "period": "2026-01"},
            ))
        campaign = await store.campaigns.ensure(
            "browser:reading_reminder:2026-01", "reading_reminder", "2026-01", now
        )
        await store.notices.queue(campaign.id, "reading_reminder", 2, drafts, now)
        await store.campaigns.produced(campaign.id, now)
        await store.commit()
    await database.dispose()
    print(json.dumps({"campaign": campaign.id}))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def seeded(server: Server) -> int:
    """The operators exist (tests/browser/support.OPERATORS) and the data above is in: the
    campaign's id."""
    server.operators_added()
    result = subprocess.run(
        [sys.executable, "-c", SEED_SCRIPT, server.env["ENERGOBOT_DATABASE__URL"]],
        capture_output=True,
        text=True,
        env=server.env,
        cwd=server.workdir,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return int(json.loads(result.stdout)["campaign"])


def local(day: datetime, hour: int) -> str:
    return day.astimezone(ZONE).replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def test_a_supervisor_previews_and_creates_an_outage_then_pauses_a_campaign(
    browser: Browser, server: Server, seeded: int
) -> None:
    context = new_context(browser, server)
    try:
        page = context.new_page()
        page.goto("/console/login")
        login = page.locator("form#login")
        login.locator("input[name=login]").fill("sveta")
        login.locator("input[name=password]").fill(PASSWORD)
        login.locator("[data-test=login-submit]").click()
        expect(page.locator("[data-test=whoami]")).to_contain_text("Светлана")

        page.locator("[data-test=nav-outages]").click()
        expect(page).to_have_url(re.compile(r"/console/outages$"))
        form = page.locator("form#outage")
        expect(form.locator("[data-test=create]")).to_have_count(0)
        day = datetime.now(UTC) + timedelta(days=2)
        form.locator("input[name=settlement]").fill("г. Пермь")
        form.locator("input[name=street]").fill("ул. Ленина")
        form.locator("input[name=houses]").fill("60-70 чётные")
        form.locator("input[name=starts_at]").fill(local(day, 9))
        form.locator("input[name=ends_at]").fill(local(day, 17))
        form.locator("select[name=kind]").select_option("planned")
        form.locator("input[name=reason]").fill("замена опор")
        form.locator("[data-test=preview]").click()

        # Only the Пермь customer's house 64 is reached, its flat and account number hidden.
        result = page.locator("[data-test=preview-result]")
        expect(result).to_be_visible()
        expect(result.locator("[data-test=reach-customers]")).to_have_attribute("data-count", "1")
        expect(result.locator("[data-test=reach-accounts]")).to_have_attribute("data-count", "1")
        addresses = result.locator("[data-test=reach-address]")
        expect(addresses).to_have_count(1)
        expect(addresses.first).to_contain_text("г. Пермь, ул. Ленина, д. 64")
        expect(addresses.first).not_to_contain_text("кв. 17")
        expect(addresses.first).not_to_contain_text("5901000001")
        expect(page.locator("form#outage input[name=houses]")).to_have_value("60-70 чётные")

        page.locator("form#outage [data-test=create]").click()
        expect(page.locator("[data-test=notice]")).to_contain_text("Отключение внесено")
        row = page.locator("[data-test=outage-row]", has_text="60-70 чётные")
        expect(row).to_have_count(1)
        expect(row).to_have_attribute("data-state", "planned")
        expect(row.locator("[data-test=outage-place]")).to_contain_text("г. Пермь, ул. Ленина")
        expect(row.locator("[data-test=outage-time]")).to_contain_text("09:00 — 17:00")
        expect(row.locator("[data-test=outage-reason]")).to_have_text("замена опор")
        expect(row.locator("[data-test=outage-cancel]")).to_be_visible()

        page.locator("[data-test=nav-campaigns]").click()
        campaign = page.locator(f"[data-test=campaign-row][data-campaign-id='{seeded}']")
        expect(campaign).to_have_attribute("data-status", "running")
        expect(campaign.locator("[data-test=campaign-title]")).to_have_text(
            "Напоминание о показаниях — 2026-01"
        )
        expect(campaign.locator("[data-test=queued]")).to_have_text("2")
        campaign.locator("[data-test=pause]").click()
        expect(page.locator("[data-test=notice]")).to_contain_text("приостановлена")
        campaign = page.locator(f"[data-test=campaign-row][data-campaign-id='{seeded}']")
        expect(campaign).to_have_attribute("data-status", "paused")
        expect(campaign.locator("[data-test=resume]")).to_be_visible()
    finally:
        context.close()
