"""Conversation stories: the success rate per flow, and what failed.

    .venv/bin/python bench/conversations.py            # every story of tests/conversations
    .venv/bin/python bench/conversations.py --flow readings --show 5

Each story runs exactly as under pytest (tests/conversations/runner.py: the way of `energobot
chat --json`, a fresh SQLite database, the billing fixture imported, the story's clock), here one
after the other on copies of one migrated database file.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as `python bench/conversations.py` from anywhere
    sys.path.insert(0, str(ROOT))

from storage.database import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.conversations.runner import StoryFailed, play  # noqa: E402
from tests.conversations.story import Story, load_stories  # noqa: E402


async def run(stories: list[Story], show: int) -> int:
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures: list[tuple[Story, str]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        await upgrade(f"sqlite+aiosqlite:///{template}")
        for story in stories:
            copy = Path(folder) / "story.db"
            shutil.copyfile(template, copy)
            database = Database(f"sqlite+aiosqlite:///{copy}")
            total[story.flow] += 1
            try:
                await play(story, database)
            except StoryFailed as exc:
                failures.append((story, str(exc)))
            except Exception as exc:  # a crash is a failure of the story, not of the bench
                failures.append((story, f"{type(exc).__name__}: {exc}"))
            else:
                passed[story.flow] += 1
            finally:
                await database.dispose()
                copy.unlink()
    seconds = time.perf_counter() - started
    print(f"{'flow':<10} {'passed':>7} {'stories':>8} {'rate':>6}")
    for flow in sorted(total):
        print(f"{flow:<10} {passed[flow]:>7} {total[flow]:>8} {passed[flow] / total[flow]:>6.0%}")
    all_passed, all_total = sum(passed.values()), sum(total.values())
    print(f"{'all':<10} {all_passed:>7} {all_total:>8} {all_passed / max(all_total, 1):>6.0%}")
    print(f"({seconds:.1f} s)")
    if failures:
        print(f"\n{len(failures)} failed:")
        for story, _reason in failures:
            print(f"- [{story.flow}] {story.name} ({story.source})")
        for story, reason in failures[:show]:
            print(f"\n=== {story.name}\n{reason}")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flow", help="only the stories of this flow")
    parser.add_argument("--name", help="only stories whose name contains this")
    parser.add_argument("--show", type=int, default=0, help="print this many failures in full")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the recovery turns log their exceptions
    stories = [
        s
        for s in load_stories()
        if (args.flow is None or s.flow == args.flow) and (args.name or "") in s.name
    ]
    sys.exit(asyncio.run(run(stories, args.show)))


if __name__ == "__main__":
    main()
