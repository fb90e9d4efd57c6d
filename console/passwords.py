"""Operators' passwords: argon2id hashes (argon2-cffi), a minimum length."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def too_short(password: str, min_length: int) -> bool:
    return len(password) < min_length


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password anyone has")


async def verify_async(password_hash: str | None, password: str) -> bool:
    """Verify off the event loop (argon2 takes tens of milliseconds on purpose). An unknown
    login is checked against a dummy hash, so it takes as long as a wrong password."""
    if password_hash is None:
        await asyncio.to_thread(verify, _dummy_hash(), password)
        return False
    return await asyncio.to_thread(verify, password_hash, password)


async def hash_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)
