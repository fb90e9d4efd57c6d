"""Settings: config.yaml, overridden by ENERGOBOT_<SECTION>__<KEY> environment variables."""

from __future__ import annotations

import os
import re
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from core.accounts import Category
from core.tariffs import ZoneSplit

DEFAULT_CONFIG = Path("config.yaml")


class Section(BaseModel):
    model_config = {"extra": "forbid"}


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_url: str = ""
    max_body_bytes: int = Field(1_048_576, ge=1024)


class DatabaseSettings(Section):
    url: str = "sqlite+aiosqlite:///var/energobot.db"
    echo: bool = False
    pool_size: int = Field(10, ge=1)
    migrate_on_start: bool = True

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


class BankDetails(Section):
    recipient: str = "ПАО «Энергосбыт» (demo)"
    inn: str = "5904000000"
    kpp: str = "590401001"
    bank: str = "ПАО Сбербанк, г. Пермь (demo)"
    bik: str = "045773603"
    account: str = "40702810000000000000"
    correspondent_account: str = "30101810900000000603"


class CompanySettings(Section):
    name: str = "Энергосбыт"
    timezone: str = "Asia/Yekaterinburg"
    phone: str = "8-800-000-00-00"
    website: str = "https://energosbyt.example"
    payment_url: str = "https://energosbyt.example/pay?account={account}"
    grid_company: str = "Россети Урал — Пермэнерго"
    grid_hotline: str = "8-800-220-0-220"
    grid_website: str = "https://rosseti-ural.ru"
    bank: BankDetails = BankDetails()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class BusinessHoursSettings(Section):
    opens: time = time(8, 0)
    closes: time = time(18, 0)
    weekdays: list[int] = [0, 1, 2, 3, 4]
    holidays: list[date] = []

    @model_validator(mode="after")
    def _sane(self) -> BusinessHoursSettings:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        if not self.weekdays or any(d < 0 or d > 6 for d in self.weekdays):
            raise ValueError("weekdays must be numbers 0 (Monday) to 6 (Sunday)")
        return self


class ReadingSettings(Section):
    window_start_day: int = Field(23, ge=1, le=28)
    cutoff_day: int = Field(25, ge=1, le=28)
    plausibility_factor: Decimal = Field(Decimal(3), gt=1)
    without_history_kwh: Decimal = Field(Decimal(1000), gt=0)
    history_months: int = Field(6, ge=1, le=24)
    rollover_margin: Decimal = Field(Decimal("0.1"), gt=0, lt=Decimal("0.5"))
    verification_warn_months: int = Field(6, ge=0)

    @model_validator(mode="after")
    def _window(self) -> ReadingSettings:
        if self.window_start_day > self.cutoff_day:
            raise ValueError("window_start_day must not be after cutoff_day")
        return self


class TariffSettings(Section):
    zone_split: ZoneSplit = ZoneSplit.PROPORTIONAL


class RestrictionSettings(Section):
    """Restriction of supply for debt (Правила № 354, пп. 114–122)."""

    # The household's monthly standard (норматив), kWh, per tariff category (demo values).
    norm_kwh: dict[Category, Decimal] = {
        Category.URBAN_GAS: Decimal(130),
        Category.URBAN_ELECTRIC: Decimal(160),
        Category.RURAL: Decimal(190),
    }
    norm_months: int = Field(2, ge=1)
    notice_days: int = Field(20, ge=0)
    reconnection_cap_rub: Decimal = Field(Decimal(5000), ge=0)
    supply_back_days: int = Field(2, ge=0)

    @field_validator("norm_kwh")
    @classmethod
    def _every_category(cls, value: dict[Category, Decimal]) -> dict[Category, Decimal]:
        missing = [category.value for category in Category if category not in value]
        if missing:
            raise ValueError("a standard is needed for every category: " + ", ".join(missing))
        if any(kwh <= 0 for kwh in value.values()):
            raise ValueError("standards must be above 0 kWh")
        return value


class BillingSettings(Section):
    key_rate_percent: Decimal = Field(Decimal("16.5"), ge=0)
    penalty_cap_percent: Decimal | None = Decimal("9.5")
    penalty_cap_until: date | None = date(2027, 1, 1)
    due_day: int = Field(15, ge=1, le=28)
    earlier_due_day: int = Field(10, ge=1, le=28)
    due_day_from: date | None = date(2026, 3, 1)
    restriction: RestrictionSettings = RestrictionSettings()


class LinkingSettings(Section):
    per_customer: int = Field(5, ge=1)
    per_customer_window_hours: int = Field(1, ge=1)
    per_account: int = Field(10, ge=1)
    per_account_window_hours: int = Field(24, ge=1)


class DialogSettings(Section):
    default_language: Literal["ru", "en"] = "ru"
    consent_version: str = "2026-01"
    transcript_messages: int = Field(30, ge=1)
    visit_days: int = Field(6, ge=1, le=14)
    visit_slots: list[str] = ["08:00-12:00", "12:00-17:00"]


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_format: bool = False


