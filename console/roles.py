"""Console roles: each can do what the ones below it can."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


RANK = {Role.OPERATOR: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2}


def at_least(role: str, needed: Role) -> bool:
    try:
        return RANK[Role(role)] >= RANK[needed]
    except ValueError:
        return False


def may_manage(manager_role: str, target_role: str) -> bool:
    """Supervisors manage operators; admins manage everyone."""
    if at_least(manager_role, Role.ADMIN):
        return True
    return at_least(manager_role, Role.SUPERVISOR) and target_role == Role.OPERATOR
