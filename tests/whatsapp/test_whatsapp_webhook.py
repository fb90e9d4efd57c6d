"""POST /webhooks/whatsapp of the real app: every recorded body, batches, duplicates, statuses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.tables import customers
from tests.fakes.graph import webhooks as build
from tests.fakes.graph.payloads import load_payload, payload_names
from tests.meta.harness import Harness, senders
from tests.whatsapp.test_whatsapp_parse import EXPECTED

USER = "79195550177"


@pytest.mark.parametrize("name", payload_names("whatsapp"))
async def test_every_recorded_body_is_taken_and_answered_once(meta: Harness, name: str) -> None:
    body = load_payload("whatsapp", name)
    sent = await meta.deliver("whatsapp", body)
    turns = len(EXPECTED[name])
    answered = {s.recipient for s in sent}
    assert answered == (senders("whatsapp", body) if turns else set())
    assert len(await meta.inbox()) == turns
    again = await meta.deliver("whatsapp", body)  # Meta delivers at least once
    assert again == [] and len(await meta.inbox()) == turns
    assert meta.fake.refused == []


async def test_a_batch_of_entries_answers_each_customer(meta: Harness) -> None:
    sent = await meta.deliver("whatsapp", load_payload("whatsapp", "batch_entries"))
    assert {s.recipient for s in sent} == {USER, "79195550188"}
    names = {row["display_name"] for row in await meta.rows(select(customers))}
    assert names == {"Ирина Соколова", "Олег"}


async def test_a_batch_of_messages_takes_three_turns_in_order(meta: Harness) -> None:
    await meta.deliver("whatsapp", load_payload("whatsapp", "batch_messages"))
    texts = [row["body"]["text"] for row in await meta.inbox()]
    assert texts == ["добрый день", "меню", "оператор"]
    conversation = await meta.conversation("whatsapp", USER)
    assert conversation["status"] == "waiting_operator"


async def test_a_repeated_id_in_one_body_is_one_turn(meta: Harness) -> None:
    sent = await meta.deliver("whatsapp", load_payload("whatsapp", "repeated_id"))
    assert len(await meta.inbox()) == 1
    assert len(await meta.outbox(USER)) == len(sent) > 0


async def test_statuses_are_recorded_on_the_outbox_row(meta: Harness) -> None:
    await meta.wa_say(USER, "меню")
    (row,) = await meta.outbox(USER)
    wamid = row["platform_message_id"]
    assert wamid and wamid.startswith("wamid.")
    statuses = [build.wa_status(wamid, s, USER) for s in ("read", "sent", "delivered")]
    body = build.wa_notification(build.wa_value(statuses=statuses))
    assert (await meta.post("whatsapp", body))[0] == 200
    (row,) = await meta.outbox(USER)
    assert row["delivery"] == "read"  # never backwards, whatever the order
    error = {"code": 131026, "title": "Message undeliverable", "error_data": {"details": "x"}}
    failed = build.wa_status(wamid, "failed", USER, errors=[error])
    assert (await meta.post("whatsapp", build.wa_notification(build.wa_value(statuses=[failed]))))[
        0
    ] == 200
    (row,) = await meta.outbox(USER)
    assert row["delivery"] == "failed" and "131026" in row["delivery_error"]
    assert len(await meta.inbox()) == 1  # receipts are no turns


async def test_the_2026_ids_key_one_customer_and_replies_go_to_it(meta: Harness) -> None:
    sent = await meta.deliver("whatsapp", load_payload("whatsapp", "text_username_only"))
    bsuid = "RU.88127734655302741003"
    assert {s.recipient for s in sent} == {bsuid}
    assert all(s.body.get("recipient") == bsuid and "to" not in s.body for s in sent)
    (customer,) = await meta.rows(select(customers))
    assert customer["user_id"] == bsuid and customer["channel"] == "whatsapp"
