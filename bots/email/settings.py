"""The `email:` settings section: the SMTP relay the service sends through."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, model_validator

from bots.plugin import ChannelSettings

ADDRESS = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^\W\d_]{2,}")


class EmailSettings(ChannelSettings):
    enabled: bool = False
    host: str = ""  # the relay: smtp.example.ru
    port: int = Field(587, ge=1, le=65535)  # 587 with starttls, 465 with use_tls, 25 plain
    starttls: bool = True  # upgrade the connection with STARTTLS (required when true)
    use_tls: bool = False  # implicit TLS from the first byte (port 465)
    # A PEM bundle of the authorities to trust instead of the system's (a company's own CA).
    ca_file: str = ""
    username: str = ""  # empty: the relay takes mail without AUTH
    # Secret: only from ENERGOBOT_EMAIL__PASSWORD.
    password: SecretStr = SecretStr("")
    from_address: str = ""  # the envelope sender and the From: address
    from_name: str = ""  # the From: name; empty: the company's name
    timeout_seconds: float = Field(20, gt=0)  # one connection and its commands
    rate_per_second: float = Field(5, ge=0)  # mails per second to the relay, at most
    # One customer's one-time codes to new addresses per day (each is a mail to a stranger).
    codes_per_day: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> EmailSettings:
        if self.enabled and (problems := self.problems()):
            raise ValueError("email is enabled, but " + "; ".join(problems))
        return self

    def problems(self) -> list[str]:
        """What keeps mail from going, each said so that it can be fixed."""
        found: list[str] = []
        if not self.host.strip():
            found.append("email.host is not set: the SMTP relay's name, e.g. smtp.example.ru")
        if not ADDRESS.fullmatch(self.from_address):
            found.append(
                f"email.from_address {self.from_address!r} is not an address like "
                "receipts@example.ru (the relay must accept it as the sender)"
            )
        if self.starttls and self.use_tls:
            found.append(
                "email.starttls and email.use_tls are both true: use_tls is TLS from the first "
                "byte (port 465), starttls upgrades a plain connection (port 587); choose one"
            )
        if self.username and not self.password.get_secret_value():
            found.append(
                f"email.username is {self.username!r}, but ENERGOBOT_EMAIL__PASSWORD is empty"
            )
        return found
