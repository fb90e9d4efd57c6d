"""Webhook throughput and latency: a text message through energobot's whole path, on SQLite and on
PostgreSQL with one and with several processes, next to two baselines measured in the same run.

    .venv/bin/python bench/webhook.py [--seconds 8] [--connections 16,64]
        [--db sqlite,postgres] [--processes 1,2] [--baselines bare,aiogram]
        [--pg-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Each server runs in its own process; this process is the load generator and the Telegram Bot
API the sender delivers replies to. Rows:

- bare aiohttp: a handler that answers 200 and does nothing;
- aiogram + insert: aiogram's own webhook handler (SimpleRequestHandler, answering after the
  handler finished) whose handler does one SQLAlchemy insert + commit on SQLite (WAL);
- energobot: POST /webhooks/telegram with its secret → parse → inbox → lock → dialog engine →
  state → outbox → commit (group commit), with the outbox sender delivering to this process.
  On SQLite one process (one writer); on PostgreSQL `--processes` servers on one fresh
  database (`bench_webhook_<pid>`, dropped afterwards), the load spread round-robin over their
  ports request by request, so one customer's messages land on different processes. Before
  the first row every customer of the load has written once (`introduce`): the rows measure a
  returning customer's message, not a first contact.

Besides throughput and latency, the CPU the servers and PostgreSQL's backends used in the
measured window is divided by the updates: the cost of one turn, less noisy than the rate on a
shared machine. The other modules of bench/ reuse this one's servers, load and accounting.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-token"
SECRET = "bench_secret"
USERS = 2000
TEXT = "здравствуйте, сколько мне платить за свет?"
PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
WARMUP_SECONDS = 1.5
CLOCK_TICK = os.sysconf("SC_CLK_TCK")

Body = Callable[[int, int, int], bytes]  # (update id, connection index, round) -> JSON body


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


def update_body(update_id: int, user: int, text: str = TEXT) -> bytes:
    chat = {"id": user, "first_name": "Bench", "type": "private"}
    sender = {"id": user, "is_bot": False, "first_name": "Bench", "language_code": "ru"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": chat,
        "from": sender,
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def greeting_body(connections: int) -> Body:
    """Each connection writes as its own set of customers, one message at a time each."""

    def body(update_id: int, index: int, round_: int) -> bytes:
        return update_body(update_id, 10_000 + (index + round_ * connections) % USERS)

    return body


@dataclass
class Result:
    rate: float
    p50: float
    p99: float
    mean: float
    errors: int
    count: int
    seconds: float
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds in the window, by part

    def cpu_ms_per_update(self, part: str) -> float:
        if part not in self.cpu or not self.count:
            return float("nan")
        return self.cpu[part] * 1000 / self.count


async def load(
    urls: Sequence[str],
    headers: dict[str, str],
    connections: int,
    seconds: float,
    body: Body | None = None,
    cpu: CpuMeter | None = None,
) -> Result:
    """`connections` clients posting back to back for warm-up + `seconds`; requests go to
    `urls` round-robin. Only requests started after the warm-up count."""
    body = body or greeting_body(connections)
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()
    start_id = int(time.time() * 1000) % 10**9 * 10  # unique across runs on one database
    warmup_until = time.perf_counter() + WARMUP_SECONDS
    stop_at = warmup_until + seconds
    timeout = ClientTimeout(total=30)
    window: dict[str, float] = {}

    async def worker(index: int, session: ClientSession) -> None:
        nonlocal errors
        round_ = 0
        while (now := time.perf_counter()) < stop_at:
            number = next(counter)
            url = urls[number % len(urls)]
            data = body(start_id + number, index, round_)
            round_ += 1
            began = time.perf_counter()
            async with session.post(url, data=data, headers=headers) as r:
                await r.read()
                ok = r.status == 200
            if now >= warmup_until:
                if ok:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors += 1

    async def watch() -> None:
        # CPU counters read at the edges of the measured window.
        await asyncio.sleep(max(0.0, warmup_until - time.perf_counter()))
        if cpu is not None:
            window.update({k: -v for k, v in (await cpu.read()).items()})
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        if cpu is not None:
            for part, value in (await cpu.read()).items():
                window[part] = window.get(part, 0.0) + value

    connector = TCPConnector(limit=connections)
    async with ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(watch(), *(worker(i, session) for i in range(connections)))
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    nan = float("nan")
    return Result(
        rate=len(latencies) / seconds,
        p50=pct(0.50) if latencies else nan,
        p99=pct(0.99) if latencies else nan,
        mean=statistics.fmean(latencies) * 1000 if latencies else nan,
        errors=errors,
        count=len(latencies),
        seconds=seconds,
        cpu=window,
    )


# -- CPU accounting ----------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # utime, stime


@dataclass
class CpuMeter:
    """CPU seconds so far of the servers and of the PostgreSQL backends serving one database
    (PostgreSQL runs on this machine; its backends are processes we can read)."""

    servers: list[int]
    pg_admin_url: str | None = None
    pg_database: str | None = None
    _pg_seen: dict[int, float] = field(default_factory=dict)

    async def read(self) -> dict[str, float]:
        parts = {"server": sum(process_cpu(pid) for pid in self.servers)}
        if self.pg_admin_url and self.pg_database:
            pids = await pg_backends(self.pg_admin_url, self.pg_database)
            # A backend that ended keeps the value it had when last seen.
            for pid in pids:
                self._pg_seen[pid] = process_cpu(pid) or self._pg_seen.get(pid, 0.0)
            parts["postgres"] = sum(self._pg_seen.values())
        return parts


async def pg_backends(admin_url: str, database: str) -> list[int]:
    conn = await pg_connect(admin_url)
    try:
        # Client backends only: autovacuum workers of a freshly seeded database are not a turn's.
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 "
            "AND backend_type = 'client backend'",
            database,
        )
    finally:
        await conn.close()
    return [row["pid"] for row in rows]


# -- PostgreSQL databases of the benchmarks ----------------------------------------------------


def with_database(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=database).render_as_string(hide_password=False)


async def pg_connect(url: str, database: str | None = None):  # type: ignore[no-untyped-def]
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if database is not None:
        parsed = parsed.set(database=database)
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.connect(dsn)


async def create_pg_database(admin_url: str, name: str, *, replace: bool = True) -> str:
    """A new, empty database next to the admin URL's; its SQLAlchemy URL."""
    conn = await pg_connect(admin_url)
    try:
        if replace:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin_url, name)


