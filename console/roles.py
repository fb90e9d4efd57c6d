"""Console roles: each can do what the ones below it can; who may read which conversation."""

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


def may_see(role: str, login: str, escalation_status: str | None, holder: str | None) -> bool:
    """Need to know: whether a console user may read a conversation (its transcript, notes and
    live updates), given its escalation (the active one, else the latest).

    Supervisors and admins see every conversation. An operator sees one whose escalation waits
    in the queue (to decide whether to take it) or that they hold themselves — not a colleague's,
    not a closed one, and not one the bot handled alone.
    """
    if at_least(role, Role.SUPERVISOR):
        return True
    if escalation_status == "waiting":
        return True
    return escalation_status == "claimed" and holder == login
