"""Settings: config.yaml, overridden by ENERGOBOT_<SECTION>__<KEY> environment variables."""

from __future__ import annotations

import ipaddress
import os
from datetime import date, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from bots.plugin import ChannelSettings, Plugin
from bots.registry import plugins
from bots.setting_errors import SettingError, env_name
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
    # A connection with no request in progress is closed after this long; it is also all the
    # time a client gets to send a request's headers (a slow-loris trickle is cut). Keep it
    # above nginx's upstream keepalive_timeout (docs/deploy.md).
    idle_timeout_seconds: float = Field(75.0, gt=0, le=3600)
    # A live-update stream (console or web chat) that carried no event this long is closed;
    # the page reconnects at once and goes on where it was.
    stream_idle_seconds: float = Field(300.0, ge=1)
    # Reverse proxies (addresses or CIDRs) whose X-Forwarded-For is believed: the client's
    # address is the last one in it that is not such a proxy. Empty: the peer's own address.
    trusted_proxies: list[str] = []
    # A reply's file sent as a signed link (GET /media/<token>: the web chat, Viber, and any
    # channel that could not send the file itself) stays valid this many days.
    media_link_days: int = Field(7, ge=1, le=90)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network (CIDR)") from None
        return [item.strip() for item in value]


class DatabaseSettings(Section):
    url: str = "sqlite+aiosqlite:///var/energobot.db"
    echo: bool = False
    pool_size: int = Field(10, ge=1)
    migrate_on_start: bool = True

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            # Only the scheme is shown: the rest may hold a password.
            scheme = value.split("://", 1)[0] + "://" if "://" in value else ""
            given = f"it starts with {scheme!r}" if scheme else "it has no scheme (driver://)"
            raise ValueError(
                f"must start with sqlite+aiosqlite:// or postgresql+asyncpg://; {given}"
            )
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
            raise ValueError(
                f"must be a time zone name like Europe/Moscow; {value!r} is not one"
            ) from exc
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
            raise ValueError(
                f"opens must be before closes; the values given are {self.opens:%H:%M} and "
                f"{self.closes:%H:%M}"
            )
        if not self.weekdays or any(d < 0 or d > 6 for d in self.weekdays):
            raise ValueError(
                f"weekdays must be numbers 0 (Monday) to 6 (Sunday); the value given is "
                f"{self.weekdays}"
            )
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
            raise ValueError(
                f"window_start_day must not be after cutoff_day; the values given are "
                f"{self.window_start_day} and {self.cutoff_day}"
            )
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


class OutagePostSettings(Section):
    channel: str = ""  # a channel's name (max, telegram); empty: no public post
    chat_id: str = ""  # the channel's or group chat's id there


class NoticeSettings(Section):
    enabled: bool = True  # `serve` runs the notice jobs on its own schedule
    tick_seconds: float = Field(60, gt=0)  # how often each process looks for due jobs
    quiet_hours: str = "21:00-09:00"  # local; non-urgent notices wait; equal ends: none
    send_at: time = time(10, 0)  # local time the day's notices start
    reminder_day: int = Field(
        0, ge=0, le=28
    )  # first reading reminder; 0: readings.window_start_day
    last_day_reminder: bool = True  # a second one on readings.cutoff_day
    debt_days_before: int = Field(3, ge=0)  # «due in N days», with the amount
    overdue_after_days: int = Field(1, ge=1)  # «overdue», this many days after the due date
    restriction_warning: bool = True  # when the overdue debt allows a restriction (DOMAIN.md)
    receipt_day: int = Field(5, ge=1, le=28)  # «квитанция готова» for last month's bill
    outage_days_before: int = Field(1, ge=0)  # planned outages: notice this many days before
    hold_limit_hours: int = Field(36, ge=1)  # a notice held (quiet hours, pause) longer is dropped
    lease_seconds: float = Field(600, gt=0)  # a job's process died: another takes it after this
    outage_post: OutagePostSettings = OutagePostSettings()

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        from core.notices import QuietHours

        QuietHours.parse(value)
        return value