async def pg_database_exists(admin_url: str, name: str) -> bool:
    conn = await pg_connect(admin_url)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


async def drop_pg_database(admin_url: str, name: str) -> None:
    conn = await pg_connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# -- energobot servers -------------------------------------------------------------------------


def energobot_command(*args: str) -> list[str]:
    # `python -m energobot` is the `energobot` command, also where the script was not installed.
    return [sys.executable, "-m", "energobot", *args]


def energobot_env(database_url: str, sink_port: int, port: int | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "ENERGOBOT_CONFIG": str(ROOT / "config.yaml"),
        "ENERGOBOT_DATABASE__URL": database_url,
        "ENERGOBOT_TELEGRAM__ENABLED": "true",
        "ENERGOBOT_TELEGRAM__TOKEN": TOKEN,
        "ENERGOBOT_TELEGRAM__WEBHOOK_SECRET": SECRET,
        "ENERGOBOT_TELEGRAM__API_BASE": f"http://127.0.0.1:{sink_port}",
        "ENERGOBOT_LOGGING__LEVEL": "WARNING",
        "ENERGOBOT_CONSOLE__SESSION_KEY": "bench-session-key-not-a-secret",
        # Turns only: the notice jobs would send a seeded million customers their debt reminders
        # in the middle of the measurement, and retention would purge earlier runs' rows.
        "ENERGOBOT_NOTICES__ENABLED": "false",
        "ENERGOBOT_RETENTION__ENABLED": "false",
    }
    if port is not None:
        env["ENERGOBOT_SERVER__PORT"] = str(port)
    return env


