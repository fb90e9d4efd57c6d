"""`energobot chat` with a reply that carries a file: saved to the folder (--attachments), named
in the JSON record with its path, a line with the path in the plain terminal."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from PIL import Image
from sqlalchemy import select

from dialogs.messages import Attachment, Reply
from energobot.cli import main
from energobot.commands.chat import _chat
from energobot.settings import DatabaseSettings, Settings
from storage.database import Database
from storage.tables import conversations, customers

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (255, 212, 59)).save(out, "PNG")
    return out.getvalue()


async def talk(settings: Settings, lines: list[str], folder: Path, *, json_mode: bool) -> str:
    stdin, stdout = io.StringIO("".join(f"{line}\n" for line in lines)), io.StringIO()
    await _chat(settings, "ivan", json_mode, True, stdin, stdout, folder)
    return stdout.getvalue()


async def queue(settings: Settings, replies: list[Reply]) -> None:
    """Replies queued outside a turn (as an operator's): the next line's flush sends them."""
    database = Database(settings.database.url)
    try:
        async with database.unit_of_work() as store:
            query = (
                select(conversations.c.id)
                .join(customers, customers.c.id == conversations.c.customer_id)
                .where(customers.c.channel == "terminal", customers.c.user_id == "ivan")
            )
            conversation = (await store.connection.execute(query)).scalar_one()
            for reply in replies:
                await store.outbox.add(
                    conversation, "terminal", "ivan", reply.to_dict(), datetime.now(UTC)
                )
            await store.commit()
    finally:
        await database.dispose()


def files() -> list[Reply]:
    return [
        Reply(
            "Квитанция за ноябрь",
            attachment=Attachment("../kvitanciya ноябрь.pdf", "application/pdf", _b64(PDF)),
        ),
        Reply("QR-код", attachment=Attachment("qr.png", "image/png", _b64(png()))),
    ]


def read(path: Path) -> bytes:
    return path.read_bytes()


def listed(folder: Path) -> list[Path]:
    return [path.resolve() for path in folder.iterdir()]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_json_records_name_the_saved_files(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database=DatabaseSettings(url=database_url))
    folder = tmp_path / "files"
    await talk(settings, ["/start"], folder, json_mode=True)
    await queue(settings, files())
    out = await talk(settings, ["меню"], folder, json_mode=True)
    (record,) = [json.loads(line) for line in out.splitlines()]
    with_files = [r for r in record["replies"] if "attachment" in r]
    assert [r["text"] for r in with_files] == ["Квитанция за ноябрь", "QR-код"]
    document, image = (r["attachment"] for r in with_files)
    assert document["type"] == "document" and document["filename"] == "../kvitanciya ноябрь.pdf"
    assert image["type"] == "image" and image["filename"] == "qr.png"
    saved = Path(document["path"])
    # In the folder, whatever the name says; the bytes as sent.
    assert saved.parent == folder.resolve() and saved.name.endswith("-kvitanciya_ноябрь.pdf")
    assert read(saved) == PDF
    assert read(Path(image["path"])) == png()
    assert all("attachment" not in r for r in record["replies"] if r not in with_files)


async def test_the_plain_terminal_prints_where_the_file_is(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database=DatabaseSettings(url=database_url))
    folder = tmp_path / "out"
    await talk(settings, ["/start"], folder, json_mode=False)
    await queue(settings, files()[:1])
    out = await talk(settings, ["меню"], folder, json_mode=False)
    (saved,) = listed(folder)
    assert f"📎 Файл сохранён: {saved}" in out
    assert read(saved) == PDF


def test_the_option_is_offered() -> None:
    result = CliRunner().invoke(main, ["chat", "--help"])
    assert result.exit_code == 0 and "--attachments" in result.output
    assert "var/attachments" in result.output
