"""The billing section's settings become the core's penalty and restriction rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from core.accounts import Category
from core.balance import PenaltyRules, bill_due_date
from core.restriction import RestrictionRules
from energobot.settings import SettingsError, load_settings
from energobot.wiring import dialog_config, penalty_rules, restriction_rules

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("ENERGOBOT_"):
            monkeypatch.delenv(name)


def test_the_shipped_settings_are_the_cores_defaults() -> None:
    settings = load_settings(ROOT / "config.yaml")
    assert penalty_rules(settings.billing) == PenaltyRules()
    assert restriction_rules(settings.billing) == RestrictionRules()
    assert dialog_config(settings).penalties == PenaltyRules()


def test_the_file_and_the_environment_change_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "billing:\n"
        "  due_day: 20\n"
        "  due_day_from:\n"
        "  restriction:\n"
        "    norm_kwh: {urban_gas: 120, urban_electric: 150, rural: 210.5}\n"
        "    notice_days: 30\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ENERGOBOT_BILLING__RESTRICTION__RECONNECTION_CAP_RUB", "4500")
    billing = load_settings(config).billing
    penalties = penalty_rules(billing)
    assert (penalties.due_day, penalties.due_day_from) == (20, None)
    restriction = restriction_rules(billing)
    assert restriction.norm_kwh == {
        Category.URBAN_GAS: Decimal(120),
        Category.URBAN_ELECTRIC: Decimal(150),
        Category.RURAL: Decimal("210.5"),
    }
    assert (restriction.notice_days, restriction.reconnection_cap) == (30, Decimal(4500))
    assert (restriction.norm_months, restriction.supply_back_days) == (2, 2)


@pytest.mark.parametrize(
    ("yaml", "named"),
    [
        ("billing:\n  due_day: 31\n", "billing.due_day"),
        (
            "billing:\n  restriction:\n    norm_kwh: {urban_gas: 130, rural: 190}\n",
            "urban_electric",
        ),
        (
            "billing:\n  restriction:\n    norm_kwh: {urban_gas: 0, urban_electric: 1, rural: 1}\n",
            "above 0",
        ),
        ("billing:\n  restriction:\n    norm_kwh: {town: 130}\n", "billing.restriction.norm_kwh"),
    ],
)
def test_invalid_values_are_named(tmp_path: Path, yaml: str, named: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(yaml, encoding="utf-8")
    with pytest.raises(SettingsError, match=named):
        load_settings(config)


def test_the_rules_a_dialog_would_get_count_bills_from_the_configured_day(
    tmp_path: Path,
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("billing:\n  due_day: 25\n", encoding="utf-8")
    rules = penalty_rules(load_settings(config).billing)
    assert bill_due_date("2026-11", rules) == date(2026, 12, 25)
    assert bill_due_date("2026-01", rules) == date(2026, 2, 10)  # before 1 Mar 2026