def spawn(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """A server process (started before any load, so blocking here costs nothing)."""
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL)


def run_energobot(database_url: str, sink_port: int, workdir: Path, *args: str) -> None:
    """A one-off command (migrate, demo) on the benchmark's database."""
    subprocess.run(
        energobot_command(*args),
        env=energobot_env(database_url, sink_port),
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextlib.asynccontextmanager
async def energobot_servers(
    database_url: str, processes: int, sink_port: int, workdir: Path, *, demo: bool = True
) -> AsyncIterator[tuple[list[str], list[int]]]:
    """`processes` × `energobot serve --no-migrate` on one database, migrated (and given the
    demo data) once beforehand, as a rollout does; yields their webhook URLs and pids."""
    run_energobot(database_url, sink_port, workdir, "migrate")
    if demo:
        run_energobot(database_url, sink_port, workdir, "demo")
    ports = [free_port() for _ in range(processes)]
    servers = [
        spawn(
            energobot_command("serve", "--no-migrate"),
            energobot_env(database_url, sink_port, port),
            workdir,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, servers, strict=True):
            await wait_ready(f"http://127.0.0.1:{port}/readyz", process)
        yield [f"http://127.0.0.1:{p}/webhooks/telegram" for p in ports], [s.pid for s in servers]
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


ENERGOBOT_HEADERS = {
    "X-Telegram-Bot-Api-Secret-Token": SECRET,
    "Content-Type": "application/json",
}


# -- orchestration ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    async with ClientSession() as session:
        for _ in range(1200):
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status == 200 or (response.status < 500 and "readyz" not in url):
                        return
            except OSError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@dataclass(frozen=True)
class Row:
    kind: str  # bare | aiogram | energobot
    db: str = "sqlite"
    processes: int = 1

    @property
    def name(self) -> str:
        if self.kind == "bare":
            return "bare aiohttp (200, no work)"
        if self.kind == "aiogram":
            return "aiogram + 1 insert/commit (SQLite)"
        db = "SQLite" if self.db == "sqlite" else "PostgreSQL"
        procs = "1 process" if self.processes == 1 else f"{self.processes} processes"
        return f"energobot whole path ({db}, {procs})"


# A row of the table: what ran, at how many connections, and what it did.
Measured = tuple[Row, int, Result]


async def measure_baseline(row: Row, connections: list[int], seconds: float) -> list[Measured]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        command = [sys.executable, __file__, "--serve", row.kind, str(port), f"{tmp}/ag.db"]
        process = spawn(command, dict(os.environ), Path(tmp))
        try:
            url = f"http://127.0.0.1:{port}/webhook"
            await wait_ready(f"http://127.0.0.1:{port}/", process)
            cpu = CpuMeter([process.pid])
            for conns in connections:
                result = await load(
                    [url], {"Content-Type": "application/json"}, conns, seconds, cpu=cpu
                )
                results.append((row, conns, result))
        finally:
            process.terminate()
            process.wait(timeout=30)
    return results


async def measure_energobot(
    row: Row, connections: list[int], seconds: float, sink_port: int, pg_admin_url: str
) -> list[Measured]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        pg_name = None
        if row.db == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp}/energobot.db"
        else:
            pg_name = f"bench_webhook_{os.getpid()}"
            url = await create_pg_database(pg_admin_url, pg_name)
        try:
            async with energobot_servers(url, row.processes, sink_port, Path(tmp)) as (urls, pids):
                await introduce(urls)
                cpu = CpuMeter(pids, pg_admin_url if pg_name else None, pg_name)
                for conns in connections:
                    result = await load(urls, ENERGOBOT_HEADERS, conns, seconds, cpu=cpu)
                    results.append((row, conns, result))
        finally:
            if pg_name is not None:
                await drop_pg_database(pg_admin_url, pg_name)
    return results


async def introduce(urls: Sequence[str], connections: int = 16) -> None:
    """Each of the USERS customers writes once, unmeasured: the rows then measure a returning
    customer's message. A first contact — the customer made, the consent asked — happens
    once per customer; left in, it would be most of the first row and none of the next."""
    users = iter(range(USERS))
    start_id = int(time.time() * 1000) % 10**9 * 10 - 10 * USERS  # below load()'s ids

    async def worker(session: ClientSession) -> None:
        for user in users:
            url = urls[user % len(urls)]
            data = update_body(start_id + user, 10_000 + user)
            async with session.post(url, data=data, headers=ENERGOBOT_HEADERS) as r:
                await r.read()

    connector = TCPConnector(limit=connections)
    async with ClientSession(connector=connector, timeout=ClientTimeout(total=30)) as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {model or cpu}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start"
    )


