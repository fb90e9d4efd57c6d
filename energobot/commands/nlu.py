"""`energobot nlu`: what the bot understands of each line of standard input."""

from __future__ import annotations

import io
import json
import sys
import time
from typing import TextIO

import click

# dialogs.nlu (pymorphy3, rapidfuzz, the tables) is imported when the command runs, not when the
# CLI is built: `energobot --help` and the other commands do not pay for it.


@click.command()
@click.option(
    "--alternatives", is_flag=True, help="Add every scored intent with its confidence, best first."
)
def nlu(alternatives: bool) -> None:
    """Classify one customer message per input line; print one JSON line per message.

    \b
    {"text": "показания день 23415 ночь 8120", "intent": "submit_reading",
     "confidence": 0.93, "topic": null,
     "entities": {"readings": [{"zone": "day", "register": null, "value": "23415"},
                               {"zone": "night", "register": null, "value": "8120"}],
                  "accounts": [], "phones": [], "dates": [], "months": [], "kwh": [],
                  "serials": []},
     "ms": 0.142}

    \b
    intent      submit_reading, balance_debt, tariff_question, technician_call, receipt,
                payment, operator_request, change_contacts, outage_report or other
    confidence  0..1; the bot acts on 0.5 or more and asks which of the two likeliest
                intents was meant below that
    topic       what an «other» message is (greeting, thanks, link_account, reminders,
                office_hours, delete_data, ownership...), or the finer question of an
                intent: «estimate» (tariff_question) for a bill estimate, «my_visits»
                (technician_call) for the customer's own requests, «debt_restriction»,
                «bill_explain», «payment_missing», «refund», «instalment» (balance_debt),
                «wrong_account» (payment); null otherwise
    readings    zone: day, night, peak, semipeak or null; register: T1, T2, T3 when the
                customer named a register (т1/т2/t1); value: a decimal string as typed
    accounts    10-11 digits, spaces and dashes removed
    phones      +7 and 10 digits
    dates       «2026-05-23» with a year, «--05-23» without, «---23» for a bare day
                («с 23 по 25»)
    months      1-12, months named without a day («за май»)
    kwh         amounts of energy as decimal strings («250 квт», «нагорело 180 киловатт»,
                both in «180 квт днем и 70 ночью»)
    serials     meters' serial numbers, digits as typed: after «заводской номер», «№»,
                «s/n», or after «счетчик» when the number cannot be the reading
                («счетчик 41562093 показания 18400»); never also a reading
    ms          the time this message took: analysis and building its record, in
                milliseconds of wall clock (time.perf_counter), rounded to 0.001

    Numbers written in words count as numbers («шесть тысяч двести» is the reading
    6200); a number right after «лс», «л/с» or «лицевой счет» is never a reading.

    Start-up (loading the dictionaries and tables) happens before the first line is read.
    Input is read as UTF-8 (undecodable bytes are replaced); every line, even an empty
    one, gets exactly one output line, flushed at once so that the command works in a pipe.
    """
    from dialogs.nlu import warm_up

    warm_up()
    _utf8(sys.stdin)
    _utf8(sys.stdout)
    run(sys.stdin, sys.stdout, alternatives=alternatives)


def run(lines: TextIO, out: TextIO, *, alternatives: bool = False) -> None:
    from dialogs.nlu import analyze
    from dialogs.nlu.record import analysis_record

    for line in lines:
        text = line.rstrip("\r\n")
        started = time.perf_counter()
        record = analysis_record(analyze(text), alternatives=alternatives)
        record["ms"] = round((time.perf_counter() - started) * 1000, 3)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


def _utf8(stream: TextIO) -> None:
    """UTF-8 whatever the locale says; a stream that cannot be reconfigured (a test's) is
    already text."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(encoding="utf-8", errors="replace")
