"""The organization's security policy: portals/{id}/securityPolicy and securityPolicy/update
(sharing-api.md §3.7).

Stored in the organization's settings as {"passwordPolicy": {...}, "lockoutPolicy": {...}},
the shape domain/password_policy reads.  An update sets the whole password policy: a rule
left out takes its default (minLength 8, a letter and a digit, nothing else), and `null`
switches a rule off; the lockout rules (geoshare's `lockoutAttempts` and `lockoutMinutes`) keep
their values when left out.  A new policy applies to passwords set from then on: passwords
already set keep working, so a stricter policy never locks anybody out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoshare.domain import password_policy
from geoshare.domain.portal import own_org
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import InvalidParameter
from geoshare.settings import Settings
from geoshare.storage import orgs as org_store
from geoshare.storage.records import Org

MESSAGE = "Unable to update the security policy."
# name -> (lowest, highest, may be null)
PASSWORD_RULES: dict[str, tuple[int, int, bool]] = {
    "minLength": (8, 1000, False), "minUpper": (1, 1000, True), "minLower": (1, 1000, True),
    "minLetter": (1, 1000, True), "minDigit": (1, 1000, True), "minOther": (1, 1000, True),
    "expirationInDays": (1, 1095, True), "historySize": (1, 24, True),
}
# update parameter -> (stored name, lowest, highest)
LOCKOUT_RULES: dict[str, tuple[str, int, int]] = {
    "lockoutAttempts": ("attempts", 1, 100), "lockoutMinutes": ("lockoutMinutes", 1, 1440),
}
PARAMETERS = (*PASSWORD_RULES, *LOCKOUT_RULES)


def lockout_policy(org: Org | None, settings: Settings) -> dict[str, int]:
    """How many failures within how many minutes lock an account of `org` (the server's
    settings until the organization sets its own)."""
    stored: dict[str, Any] = ((org.settings if org else {}).get("securityPolicy") or {}).get("lockoutPolicy") or {}
    return {"attempts": int(stored.get("attempts") or settings.lockout_attempts),
            "lockoutMinutes": int(stored.get("lockoutMinutes") or settings.lockout_minutes)}


def policy_document(org: Org, settings: Settings) -> dict[str, Any]:
    return {"passwordPolicy": password_policy.password_policy(org), "lockoutPolicy": lockout_policy(org, settings)}


async def get_security_policy(svc: Services, viewer: Principal, portal_id: str) -> dict[str, Any]:
    """GET portals/{id}/securityPolicy."""
    return policy_document(own_org(viewer, portal_id), svc.settings)


def _number(name: str, raw: str, low: int, high: int, nullable: bool) -> int | None:
    if raw.lower() == "null" and nullable:
        return None
    try:
        value = int(raw)
    except ValueError:
        allowed = "an integer or null" if nullable else "an integer"
        raise InvalidParameter(MESSAGE, [f"'{name}' must be {allowed}."]) from None
    if not low <= value <= high:
        raise InvalidParameter(MESSAGE, [f"'{name}' must be {low} to {high}{' or null' if nullable else ''}."])
    return value


def _password_rules(raw: dict[str, str | None]) -> dict[str, int | None]:
    rules = dict(password_policy.DEFAULT_PASSWORD_POLICY)
    for name, (low, high, nullable) in PASSWORD_RULES.items():
        if raw.get(name) is not None:
            rules[name] = _number(name, str(raw[name]), low, high, nullable)
    return rules


def _lockout_rules(raw: dict[str, str | None]) -> dict[str, int]:
    return {stored: int(_number(name, str(raw[name]), low, high, False) or 0)
            for name, (stored, low, high) in LOCKOUT_RULES.items() if raw.get(name) is not None}


async def update_security_policy(svc: Services, viewer: Principal, portal_id: str,
                                 raw: dict[str, str | None]) -> dict[str, Any]:
    """POST portals/{id}/securityPolicy/update: every value checked before anything is stored."""
    org = own_org(viewer, portal_id)
    password = _password_rules(raw)
    lockout = _lockout_rules(raw)
    await svc.db.write(_store, org.id, password, lockout, svc.clock.now_ms())
    return {"success": True}


def _store(conn: Connection, org_id: str, password: dict[str, int | None], lockout: dict[str, int], now: int) -> None:
    org = org_store.org_for_update(conn, org_id)
    assert org is not None  # the caller's own organization
    current = dict(org.settings.get("securityPolicy") or {})
    kept = {**(current.get("lockoutPolicy") or {}), **lockout}
    policy = {**current, "passwordPolicy": password, **({"lockoutPolicy": kept} if kept else {})}
    org_store.update_org(conn, org_id, settings={**org.settings, "securityPolicy": policy}, modified=now)
