"""Open live-update streams beside the webhook: what a flood of console streams costs the server
and the customers' turns (issue 18 found 200 streams of one operator taking the server to 97 %
CPU and the webhook's median from 8 to 82 ms: every stream polled the database every second).

    .venv/bin/python bench/streams.py [--streams 200] [--seconds 6] [--connections 16]

One `energobot serve` on SQLite with the demo data. The webhook's load (bench/webhook.py's) runs
with no stream open, then with `--streams` attempts at /console/events by a few logged-in
operators' sessions from one address — the stream caps admit some, refuse the rest with 429 —
and the server's CPU per update and the webhook's median and p99 are compared in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from aiohttp import ClientResponse, ClientSession, ClientTimeout, CookieJar
from webhook import (  # bench/ is the script's directory, so on sys.path
    ENERGOBOT_HEADERS,
    CpuMeter,
    Result,
    energobot_command,
    energobot_env,
    energobot_servers,
    load,
    start_sink,
)

PASSWORD = "bench-streams-password-7Qx"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SESSIONS = 12  # operators' logins the streams are opened by (a cap is per session)


async def login(base: str, login_name: str) -> ClientSession:
    session = ClientSession(cookie_jar=CookieJar(unsafe=True), timeout=ClientTimeout(total=None))
    async with session.get(f"{base}/console/login") as page:
        token = CSRF.search(await page.text())
    assert token, "no CSRF token on the login page"
    form = {"login": login_name, "password": PASSWORD, "csrf": token.group(1)}
    async with session.post(f"{base}/console/login", data=form, allow_redirects=False) as r:
        assert r.status in (302, 303), f"login {login_name}: {r.status}"
    return session


async def open_streams(
    base: str, sessions: list[ClientSession], count: int
) -> tuple[list[ClientResponse], int]:
    """`count` attempts at /console/events, spread over `sessions`: the open responses (kept
    open) and how many were refused."""
    opened, refused = [], 0
    for n in range(count):
        response = await sessions[n % len(sessions)].get(f"{base}/console/events")
        if response.status == 200:
            opened.append(response)
        else:
            refused += 1
            response.release()
    return opened, refused


def add_operators(database_url: str, sink_port: int, workdir: Path) -> None:
    for n in range(SESSIONS):
        subprocess.run(
            energobot_command("operators", "add", f"op{n}", "--role", "operator"),
            input=f"{PASSWORD}\n".encode(),
            env=energobot_env(database_url, sink_port),
            cwd=workdir,
            check=True,
            stdout=subprocess.DEVNULL,
        )


async def idle_cpu(meter: CpuMeter, seconds: float) -> float:
    """The server's CPU while nothing but its own timers and the open streams run, in % of
    one core."""
    before = (await meter.read())["server"]
    await asyncio.sleep(seconds)
    return ((await meter.read())["server"] - before) / seconds * 100


def row(label: str, result: Result) -> str:
    cpu = result.cpu_ms_per_update("server")
    return f"| {label} | {result.rate:.0f} | {result.p50:.1f} | {result.p99:.1f} | {cpu:.2f} |"


async def main(args: argparse.Namespace) -> None:
    sink, sink_port, _ = await start_sink()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
            async with energobot_servers(url, 1, sink_port, workdir) as (urls, pids):
                add_operators(url, sink_port, workdir)
                base = urls[0].rsplit("/webhooks/", 1)[0]
                meter = CpuMeter(pids)
                connections, seconds = args.connections, args.seconds
                await load(urls, ENERGOBOT_HEADERS, connections, 2.0)  # warm: caches, NLU
                quiet = await load(urls, ENERGOBOT_HEADERS, connections, seconds, cpu=meter)
                idle = await idle_cpu(meter, seconds)
                sessions = [await login(base, f"op{n}") for n in range(SESSIONS)]
                opened, refused = await open_streams(base, sessions, args.streams)
                await asyncio.sleep(2)  # the streams settle into their polls
                idle_streams = await idle_cpu(meter, seconds)
                flooded = await load(urls, ENERGOBOT_HEADERS, connections, seconds, cpu=meter)
                for response in opened:
                    response.close()
                for session in sessions:
                    await session.close()
    finally:
        await sink.cleanup()
    print(f"{args.streams} stream attempts: {len(opened)} open, {refused} refused (429)")
    print(
        f"server CPU with no other load: {idle:.1f} % of one core with no stream open, "
        f"{idle_streams:.1f} % with {len(opened)}"
    )
    print("| webhook | updates/s | p50 ms | p99 ms | server CPU ms/update |")
    print("|---|---|---|---|---|")
    print(row("no stream open", quiet))
    print(row(f"{len(opened)} streams open", flooded))
    print(f"median ratio (streams / none): {flooded.p50 / quiet.p50:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--connections", type=int, default=16)
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