class ConsoleSettings(Section):
    enabled: bool = True
    language: Literal["ru", "en"] = "ru"  # of the console's own texts
    # Secret: only from ENERGOBOT_CONSOLE__SESSION_KEY; without it a random key per start.
    session_key: SecretStr = SecretStr("")
    session_idle_minutes: int = Field(60, ge=1)
    session_max_hours: int = Field(12, ge=1)
    # Logins are throttled per login and per client address (console/auth.py): this many
    # attempts per window, halved for every as many failures in the last 24 hours (down to 1).
    login_attempts: int = Field(5, ge=1)
    login_address_attempts: int = Field(20, ge=1)
    login_window_minutes: int = Field(15, ge=1, le=1440)
    trusted_device_days: int = Field(30, ge=0)
    hash_slots: int = Field(0, ge=0)  # argon2 checks at once per process; 0: twice the cores
    min_password_length: int = Field(12, ge=12)
    password_checks: bool = True
    password_blocklist: str = ""
    events_poll_seconds: float = Field(1.0, gt=0)
    # Live-update streams (/console/events) at once, per process: per login session and per
    # client address (server.trusted_proxies); more are refused with 429.
    max_streams_per_session: int = Field(10, ge=1)
    max_streams_per_address: int = Field(100, ge=1)
    visits_page: int = Field(200, ge=1)

    @field_validator("password_blocklist")
    @classmethod
    def _readable(cls, value: str) -> str:
        if value and not Path(value).is_file():
            raise ValueError(f"no such file: {value} (refused passwords, one a line)")
        return value


PAYMENT_METHODS = ("sbp", "bank_card")  # YooKassa's payment_method_data.type values we offer


