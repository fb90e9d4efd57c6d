"""SMTP servers for the e-mail tests: plain, and with STARTTLS and AUTH."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dialogs.conftest import clock, config  # noqa: F401 - fixtures shared with dialogs
from tests.email.smtp import Mailbox, Server, running, self_signed


@pytest.fixture
def smtp() -> Iterator[Server]:
    yield from running(Mailbox())


@pytest.fixture
def smtp_tls(tmp_path: Path) -> Iterator[Server]:
    yield from running(Mailbox(), auth=True, tls=self_signed(tmp_path))
