"""The payments section: its secret only from the environment, errors that say what is wrong,
and the routes the app mounts with provider yookassa."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from energobot.app import create_app
from energobot.payment_wiring import yookassa_client
from energobot.settings import Settings, SettingsError, load_settings
from storage.database import Database
from tests.fakes.yookassa.server import SECRET_KEY, SHOP_ID, FakeYookassa


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ENERGOBOT_"):
            monkeypatch.delenv(name)


def write(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "c.yaml"
    config.write_text(text, "utf-8")
    return config


def test_the_secret_key_is_refused_in_the_file(tmp_path: Path) -> None:
    config = write(tmp_path, "payments:\n  yookassa:\n    secret_key: live_abc\n")
    with pytest.raises(SettingsError, match="ENERGOBOT_PAYMENTS__YOOKASSA__SECRET_KEY"):
        load_settings(config)


def test_yookassa_needs_its_shop_key_and_the_service_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path, "payments:\n  provider: yookassa\n")
    with pytest.raises(SettingsError, match="ENERGOBOT_PAYMENTS__YOOKASSA__SHOP_ID"):
        load_settings(config)
    config = write(tmp_path, "payments:\n  provider: yookassa\n  yookassa:\n    shop_id: '1'\n")
    with pytest.raises(SettingsError, match="ENERGOBOT_PAYMENTS__YOOKASSA__SECRET_KEY"):
        load_settings(config)
    monkeypatch.setenv("ENERGOBOT_PAYMENTS__YOOKASSA__SECRET_KEY", "test_key")
    with pytest.raises(SettingsError, match="ENERGOBOT_CONSOLE__SESSION_KEY"):
        load_settings(config)
    monkeypatch.setenv("ENERGOBOT_CONSOLE__SESSION_KEY", "s" * 32)
    settings = load_settings(config)
    assert settings.payments.yookassa.secret_key.get_secret_value() == "test_key"


@pytest.mark.parametrize(
    ("section", "said"),
    [
        ("  methods: [sbp, cash]\n", "payment methods must be some of sbp, bank_card"),
        ("  min_amount: '1.005'\n", "more than two decimals"),
        ("  min_amount: '500'\n  max_amount: '100'\n", "min_amount 500 is above max_amount"),
        ("  yookassa:\n    api_url: api.yookassa.ru\n", "must be an http(s) URL"),
        ("  yookassa:\n    trusted_networks: [185.71.76.0/33]\n", "not an IP address"),
        ("  yookassa:\n    receipt_vat_code: 13\n", "must be at most 12; the value given is 13"),
        ("  provider: stripe\n", "payments.provider"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, section: str, said: str) -> None:
    with pytest.raises(SettingsError, match=said.replace("(", r"\(").replace(")", r"\)")):
        load_settings(write(tmp_path, "payments:\n" + section))


async def test_the_app_mounts_the_payment_routes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    fake_yookassa: FakeYookassa,
) -> None:
    monkeypatch.setenv("ENERGOBOT_PAYMENTS__YOOKASSA__SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("ENERGOBOT_CONSOLE__SESSION_KEY", "s" * 32)
    config = write(
        tmp_path,
        f"database:\n  url: {database_url}\n"
        "payments:\n  provider: yookassa\n"
        f"  yookassa:\n    shop_id: '{SHOP_ID}'\n    api_url: {fake_yookassa.base_url}\n"
        "    trusted_networks: [185.71.76.0/27]\n    receipt_vat_code: 1\n",
    )
    settings = load_settings(config)
    assert yookassa_client(settings).config.receipt_vat_code == 1  # type: ignore[union-attr]
    database = Database(database_url)
    async with TestClient(TestServer(create_app(settings, database))) as client:
        forged = await client.get("/pay/abc.def", allow_redirects=False)
        assert forged.status == 404 and "Ссылка не найдена" in await forged.text()
        # Not from YooKassa's networks: refused before anything is read.
        outsider = await client.post("/webhooks/yookassa", json={"type": "notification"})
        assert outsider.status == 403
        assert fake_yookassa.gets == 0


async def test_no_payment_routes_with_the_template_link(database_url: str) -> None:
    settings = Settings(database={"url": database_url})
    async with TestClient(TestServer(create_app(settings, Database(database_url)))) as client:
        assert (await client.get("/pay/abc.def")).status == 404
        assert (await client.post("/webhooks/yookassa", json={})).status in (404, 405)
