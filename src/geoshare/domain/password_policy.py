"""The organization's password policy (sharing-api.md §3.7 securityPolicy), applied wherever a
password is set: createUser, invite, a user's update, the CLI.

The policy lives in the organization's settings under `securityPolicy`; what is not set there
takes the defaults below, which are the portal's (8 characters, a letter and a digit).
"""

from __future__ import annotations

import re
from typing import Any

from geoshare.domain.services import Services
from geoshare.errors import InvalidParameter
from geoshare.storage import users as user_store
from geoshare.storage.records import Org, User

DEFAULT_PASSWORD_POLICY: dict[str, int | None] = {
    "minLength": 8, "minUpper": None, "minLower": None, "minLetter": 1, "minDigit": 1, "minOther": None,
    "expirationInDays": None, "historySize": None,
}
DAY_MS = 86_400_000
_CLASSES = {  # rule -> (pattern, singular, plural)
    "minUpper": (r"[A-Z]", "upper-case letter", "upper-case letters"),
    "minLower": (r"[a-z]", "lower-case letter", "lower-case letters"),
    "minLetter": (r"[A-Za-z]", "letter", "letters"),
    "minDigit": (r"[0-9]", "digit", "digits"),
    "minOther": (r"[^A-Za-z0-9]", "character that is neither a letter nor a digit",
                 "characters that are neither letters nor digits"),
}


def password_policy(org: Org | None) -> dict[str, int | None]:
    stored: dict[str, Any] = ((org.settings if org else {}).get("securityPolicy") or {}).get("passwordPolicy") or {}
    return {key: stored.get(key, default) for key, default in DEFAULT_PASSWORD_POLICY.items()}


def policy_problems(password: str, username: str, policy: dict[str, int | None]) -> list[str]:
    """Every rule `password` breaks, in words (empty when it is acceptable)."""
    problems = []
    min_length = policy.get("minLength") or 8
    if len(password) < min_length:
        problems.append(f"The password must have at least {min_length} characters.")
    for key, (pattern, one, many) in _CLASSES.items():
        need = policy.get(key)
        if need and len(re.findall(pattern, password)) < need:
            problems.append(f"The password must contain at least {need} {one if need == 1 else many}.")
    if password.lower() == username.lower():
        problems.append("The password must differ from the username.")
    return problems


def check_password(password: str, username: str, policy: dict[str, int | None] | None = None) -> str:
    """InvalidParameter naming every broken rule of `policy` (default: the portal's)."""
    problems = policy_problems(password or "", username, policy or DEFAULT_PASSWORD_POLICY)
    if problems:
        raise InvalidParameter("Invalid password.", problems)
    return password


def password_expired(password_changed: int, policy: dict[str, int | None], now: int) -> bool:
    days = policy.get("expirationInDays")
    if not days or password_changed <= 0:
        return False
    return now - password_changed > days * DAY_MS


async def check_new_password(svc: Services, user: User, org: Org | None, password: str) -> None:
    """A password `user` may set now: the organization's rules, and (with historySize N) none of
    the current and N-1 earlier passwords.  Every path that sets a password comes through here:
    a user's update, an administrator's reset, the command line."""
    policy = password_policy(org)
    check_password(password, user.username, policy)
    history = int(policy.get("historySize") or 0)
    if not history:
        return
    earlier = await svc.db.read(user_store.password_history_of, user.id, history - 1)
    for stored in (user.password_hash, *earlier):
        if stored and await svc.hasher.verify(stored, password):
            raise InvalidParameter("Invalid password.", [f"The password must differ from the last {history} passwords."])