class OutboxSettings(Section):
    poll_seconds: float = Field(0.5, gt=0)  # how often a sender looks for rows other processes left
    batch: int = Field(200, ge=1)  # rows claimed per round
    lease_seconds: float = Field(60, gt=0)  # a claimed row is retried after this if its sender died
    send_timeout_seconds: float = Field(15, gt=0)
    max_attempts: int = Field(12, ge=1)  # transient failures before a row is given up
    report_seconds: float = Field(60, gt=0)  # how often depth and oldest age are logged
    heartbeat_seconds: float = Field(5, gt=0)  # how often a sender says it is alive (rate shares)


_SECRET_TOKEN = r"^[A-Za-z0-9_-]{1,256}$"


class TelegramSettings(Section):
    enabled: bool = False
    mode: Literal["webhook", "polling"] = "webhook"
    api_base: str = "https://api.telegram.org"
    # Secrets: only from ENERGOBOT_TELEGRAM__TOKEN and ENERGOBOT_TELEGRAM__WEBHOOK_SECRET.
    token: SecretStr = SecretStr("")
    webhook_secret: SecretStr = SecretStr("")
    rate_per_second: float = Field(30, ge=0)
    chat_rate_per_second: float = Field(1, ge=0)
    chat_burst: int = Field(3, ge=1)
    polling_timeout_seconds: int = Field(25, ge=0, le=50)

    @model_validator(mode="after")
    def _secrets_when_enabled(self) -> TelegramSettings:
        if not self.enabled:
            return self
        token = self.token.get_secret_value()
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
            raise ValueError("telegram is enabled: set ENERGOBOT_TELEGRAM__TOKEN (123456:ABC...)")
        secret = self.webhook_secret.get_secret_value()
        if self.mode == "webhook" and not re.fullmatch(_SECRET_TOKEN, secret):
            raise ValueError(
                "telegram webhook mode: set ENERGOBOT_TELEGRAM__WEBHOOK_SECRET "
                "(1-256 characters of A-Z a-z 0-9 _ -)"
            )
        return self


class ViberSettings(Section):
    enabled: bool = False
    api_base: str = "https://chatapi.viber.com/pa"
    # Secret: only from ENERGOBOT_VIBER__TOKEN (it also signs the callbacks).
    token: SecretStr = SecretStr("")
    sender_name: str = Field("Энергосбыт", min_length=1)  # cut to Viber's 28 characters
    avatar_url: str = ""  # the sender's picture (a public URL, <= 100 KB); empty: none
    # Messages outside the 24-hour session a customer's message opens are paid by the bot.
    allow_bot_initiated: bool = False
    rate_per_second: float = Field(30, ge=0)
    chat_rate_per_second: float = Field(1, ge=0)
    chat_burst: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _token_when_enabled(self) -> ViberSettings:
        token = self.token.get_secret_value()
        if self.enabled and not re.fullmatch(r"[A-Za-z0-9_=-]{8,256}", token):
            raise ValueError("viber is enabled: set ENERGOBOT_VIBER__TOKEN (the bot's auth token)")
        return self


class WhatsAppTemplate(Section):
    name: str = Field(min_length=1, max_length=512)  # as approved in WhatsApp Manager
    language: str = Field(min_length=2, max_length=15)  # its language code, e.g. ru or en_US


class WhatsAppSettings(Section):
    enabled: bool = False
    api_base: str = "https://graph.facebook.com/v23.0"
    phone_number_id: str = ""  # the business number's id (WhatsApp Manager → API setup)
    # Secrets: only from ENERGOBOT_WHATSAPP__TOKEN, __APP_SECRET and __VERIFY_TOKEN.
    token: SecretStr = SecretStr("")
    app_secret: SecretStr = SecretStr("")
    verify_token: SecretStr = SecretStr("")
    # Approved templates sent outside the 24-hour window, by the key a reply names (Reply.template).
    templates: dict[str, WhatsAppTemplate] = {}
    rate_per_second: float = Field(80, ge=0)  # per number (the sender keeps a margin under it)
    chat_rate_per_second: float = Field(0.16, ge=0)  # the pair rate: about one per 6 s ...
    chat_burst: int = Field(10, ge=1)  # ... after a burst

    @model_validator(mode="after")
    def _secrets_when_enabled(self) -> WhatsAppSettings:
        if not self.enabled:
            return self
        if not re.fullmatch(r"\d{5,32}", self.phone_number_id):
            raise ValueError("whatsapp is enabled: set whatsapp.phone_number_id (digits)")
        _require_meta_secrets("whatsapp", self.token, self.app_secret, self.verify_token)
        return self


class MessengerSettings(Section):
    enabled: bool = False
    api_base: str = "https://graph.facebook.com/v23.0"
    # Secrets: only from ENERGOBOT_MESSENGER__PAGE_TOKEN, __APP_SECRET and __VERIFY_TOKEN.
    page_token: SecretStr = SecretStr("")
    app_secret: SecretStr = SecretStr("")
    verify_token: SecretStr = SecretStr("")
    rate_per_second: float = Field(300, ge=0)  # calls/s per page (the sender keeps a margin)
    chat_rate_per_second: float = Field(1, ge=0)
    chat_burst: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _secrets_when_enabled(self) -> MessengerSettings:
        if self.enabled:
            _require_meta_secrets("messenger", self.page_token, self.app_secret, self.verify_token)
        return self


