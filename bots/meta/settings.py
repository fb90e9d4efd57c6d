"""What the WhatsApp and Messenger sections share: the three Graph secrets and their checks."""

from __future__ import annotations

import re

from pydantic import SecretStr

from bots.setting_errors import SettingError, env_name, secret_shape

# name: (pattern, its characters as a class for secret_shape, what is expected, in words)
_SHAPES = {
    "TOKEN": (
        r"[A-Za-z0-9_|.-]{16,1024}",
        "A-Za-z0-9_|.-",
        "a WhatsApp access token is 16-1024 characters of A-Z a-z 0-9 _ | . -, as Meta shows it",
    ),
    "PAGE_TOKEN": (
        r"[A-Za-z0-9_|.-]{16,1024}",
        "A-Za-z0-9_|.-",
        "a page access token is 16-1024 characters of A-Z a-z 0-9 _ | . -, as Meta shows it",
    ),
    "APP_SECRET": (
        r"[0-9a-fA-F]{32}",
        "0-9a-fA-F",
        "a Meta app secret is 32 hexadecimal characters (App Dashboard → App settings → Basic)",
    ),
    "VERIFY_TOKEN": (
        r"[\x21-\x7e]{8,256}",
        r"\x21-\x7e",
        "a verify token is 8-256 printable ASCII characters without spaces",
    ),
}


def require_meta_secrets(
    section: str, token: SecretStr, app_secret: SecretStr, verify_token: SecretStr
) -> None:
    """Raise SettingError naming the first secret that is missing or malformed."""
    token_name = "PAGE_TOKEN" if section == "messenger" else "TOKEN"
    for name, value in (
        (token_name, token),
        ("APP_SECRET", app_secret),
        ("VERIFY_TOKEN", verify_token),
    ):
        pattern, characters, shape = _SHAPES[name]
        given = value.get_secret_value()
        env = env_name(section, name)
        if not given:
            raise SettingError(env, f"{section} is enabled, so it must be set: {shape}")
        if not re.fullmatch(pattern, given):
            raise SettingError(env, f"{shape}; {secret_shape(given, characters)}")
