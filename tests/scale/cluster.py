"""Several real `energobot serve` processes on one database, as production runs them, with
their Telegram side pointed at the fake Bot API of the test's own event loop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession
from sqlalchemy import func, select

from bots.telegram import SECRET_HEADER
from storage.database import Database
from storage.tables import conversations, customers, inbox, outbox
from tests.fakes.telegram import FakeTelegram

SECRET = "scale-secret_0123456789"
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60

TELEGRAM_WEBHOOK = "/webhooks/telegram"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    """One `energobot serve` process."""

    port: int
    log: Path
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Cluster:
    database_url: str
    fake: FakeTelegram
    workdir: Path
    nodes: list[Node] = field(default_factory=list)
    session: ClientSession | None = None

    def env(self, port: int, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENERGOBOT_")}
        env.update(
            ENERGOBOT_CONFIG=str(ROOT / "config.yaml"),
            ENERGOBOT_DATABASE__URL=self.database_url,
            ENERGOBOT_SERVER__HOST="127.0.0.1",
            ENERGOBOT_SERVER__PORT=str(port),
            ENERGOBOT_TELEGRAM__ENABLED="true",
            ENERGOBOT_TELEGRAM__MODE="webhook",
            ENERGOBOT_TELEGRAM__TOKEN=self.fake.token,
            ENERGOBOT_TELEGRAM__WEBHOOK_SECRET=SECRET,
            ENERGOBOT_TELEGRAM__API_BASE=self.fake.base_url,
            # The fake enforces the platform's limits; the senders' own limiters are not the
            # subject here and would only make the tests wait.
            ENERGOBOT_TELEGRAM__RATE_PER_SECOND="0",
            ENERGOBOT_TELEGRAM__CHAT_RATE_PER_SECOND="0",
            ENERGOBOT_OUTBOX__POLL_SECONDS="0.1",
            ENERGOBOT_OUTBOX__LEASE_SECONDS="3",
            ENERGOBOT_OUTBOX__HEARTBEAT_SECONDS="0.5",
            ENERGOBOT_WEBCHAT__ENABLED="false",
            ENERGOBOT_CONSOLE__ENABLED="false",
            ENERGOBOT_LOGGING__LEVEL="INFO",
        )
        env.update(extra)
        return env

    async def cli(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "energobot",
            *args,
            env=self.env(free_port()),
            cwd=self.workdir,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await process.communicate()
        assert process.returncode == 0, out.decode()
        return out.decode()

    async def start(self, count: int) -> None:
        """Start `count` processes at once (each migrates: they must agree) and wait for all."""
        started = [self._spawn() for _ in range(count)]
        self.nodes.extend(started)
        await asyncio.gather(*(self._spawn_process(node) for node in started))
        await asyncio.gather(*(self._ready(node) for node in started))

    def _spawn(self) -> Node:
        port = free_port()
        return Node(port, self.workdir / f"serve-{port}.log")

    async def _spawn_process(self, node: Node) -> None:
        with node.log.open("w", encoding="utf-8") as out:
            node.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "energobot",
                "serve",
                env=self.env(node.port),
                cwd=self.workdir,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def _ready(self, node: Node) -> None:
        assert node.process is not None and self.session is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_SECONDS
        while True:
            if node.process.returncode is not None or loop.time() > deadline:
                raise AssertionError(f"a node did not get ready:\n{node.output()[-3000:]}")
            try:
                async with self.session.get(f"{node.url}/readyz") as response:
                    if response.status == 200:
                        return
            except ClientError:
                pass
            await asyncio.sleep(0.2)

    async def deliver(self, node: Node, update: dict[str, Any]) -> int:
        """POST one update to a node's webhook as Telegram does; the HTTP status, or 0 when the
        node could not answer (killed, refused): Telegram would deliver it again later."""
        assert self.session is not None
        try:
            async with self.session.post(
                f"{node.url}{TELEGRAM_WEBHOOK}",
                json=update,
                headers={SECRET_HEADER: SECRET},
            ) as response:
                await response.read()
                return response.status
        except (TimeoutError, ClientError):
            return 0

    async def deliver_until_taken(self, update: dict[str, Any], order: list[Node]) -> Node:
        """Telegram's redelivery: try the nodes in turn until one answers 200."""
        for _ in range(50):
            for node in order:
                if await self.deliver(node, update) == 200:
                    return node
            await asyncio.sleep(0.1)
        raise AssertionError(f"update {update['update_id']} was never taken")

    def kill(self, node: Node) -> None:
        """SIGKILL: no chance to finish anything (a crash, the OOM killer, a pulled plug)."""
        assert node.process is not None
        node.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.returncode is None:
                node.process.send_signal(signal.SIGTERM)
        for node in self.nodes:
            if node.process is None:
                continue
            try:
                await asyncio.wait_for(node.process.wait(), 30)
            except TimeoutError:
                node.process.kill()
                await node.process.wait()

    def errors(self) -> list[str]:
        """Tracebacks and errors the nodes logged (a lost race must not surface as one)."""
        found = []
        for node in self.nodes:
            for line in node.output().splitlines():
                if "Traceback" in line or " ERROR " in f" {line} " or line.startswith("ERROR"):
                    found.append(f"{node.port}: {line}")
        return found


# -- what the database kept -------------------------------------------------------------------


async def settled(database: Database, seconds: float = 60) -> None:
    """Wait until the outbox has nothing pending (every reply delivered)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        async with database.unit_of_work() as store:
            result = await store.connection.execute(
                select(func.count()).select_from(outbox).where(outbox.c.status != "sent")
            )
            left = int(result.scalar_one())
        if left == 0:
            return
        if loop.time() > deadline:
            raise AssertionError(f"{left} outbox rows still not sent")
        await asyncio.sleep(0.2)


async def inbox_ids(database: Database) -> list[str]:
    async with database.unit_of_work() as store:
        result = await store.connection.execute(select(inbox.c.event_id))
        return [row[0] for row in result]


async def versions(database: Database) -> dict[str, int]:
    """Each Telegram chat's conversation version: one more per turn taken."""
    async with database.unit_of_work() as store:
        result = await store.connection.execute(
            select(customers.c.user_id, conversations.c.version).join(
                conversations, conversations.c.customer_id == customers.c.id
            )
        )
        return {row[0]: int(row[1]) for row in result}


async def replies(database: Database, user_id: str) -> list[str]:
    """The texts the database holds for one chat, in the order they were written."""
    async with database.unit_of_work() as store:
        result = await store.connection.execute(
            select(outbox.c.body)
            .where(outbox.c.channel == "telegram", outbox.c.user_id == user_id)
            .order_by(outbox.c.id)
        )
        return [row[0]["text"] for row in result]
