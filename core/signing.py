"""Signed claims in links (a payment, a reply's file): HMAC-SHA256, cut to `size` bytes and
URL-safe base64, checked in constant time. Each kind of link has its own derived key."""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature(key: bytes, claim: str, size: int) -> str:
    digest = hmac.new(key, claim.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:size]).rstrip(b"=").decode()


def signed(key: bytes, claim: str, given: str, size: int) -> bool:
    """Whether `given` is our signature of `claim` (bytes compared: compare_digest refuses a
    str with other than ASCII in it, and a link may be typed or mangled)."""
    return hmac.compare_digest(signature(key, claim, size).encode(), given.encode())