def _require_meta_secrets(
    section: str, token: SecretStr, app_secret: SecretStr, verify_token: SecretStr
) -> None:
    token_name = "PAGE_TOKEN" if section == "messenger" else "TOKEN"
    for name, value, pattern in (
        (token_name, token, r"[A-Za-z0-9_|.-]{16,1024}"),
        ("APP_SECRET", app_secret, r"[A-Za-z0-9]{16,128}"),
        ("VERIFY_TOKEN", verify_token, r"[\x21-\x7e]{8,256}"),
    ):
        if not re.fullmatch(pattern, value.get_secret_value()):
            raise ValueError(f"{section} is enabled: set ENERGOBOT_{section.upper()}__{name}")


_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


class WebchatSettings(Section):
    enabled: bool = True
    title: str = ""  # the chat window's title; empty: the catalog's, with the company's name
    session_days: int = Field(30, ge=1, le=400)  # lifetime of the anonymous session cookie
    # Sites that may show the chat in an iframe (the embed snippet), besides company.website.
    embed_origins: list[str] = []
    history_messages: int = Field(100, ge=1, le=1000)  # shown when the page opens
    poll_seconds: float = Field(1.0, gt=0)  # open chats look for replies other processes sent
    max_text_chars: int = Field(2000, ge=1, le=4000)  # one customer message
    messages_per_minute: int = Field(30, ge=1)  # per session; more are refused with 429

    @field_validator("embed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin like https://www.example.ru")
        return value


class ConsoleSettings(Section):
    enabled: bool = True
    language: Literal["ru", "en"] = "ru"  # of the console's own texts
    # Secret: only from ENERGOBOT_CONSOLE__SESSION_KEY; without it a random key per start.
    session_key: SecretStr = SecretStr("")
    session_idle_minutes: int = Field(60, ge=1)
    lockout_attempts: int = Field(5, ge=1)
    lockout_minutes: int = Field(15, ge=1)
    min_password_length: int = Field(10, ge=8)
    events_poll_seconds: float = Field(1.0, gt=0)
    visits_page: int = Field(200, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ENERGOBOT_", env_nested_delimiter="__", extra="forbid"
    )

    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    company: CompanySettings = CompanySettings()
    business_hours: BusinessHoursSettings = BusinessHoursSettings()
    readings: ReadingSettings = ReadingSettings()
    tariffs: TariffSettings = TariffSettings()
    billing: BillingSettings = BillingSettings()
    linking: LinkingSettings = LinkingSettings()
    dialogs: DialogSettings = DialogSettings()
    logging: LoggingSettings = LoggingSettings()
    outbox: OutboxSettings = OutboxSettings()
    telegram: TelegramSettings = TelegramSettings()
    viber: ViberSettings = ViberSettings()
    whatsapp: WhatsAppSettings = WhatsAppSettings()
    messenger: MessengerSettings = MessengerSettings()
    console: ConsoleSettings = ConsoleSettings()
    webchat: WebchatSettings = WebchatSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The YAML file is set per load by load_settings(); the environment wins over it.
        return init_settings, env_settings, YamlConfigSettingsSource(settings_cls)


# Secrets come from the environment only: a config file is copied, committed and shown around.
SECRETS = (
    ("telegram", "token"),
    ("telegram", "webhook_secret"),
    ("viber", "token"),
    ("whatsapp", "token"),
    ("whatsapp", "app_secret"),
    ("whatsapp", "verify_token"),
    ("messenger", "page_token"),
    ("messenger", "app_secret"),
    ("messenger", "verify_token"),
    ("console", "session_key"),
)


class SettingsError(Exception):
    """A setting is invalid; the message names it."""


def _refuse_secrets(path: Path) -> None:
    import yaml

    listed = yaml.safe_load(path.read_text("utf-8")) or {}
    for section, key in SECRETS:
        if isinstance(listed, dict) and key in (listed.get(section) or {}):
            env = f"ENERGOBOT_{section.upper()}__{key.upper()}"
            raise SettingsError(
                f"{section}.{key} is a secret: remove it from {path} and set {env} instead"
            )


def load_settings(config: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from the given file, ENERGOBOT_CONFIG or ./config.yaml, then the environment."""
    explicit = config or os.environ.get("ENERGOBOT_CONFIG")
    path = Path(explicit) if explicit else DEFAULT_CONFIG
    if explicit and not path.exists():
        raise SettingsError(f"config file not found: {path}")
    if path.exists():
        _refuse_secrets(path)
    config_dict = {**Settings.model_config, "yaml_file": path if path.exists() else None}
    loader = type("Settings", (Settings,), {"model_config": config_dict})
    try:
        return loader()
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = ["invalid settings:"]
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"])
        env = "ENERGOBOT_" + "__".join(str(part).upper() for part in error["loc"])
        lines.append(f"  {name} (env {env}): {error['msg']}")
    return "\n".join(lines)
