"""Every conversation story of tests/conversations/stories, each on a fresh database."""

from __future__ import annotations

import pytest

from storage.database import Database
from tests.conversations.runner import play
from tests.conversations.story import Story, load_stories

STORIES = load_stories()


def test_there_are_stories_for_every_flow() -> None:
    flows = {story.flow for story in STORIES}
    assert len(STORIES) >= 150, len(STORIES)
    assert {"readings", "link", "balance", "visits", "policy"} <= flows


@pytest.mark.parametrize("story", STORIES, ids=[s.name for s in STORIES])
async def test_story(story: Story, database: Database) -> None:
    await play(story, database)