def fmt(value: float, digits: int = 1) -> str:
    return "–" if value != value else f"{value:.{digits}f}"  # NaN: not measured


def print_table(results: list[Measured], seconds: float) -> None:
    bare = {conns: r.rate for row, conns, r in results if row.kind == "bare"}
    print(
        f"| {'server':42} | conns | updates/s | p50 ms | p99 ms | errors "
        "| vs bare | server CPU ms/upd | PG CPU ms/upd |"
    )
    print(
        f"|{'-' * 44}|------:|----------:|-------:|-------:|-------:|--------:"
        "|------------------:|--------------:|"
    )
    for row, conns, r in results:
        ratio = r.rate / bare[conns] if bare.get(conns) else float("nan")
        print(
            f"| {row.name:42} | {conns:5} | {r.rate:9.0f} | {fmt(r.p50):>6} | {fmt(r.p99):>6} "
            f"| {r.errors:6} | {fmt(ratio, 3):>7} | {fmt(r.cpu_ms_per_update('server'), 2):>17} "
            f"| {fmt(r.cpu_ms_per_update('postgres'), 2):>13} |"
        )


async def main(args: argparse.Namespace) -> None:
    connections = [int(c) for c in args.connections.split(",")]
    rows = [Row(kind) for kind in args.baselines.split(",") if kind]
    for db in args.db.split(","):
        if db == "sqlite":
            rows.append(Row("energobot", "sqlite", 1))  # one file, one writer: one process
        elif db == "postgres":
            rows += [Row("energobot", "postgres", int(p)) for p in args.processes.split(",")]
        else:
            raise SystemExit(f"--db: unknown database {db!r} (sqlite, postgres)")
    print(f"# {machine()}; {args.seconds:.0f} s per row after {WARMUP_SECONDS} s warm-up")
    runner, sink_port, received = await start_sink()
    results = []
    try:
        for row in rows:
            if row.kind == "energobot":
                results += await measure_energobot(
                    row, connections, args.seconds, sink_port, args.pg_url
                )
            else:
                results += await measure_baseline(row, connections, args.seconds)
    finally:
        await runner.cleanup()
    print_table(results, args.seconds)
    print(f"# replies the sender delivered to the Bot API during the run: {len(received)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        kind, port = sys.argv[2], int(sys.argv[3])
        serve_bare(port) if kind == "bare" else serve_aiogram(port, sys.argv[4])
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per row")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--processes", default="1,2", help="energobot processes per PostgreSQL row")
    parser.add_argument("--baselines", default="bare,aiogram", help="bare, aiogram; '' for none")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", PG_ADMIN_URL),
        help="a PostgreSQL URL whose server may get bench_* databases (env BENCH_PG_URL)",
    )
    asyncio.run(main(parser.parse_args()))
