"""What the WhatsApp and Messenger sections share: the three Graph secrets and their checks."""

from __future__ import annotations

import re

from pydantic import SecretStr

_SHAPES = {
    "TOKEN": (r"[A-Za-z0-9_|.-]{16,1024}", "16-1024 characters, as Meta shows the access token"),
    "PAGE_TOKEN": (r"[A-Za-z0-9_|.-]{16,1024}", "16-1024 characters, as Meta shows the page token"),
    "APP_SECRET": (r"[A-Za-z0-9]{16,128}", "the app secret: 16-128 letters and digits"),
    "VERIFY_TOKEN": (r"[\x21-\x7e]{8,256}", "8-256 printable ASCII characters, no spaces"),
}


def require_meta_secrets(
    section: str, token: SecretStr, app_secret: SecretStr, verify_token: SecretStr
) -> None:
    """Raise ValueError naming the first secret that is missing or malformed."""
    token_name = "PAGE_TOKEN" if section == "messenger" else "TOKEN"
    for name, value in (
        (token_name, token),
        ("APP_SECRET", app_secret),
        ("VERIFY_TOKEN", verify_token),
    ):
        pattern, shape = _SHAPES[name]
        given = value.get_secret_value()
        env = f"ENERGOBOT_{section.upper()}__{name}"
        if not given:
            raise ValueError(f"{section} is enabled: set {env}")
        if not re.fullmatch(pattern, given):
            raise ValueError(f"{section} is enabled, but {env} is malformed: expected {shape}")
