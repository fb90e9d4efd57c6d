"""Webhook throughput and latency: a text message through energobot's whole path, next to two
baselines measured in the same run.

    .venv/bin/python bench/webhook.py [--seconds 8] [--connections 16,64]

Each server runs in its own process (one core); this process is the load generator (the
other core) and the Telegram Bot API the sender delivers replies to. Rows:

- bare aiohttp: a handler that answers 200 and does nothing;
- aiogram + insert: aiogram's own webhook handler (SimpleRequestHandler, answering after the
  handler finished) whose handler does one SQLAlchemy insert + commit on SQLite (WAL);
- energobot: POST /webhooks/telegram with its secret → parse → inbox → lock → dialog engine →
  state → outbox → commit (group commit), with the outbox sender delivering to this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-token"
SECRET = "bench_secret"
USERS = 2000
TEXT = "здравствуйте, сколько мне платить за свет?"


# -- servers (run as `bench/webhook.py --serve KIND PORT [DB]` in their own process) ----------


def serve_bare(port: int) -> None:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/webhook", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def serve_aiogram(port: int, db_path: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler
    from sqlalchemy import Column, Integer, MetaData, String, Table, event
    from sqlalchemy.ext.asyncio import create_async_engine

    metadata = MetaData()
    updates = Table(
        "updates", metadata, Column("id", Integer, primary_key=True), Column("text", String)
    )
    engine = create_async_engine(f"sqlite+aiosqlite:///{db_path}", pool_size=1, max_overflow=0)

    @event.listens_for(engine.sync_engine, "connect")
    def _wal(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    dispatcher = Dispatcher()

    @dispatcher.message()
    async def on_message(message: Message) -> None:
        async with engine.begin() as conn:
            await conn.execute(updates.insert().values(text=message.text))

    async def create_table(app: web.Application) -> None:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    session = AiohttpSession(api=TelegramAPIServer.from_base("http://127.0.0.1:9"))
    bot = Bot(TOKEN, session=session)
    app = web.Application()
    app.on_startup.append(create_table)
    SimpleRequestHandler(dispatcher, bot, handle_in_background=False).register(app, "/webhook")
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- the Bot API the energobot sender talks to -----------------------------------------------


async def start_sink() -> tuple[web.AppRunner, int, list[int]]:
    received: list[int] = []

    async def method(request: web.Request) -> web.Response:
        data = await request.post()
        received.append(1)
        chat = int(str(data.get("chat_id", "1")))
        result = {
            "message_id": len(received),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "text": str(data.get("text", "")),
        }
        if request.match_info["method"].lower() == "answercallbackquery":
            return web.json_response({"ok": True, "result": True})
        return web.json_response({"ok": True, "result": result})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", method)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, port, received


# -- load ------------------------------------------------------------------------------------


def update_body(update_id: int, user: int) -> bytes:
    chat = {"id": user, "first_name": "Bench", "type": "private"}
    sender = {"id": user, "is_bot": False, "first_name": "Bench", "language_code": "ru"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat,
        "from": sender,
        "text": TEXT,
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


async def load(url: str, headers: dict[str, str], connections: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(10**9))
    start_id = int(time.time() * 1000) % 10**9 * 10  # unique across runs on one database
    warmup_until = time.perf_counter() + 1.5
    stop_at = warmup_until + seconds
    timeout = ClientTimeout(total=30)

    async def worker(index: int, session: ClientSession) -> None:
        nonlocal errors
        round_ = 0
        while (now := time.perf_counter()) < stop_at:
            update_id = start_id + next(counter)
            # Each connection writes as its own set of customers, one message at a time each.
            user = 10_000 + (index + round_ * connections) % USERS
            round_ += 1
            began = time.perf_counter()
            async with session.post(url, data=update_body(update_id, user), headers=headers) as r:
                await r.read()
                ok = r.status == 200
            if now >= warmup_until:
                if ok:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors += 1

    connector = TCPConnector(limit=connections)
    async with ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(worker(i, session) for i in range(connections)))
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "rate": len(latencies) / seconds,
        "p50": pct(0.50) if latencies else float("nan"),
        "p99": pct(0.99) if latencies else float("nan"),
        "mean": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
        "errors": errors,
    }


# -- orchestration ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    async with ClientSession() as session:
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except OSError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def start_server(kind: str, port: int, workdir: Path, sink_port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if kind == "energobot":
        env.update(
            ENERGOBOT_CONFIG=str(ROOT / "config.yaml"),
            ENERGOBOT_SERVER__PORT=str(port),
            ENERGOBOT_DATABASE__URL=f"sqlite+aiosqlite:///{workdir / 'energobot.db'}",
            ENERGOBOT_TELEGRAM__ENABLED="true",
            ENERGOBOT_TELEGRAM__TOKEN=TOKEN,
            ENERGOBOT_TELEGRAM__WEBHOOK_SECRET=SECRET,
            ENERGOBOT_TELEGRAM__API_BASE=f"http://127.0.0.1:{sink_port}",
            ENERGOBOT_LOGGING__LEVEL="WARNING",
        )
        command = [str(Path(sys.executable).with_name("energobot")), "serve", "--demo"]
    else:
        command = [sys.executable, __file__, "--serve", kind, str(port), str(workdir / "ag.db")]
    return subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.DEVNULL)


async def measure(kind: str, connections: list[int], seconds: float, sink_port: int) -> list:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        process = start_server(kind, port, Path(tmp), sink_port)
        try:
            if kind == "energobot":
                await wait_ready(f"http://127.0.0.1:{port}/readyz", process)
                url = f"http://127.0.0.1:{port}/webhooks/telegram"
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            else:
                url = f"http://127.0.0.1:{port}/webhook"
                await wait_ready(url.replace("/webhook", "/"), process)
                headers = {}
            headers["Content-Type"] = "application/json"
            for conns in connections:
                rows.append((kind, conns, await load(url, headers, conns, seconds)))
        finally:
            process.terminate()
            process.wait(timeout=30)
    return rows


async def main(seconds: float, connections: list[int]) -> None:
    runner, sink_port, received = await start_sink()
    try:
        results = []
        for kind in ("bare", "aiogram", "energobot"):
            results += await measure(kind, connections, seconds, sink_port)
    finally:
        await runner.cleanup()
    names = {
        "bare": "bare aiohttp (200, no work)",
        "aiogram": "aiogram + 1 insert/commit (SQLite)",
        "energobot": "energobot whole path (SQLite)",
    }
    bare = {conns: r["rate"] for kind, conns, r in results if kind == "bare"}
    cpu = platform.processor() or platform.machine()
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, {cpu}, "
        f"{os.cpu_count()} cores; {seconds:.0f} s per row after 1.5 s warm-up"
    )
    print(f"| {'server':36} | conns | updates/s | p50 ms | p99 ms | errors | vs bare |")
    print(f"|{'-' * 38}|-------|-----------|--------|--------|--------|---------|")
    for kind, conns, r in results:
        ratio = r["rate"] / bare[conns] if bare.get(conns) else float("nan")
        print(
            f"| {names[kind]:36} | {conns:5} | {r['rate']:9.0f} | {r['p50']:6.1f} "
            f"| {r['p99']:6.1f} | {r['errors']:6} | {ratio:7.3f} |"
        )
    print(f"# replies the sender delivered to the Bot API during the run: {len(received)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        kind, port = sys.argv[2], int(sys.argv[3])
        serve_bare(port) if kind == "bare" else serve_aiogram(port, sys.argv[4])
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", default="16,64")
    args = parser.parse_args()
    conns = [int(c) for c in args.connections.split(",")]
    asyncio.run(main(args.seconds, conns))
