"""Fixtures of the fake's own tests."""

from tests.fakes.vk.fixtures import fake_vk

__all__ = ["fake_vk"]
