"""NLU benchmark: accuracy, macro-F1, a confusion table, entity exactness and speed.

    .venv/bin/python bench/nlu.py              # the dev split (never trained or tuned on)
    .venv/bin/python bench/nlu.py --split train --misses
    .venv/bin/python bench/nlu.py --startup --worst  # start-up of `energobot nlu`, bad inputs

Messages go through exactly what `energobot nlu` runs (analyze() and the JSON record). Speed is
measured on one core the way the command meets new text: dictionaries loaded and warmed up, but
the per-word caches emptied first, so every word of the split is looked up for the first time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as `python bench/nlu.py` from anywhere
    sys.path.insert(0, str(ROOT))

from dialogs.nlu import Intent, analyze, classifier, warm_up  # noqa: E402
from dialogs.nlu.build_model import TRAINING_FILE  # noqa: E402
from dialogs.nlu.morphology import dictionary_form, name_likeness  # noqa: E402
from dialogs.nlu.numbers import numbers_in_words  # noqa: E402
from dialogs.nlu.record import analysis_record  # noqa: E402
from dialogs.nlu.vocabulary import resolve, resolve_exact, resolve_full  # noqa: E402

DATA = ROOT / "tests" / "nlu" / "data"  # the held-out splits; train lives with the NLU
INTENTS = [intent.value for intent in Intent]
Reading = tuple[str, Decimal]  # (zone or register or "", value)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    readings: tuple[Reading, ...]
    accounts: tuple[str, ...]


def split_file(split: str) -> Path:
    return TRAINING_FILE if split == TRAINING_FILE.stem else DATA / f"{split}.tsv"


def load(split: str) -> list[Example]:
    examples = []
    for number, line in enumerate(split_file(split).read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        intent, text, *rest = line.split("\t")
        if intent not in INTENTS:
            raise SystemExit(f"{split}.tsv:{number}: unknown intent {intent!r}")
        readings, accounts = parse_entities(rest[0] if rest else "")
        examples.append(Example(text, intent, readings, accounts))
    return examples


def parse_entities(column: str) -> tuple[tuple[Reading, ...], tuple[str, ...]]:
    """`r=day:23415,night:8120 a=5901234567` (see tests/nlu/data/README.md)."""
    readings: list[Reading] = []
    accounts: list[str] = []
    for part in column.split():
        key, _, value = part.partition("=")
        if key == "r":
            for item in value.split(","):
                label, _, number = item.rpartition(":")
                readings.append((label, Decimal(number)))
        elif key == "a":
            accounts.extend(value.split(","))
        else:
            raise ValueError(f"unknown entity key in {part!r}")
    return tuple(readings), tuple(accounts)


@dataclass(slots=True)
class Outcome:
    example: Example
    intent: str
    confidence: float
    readings: tuple[Reading, ...]
    accounts: tuple[str, ...]
    ms: float  # wall clock: what a customer waits
    cpu_ms: float  # this thread's CPU time: the same without other processes' share


def run(examples: Sequence[Example]) -> list[Outcome]:
    for cache in (
        resolve,
        resolve_exact,
        resolve_full,
        dictionary_form,
        name_likeness,
        numbers_in_words,
    ):
        cache.cache_clear()
    classifier._recent.clear()
    outcomes = []
    for example in examples:
        started, cpu_started = time.perf_counter(), time.thread_time()
        record = analysis_record(analyze(example.text))
        ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.thread_time() - cpu_started) * 1000
        entities = record["entities"]
        readings = tuple(
            (r["zone"] or r["register"] or "", Decimal(r["value"])) for r in entities["readings"]
        )
        outcomes.append(
            Outcome(
                example,
                record["intent"],
                record["confidence"],
                readings,
                tuple(entities["accounts"]),
                ms,
                cpu_ms,
            )
        )
    return outcomes


def f1_scores(outcomes: Sequence[Outcome]) -> dict[str, float]:
    scores = {}
    for intent in INTENTS:
        tp = sum(o.intent == intent and o.example.intent == intent for o in outcomes)
        predicted = sum(o.intent == intent for o in outcomes)
        actual = sum(o.example.intent == intent for o in outcomes)
        if not actual and not predicted:
            continue
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        total = precision + recall
        scores[intent] = 2 * precision * recall / total if total else 0.0
    return scores


SHORT = {
    "submit_reading": "read",
    "balance_debt": "bal",
    "tariff_question": "tarif",
    "technician_call": "tech",
    "receipt": "rcpt",
    "payment": "pay",
    "operator_request": "oper",
    "change_contacts": "cont",
    "outage_report": "outg",
    "other": "other",
}


def confusion(outcomes: Sequence[Outcome]) -> str:
    pairs = Counter((o.example.intent, o.intent) for o in outcomes)
    header = "expected \\ got".ljust(17) + "".join(SHORT[i].rjust(6) for i in INTENTS)
    rows = [header]
    for expected in INTENTS:
        cells = "".join(
            (str(pairs[(expected, got)]) if pairs[(expected, got)] else ".").rjust(6)
            for got in INTENTS
        )
        rows.append(expected.ljust(17) + cells)
    return "\n".join(rows)


def report(split: str, outcomes: Sequence[Outcome], show_misses: bool) -> None:
    n = len(outcomes)
    correct = sum(o.intent == o.example.intent for o in outcomes)
    f1 = f1_scores(outcomes)
    times = sorted(o.ms for o in outcomes)
    readings_ok = sum(o.readings == o.example.readings for o in outcomes)
    accounts_ok = sum(o.accounts == o.example.accounts for o in outcomes)
    print(f"split {split}: {n} utterances")
    print(f"  accuracy            {correct / n:.3f}  ({correct}/{n})")
    print(f"  macro-F1            {statistics.fmean(f1.values()):.3f}")
    print(f"  readings exact      {readings_ok}/{n}")
    print(f"  accounts exact      {accounts_ok}/{n}")
    cpu = sorted(o.cpu_ms for o in outcomes)
    p99 = min(n - 1, int(n * 0.99))
    print(
        f"  ms per utterance    mean {statistics.fmean(times):.3f}, "
        f"p99 {times[p99]:.3f}, max {times[-1]:.3f} (wall clock, new words, one core)"
    )
    print(
        f"  cpu ms              mean {statistics.fmean(cpu):.3f}, "
        f"p99 {cpu[p99]:.3f}, max {cpu[-1]:.3f} (without the waits of a loaded machine)"
    )
    print("  F1 per intent       " + ", ".join(f"{SHORT[i]} {s:.2f}" for i, s in f1.items()))
    print()
    print(confusion(outcomes))
    if show_misses:
        print()
        for o in outcomes:
            wrong = []
            if o.intent != o.example.intent:
                wrong.append(f"{o.example.intent} -> {o.intent} ({o.confidence:.2f})")
            if o.readings != o.example.readings:
                wrong.append(f"readings {o.readings}")
            if o.accounts != o.example.accounts:
                wrong.append(f"accounts {o.accounts}")
            if wrong:
                print(f"  {o.example.text!r}: " + "; ".join(wrong))


# Pathological messages: the most work the entity rules and the classifier can be made to do.
def worst_inputs() -> dict[str, str]:
    rng = random.Random(7)
    letters = "абвгдежзийклмнопрстуфхцчшщыэюя0123456789 .,-"
    return {
        "«9 » x 2500": "9 " * 2500,
        "«день 1 » x 1000": "день 1 " * 1000,
        "«59-» x 1000": "59-" * 1000,
        "«1» x 5000": "1" * 5000,
        "«12 345 » x 700": "12 345 " * 700,
        "«сто » x 250": "сто " * 250,
        "«двадцать три тысячи » x 50": "двадцать три тысячи " * 50,
        "5000 random characters": "".join(rng.choice(letters) for _ in range(5000)),
    }


def report_worst() -> None:
    print("worst cases (cpu ms of analysis and record; best and worst of 5 runs):")
    for name, text in worst_inputs().items():
        runs = []
        for _ in range(5):
            numbers_in_words.cache_clear()
            classifier._recent.clear()  # each run analyses it afresh
            started = time.thread_time()
            analysis_record(analyze(text))
            runs.append((time.thread_time() - started) * 1000)
        print(f"  {name:26s} {min(runs):6.2f} {max(runs):6.2f}")


def report_startup(rounds: int = 3) -> None:
    """Wall clock from starting `energobot nlu` to its exit on empty input: interpreter,
    imports, warm-up. The CLI's own imports (every command's modules) are part of it."""
    command = [str(Path(sys.executable).with_name("energobot")), "nlu"]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, input=b"", capture_output=True, check=True)
        times.append((time.perf_counter() - started) * 1000)
    best, median = min(times), statistics.median(times)
    print(f"start-up of `energobot nlu`: best {best:.0f} ms, median {median:.0f} ms")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    splits = sorted([TRAINING_FILE.stem, *(path.stem for path in DATA.glob("*.tsv"))])
    parser.add_argument("--split", choices=[*splits, "all"], default="dev")
    parser.add_argument("--misses", action="store_true", help="list every wrong answer")
    parser.add_argument("--startup", action="store_true", help="time `energobot nlu` start-up")
    parser.add_argument("--worst", action="store_true", help="time pathological inputs")
    args = parser.parse_args(argv)
    if args.startup:
        report_startup()
    started = time.perf_counter()
    warm_up()
    print(f"warm-up {1000 * (time.perf_counter() - started):.0f} ms")
    if args.worst:
        report_worst()
    for split in splits if args.split == "all" else (args.split,):
        report(split, run(load(split)), args.misses)
        print()


if __name__ == "__main__":
    main()