class YookassaSettings(Section):
    shop_id: str = ""
    # Secret: only from ENERGOBOT_PAYMENTS__YOOKASSA__SECRET_KEY.
    secret_key: SecretStr = SecretStr("")
    api_url: str = "https://api.yookassa.ru/v3"
    timeout_seconds: float = Field(10.0, gt=0, le=60)
    # Where notifications may come from (YooKassa's published ranges); empty: not checked.
    trusted_networks: list[str] = []
    # The shop fiscalises through YooKassa (54-ФЗ): each payment carries a receipt, one item
    # of this VAT code (YooKassa's vat_code 1-12; 1: no VAT). None: fiscalised elsewhere.
    receipt_vat_code: int | None = Field(None, ge=1, le=12)

    @field_validator("api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(
                f"must be an http(s) URL like https://api.yookassa.ru/v3; {value!r} has no "
                "http:// or https://"
            )
        return value.rstrip("/")

    @field_validator("trusted_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return ServerSettings._networks(value)


class PaymentSettings(Section):
    # link: the company's payment page (company.payment_url, {account} and optional {amount});
    # yookassa: a payment per request through YooKassa, links at {server.public_url}/pay/...
    provider: Literal["link", "yookassa"] = "link"
    yookassa: YookassaSettings = YookassaSettings()
    # Where the customer returns after paying; empty: the company's website.
    return_url: str = ""
    methods: list[str] = ["sbp", "bank_card"]
    min_amount: Decimal = Field(Decimal("1.00"), gt=0)
    max_amount: Decimal = Field(Decimal("150000.00"), gt=0)
    billing_days: int = Field(3, ge=1, le=30)  # working days a payment takes to reach billing
    link_hours: int = Field(24, ge=1, le=24 * 30)  # how long a payment link can be opened

    @field_validator("methods")
    @classmethod
    def _methods(cls, value: list[str]) -> list[str]:
        unknown = [m for m in value if m not in PAYMENT_METHODS]
        if unknown or not value:
            raise ValueError(
                f"payment methods must be some of {', '.join(PAYMENT_METHODS)}; got {value}"
            )
        return value

    @field_validator("min_amount", "max_amount")
    @classmethod
    def _kopecks(cls, value: Decimal) -> Decimal:
        if value != value.quantize(Decimal("0.01")):
            raise ValueError(f"{value} has more than two decimals (kopecks)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PaymentSettings:
        if self.min_amount > self.max_amount:
            raise ValueError(f"min_amount {self.min_amount} is above max_amount {self.max_amount}")
        if self.provider == "yookassa" and not self.yookassa.shop_id.strip():
            raise SettingError(
                env_name("payments", "yookassa", "shop_id"),
                "payments.provider is yookassa, so the shop's id must be set",
            )
        if self.provider == "yookassa" and not self.yookassa.secret_key.get_secret_value():
            raise SettingError(
                env_name("payments", "yookassa", "secret_key"),
                "payments.provider is yookassa, so the shop's secret key must be set",
            )
        return self


class RetentionSettings(Section):
    """How long messages, once-only keys and link attempts are kept (docs/deploy.md,
    «Retention»); payments, readings, visits, escalations, audit and consents are not touched."""

    enabled: bool = True  # `serve` runs the job on its own; `energobot retention run` by hand
    every_minutes: float = Field(60, gt=0)  # how often each process runs it
    batch: int = Field(1000, ge=1, le=100_000)  # rows per transaction
    inbox_days: int = Field(30, ge=1)  # customers' messages: the body cleared, the key kept
    inbox_keys_days: int = Field(90, ge=14)  # the key against replays (platforms retry ≤ 7 d)
    replies_days: int = Field(30, ge=1)  # replies sent or given up (never pending ones)
    notices_days: int = Field(365, ge=62)  # notices with their once-only keys
    link_attempts_days: int = Field(90, ge=1)

    @model_validator(mode="after")
    def _keys_outlive_bodies(self) -> RetentionSettings:
        if self.inbox_keys_days < self.inbox_days:
            raise ValueError(
                f"inbox_keys_days {self.inbox_keys_days} is below inbox_days {self.inbox_days}: "
                "an event's key must outlive its body"
            )
        return self


class CoreSettings(BaseSettings):
    """The service's own sections; each channel plug-in adds its own (see Settings below)."""

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
    notices: NoticeSettings = NoticeSettings()
    console: ConsoleSettings = ConsoleSettings()
    payments: PaymentSettings = PaymentSettings()
    retention: RetentionSettings = RetentionSettings()

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

    @model_validator(mode="after")
    def _payment_links_signed(self) -> CoreSettings:
        # The links are signed with a key derived from the service's secret: a random one per
        # start would break every link given before a restart, and differ between processes.
        if self.payments.provider == "yookassa" and not self.console.session_key.get_secret_value():
            raise SettingError(
                env_name("console", "session_key"),
                "payments.provider yookassa signs its links with the service's secret, so it "
                "must be set",
            )
        return self

    def channel(self, name: str) -> ChannelSettings:
        """A channel plug-in's section by its name."""
        section = getattr(self, name)
        assert isinstance(section, ChannelSettings)
        return section


def settings_class() -> type[CoreSettings]:
    """CoreSettings plus a section per channel plug-in, named after it."""
    return _with_channels(plugins())


@cache
def _with_channels(found: tuple[Plugin[Any], ...]) -> type[CoreSettings]:
    if taken := {p.name for p in found} & set(CoreSettings.model_fields):
        raise TypeError(f"channel plug-ins named like the service's own sections: {sorted(taken)}")
    sections: dict[str, Any] = {p.name: (p.settings_model, p.settings_model()) for p in found}
    return create_model("Settings", __base__=CoreSettings, **sections)


if TYPE_CHECKING:
    Settings = CoreSettings
else:
    Settings = settings_class()


def secret_fields() -> tuple[tuple[str, str], ...]:
    """(section, key) of every secret: the channels' own, the console's and the acquirer's (a
    section nested in another is named with dots)."""
    channels = ((plugin.name, key) for plugin in plugins() for key in plugin.secrets)
    return (*channels, ("console", "session_key"), ("payments.yookassa", "secret_key"))


# Secrets come from the environment only: a config file is copied, committed and shown around.
SECRETS = secret_fields()


class SettingsError(Exception):
    """A setting is invalid; the message names it."""


def _refuse_secrets(path: Path) -> None:
    import yaml

    listed = yaml.safe_load(path.read_text("utf-8")) or {}
    for section, key in secret_fields():
        node = listed
        for part in section.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and key in node:
            env = "ENERGOBOT_" + "__".join(p.upper() for p in (*section.split("."), key))
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
    loader: type[CoreSettings] = type(
        "Settings", (settings_class(),), {"model_config": config_dict}
    )
    try:
        return loader()
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    """One line per error: the variable and the setting, what is expected, what was given (a
    secret's value never: the validators that check secrets raise SettingError, which says
    only its length and the kinds of character that do not belong)."""
    lines = ["invalid settings:"]
    for error in exc.errors():
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, SettingError):
            lines.append(f"  {cause.env}: {cause.problem}")
            continue
        path = [str(part) for part in error["loc"]]
        name = ".".join(path)
        lines.append(f"  {env_name(*path)} ({name}): {_problem(error, path)}")
    return "\n".join(lines)


# What a value must be, by pydantic's error type; the numbers come from the error's context.
_EXPECTED = {
    "greater_than": "must be above {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be below {lt}",
    "less_than_equal": "must be at most {le}",
    "literal_error": "must be one of {expected}",
    "enum": "must be one of {expected}",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "time_parsing": "must be a time of day like 08:00",
    "time_type": "must be a time of day like 08:00",
    "date_parsing": "must be a date like 2026-03-01",
    "date_from_datetime_parsing": "must be a date like 2026-03-01",
    "date_type": "must be a date like 2026-03-01",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
    "list_type": "must be a list, e.g. [a, b]",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a section of settings (a mapping of keys to values)",
    "missing": "is required",
    "extra_forbidden": "is not a setting (misspelt? config.yaml lists every one)",
}
# A duration's unit, by the name's ending: «5m» for poll_seconds must be said as 300.
_UNITS = {"_seconds": "seconds", "_minutes": "minutes", "_hours": "hours", "_days": "days"}


def _problem(error: ErrorDetails, path: list[str]) -> str:
    kind = error["type"]
    if kind == "value_error":  # a validator's own words, which show only what may be shown
        return str(error.get("ctx", {}).get("error", error["msg"]))
    template = _EXPECTED.get(kind)
    expected = template.format(**error.get("ctx", {})) if template else error["msg"]
    unit = next((u for end, u in _UNITS.items() if path[-1].endswith(end)), None)
    if unit and kind in {"int_parsing", "float_parsing", "decimal_parsing"}:
        expected += f" of {unit}, without a unit (5 minutes: 300 seconds)"
    return f"{expected}; {_given(error, path)}" if kind != "missing" else expected


def _given(error: ErrorDetails, path: list[str]) -> str:
    """The value that was given, unless it may be a secret: an unknown key may be a misspelt
    secret, and a name that says secret, token, password or key is treated as one."""
    value = error["input"]
    secretive = (".".join(path[:-1]), path[-1]) in SECRETS or path[-1].endswith(
        ("secret", "token", "password", "_key")
    )
    if error["type"] == "extra_forbidden" or secretive:
        shown = len(value) if isinstance(value, str) else None
        return "its value is not shown" + (f" ({shown} characters)" if shown is not None else "")
    if isinstance(value, dict | list):
        return f"the value given is a {'mapping' if isinstance(value, dict) else 'list'}"
    text = repr(value)
    return f"the value given is {text if len(text) <= 80 else text[:77] + '...'}"
