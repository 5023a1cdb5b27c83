"""Account rules asserted to the word (mutation survivors of domain/accounts.py, issue 7): the
username and password rules on both sides of each boundary, the exact errors of create_org and
create_user, what a new user record holds, bootstrap's administrator, set_password."""

from __future__ import annotations

import pytest

from geoshare.domain import accounts
from geoshare.domain.accounts import NewUser, check_password, check_username
from geoshare.errors import Conflict, InvalidParameter, NotFound
from geoshare.storage import tokens as token_store
from geoshare.storage import users as user_store
from tests.conftest import DEFAULT_ORG

USERNAME_RULE = "A username has 1 to 128 characters: letters, digits and _ . @ -, starting with a letter or digit."
LENGTH = "The password must have at least 8 characters."
LETTER = "The password must contain at least 1 letter."
DIGIT = "The password must contain at least 1 digit."
DIFFER = "The password must differ from the username."


@pytest.mark.parametrize("name", ["", "_lead", "a" * 129, "has space"])
def test_bad_usernames_are_refused_to_the_word(name):
    with pytest.raises(InvalidParameter) as caught:
        check_username(name)
    assert (caught.value.message, caught.value.details) == ("Invalid username.", [USERNAME_RULE])


def test_good_usernames_pass():
    assert check_username("a") == "a"
    assert check_username("A" + "b" * 127) == "A" + "b" * 127


def _problems(password: str, username: str = "someone") -> list[str]:
    with pytest.raises(InvalidParameter) as caught:
        check_password(password, username)
    assert caught.value.message == "Invalid password."
    return caught.value.details


def test_password_length_boundary():
    assert check_password("abcdef12", "someone") == "abcdef12"  # exactly 8
    assert _problems("abcde12") == [LENGTH]


def test_password_needs_a_letter_and_a_digit():
    assert check_password("ABCDEF12", "someone") == "ABCDEF12"  # upper case letters count
    assert check_password("abcdef12", "someone") == "abcdef12"  # and lower case ones
    assert _problems("abcdefgh") == [DIGIT]
    assert _problems("12345678") == [LETTER]
    assert _problems("abc") == [LENGTH, DIGIT]


def test_password_must_differ_from_the_username_whatever_the_case():
    assert _problems("abcdef12", "ABCDEF12") == [DIFFER]
    assert _problems("ABCDEF12", "abcdef12") == [DIFFER]
    assert _problems("Abcdef12", "aBCDEF12") == [DIFFER]


async def test_create_org_name_bounds(svc):
    admin = NewUser("bounds_admin", "Other12345")
    for bad in ("", "   ", "n" * 251):
        with pytest.raises(InvalidParameter) as caught:
            await accounts.create_org(svc, bad, admin)
        assert (caught.value.message, caught.value.details) == (
            "Invalid organization name.", ["'name' must have 1 to 250 characters."])
    org, user = await accounts.create_org(svc, " " + "n" * 250 + " ", admin)
    assert org.name == "n" * 250 and user.role == "org_admin" and user.org_id == org.id


async def test_create_org_access(svc):
    org, _ = await accounts.create_org(svc, "Closed", NewUser("closed_admin", "Other12345"), access="private")
    assert org.access == "private"
    opened, _ = await accounts.create_org(svc, "Open", NewUser("open_admin", "Other12345"))
    assert opened.access == "public"
    with pytest.raises(InvalidParameter) as caught:
        await accounts.create_org(svc, "Odd", NewUser("odd_admin", "Other12345"), access="org")
    assert (caught.value.message, caught.value.details) == ("Invalid access.", ["'access' must be public or private."])


async def test_create_org_duplicate_name(svc):
    await accounts.create_org(svc, "Twice", NewUser("twice_admin", "Other12345"))
    with pytest.raises(Conflict) as caught:
        await accounts.create_org(svc, "Twice", NewUser("twice_admin2", "Other12345"))
    assert (caught.value.message, caught.value.details) == ("An organization with this name already exists.", ["Twice"])


async def test_create_user_errors(svc):
    with pytest.raises(InvalidParameter) as caught:
        await accounts.create_user(svc, DEFAULT_ORG, NewUser("roleless", "Member12345", role="owner"))
    assert (caught.value.message, caught.value.details) == (
        "Invalid role.", ["'role' must be one of org_admin, org_publisher, org_user."])
    await accounts.create_user(svc, DEFAULT_ORG, NewUser("taken", "Member12345"))
    with pytest.raises(Conflict) as caught:
        await accounts.create_user(svc, DEFAULT_ORG, NewUser("taken", "Member12345"))
    assert (caught.value.message, caught.value.details) == ("A user with this username already exists.", ["taken"])


async def test_a_new_user_record(svc):
    now = svc.clock.pin(1_700_000_000_000)
    user = await accounts.create_user(svc, DEFAULT_ORG, NewUser(
        "ada", "Member12345", role="org_publisher", first_name="Ada", last_name="Lovelace", email="ada@example.org"))
    assert (user.full_name, user.first_name, user.last_name, user.email) == (
        "Ada Lovelace", "Ada", "Lovelace", "ada@example.org")
    assert (user.role, user.role_id, user.user_license_type_id, user.access) == ("org_publisher", None, "creatorUT", "org")
    assert (user.culture, user.region, user.units, user.thumbnail, user.tags) == ("en", None, "english", None, ())
    assert (user.description, user.created, user.modified, user.org_id) == (None, now, now, DEFAULT_ORG)


@pytest.mark.parametrize(("full", "first", "last", "shown"), [
    (None, "Ada", None, "Ada"), (None, None, "Lovelace", "Lovelace"), (None, None, None, "named"),
    ("Countess", "Ada", "Lovelace", "Countess"), ("Countess", None, None, "Countess")])
async def test_full_name_falls_back(svc, full, first, last, shown):
    user = await accounts.create_user(svc, DEFAULT_ORG, NewUser("named", "Member12345", full_name=full,
                                                                first_name=first, last_name=last))
    assert user.full_name == shown
    assert (user.first_name, user.last_name, user.email) == (first, last, None)


async def test_bootstrap_administrator(svc):
    admin = await svc.db.read(user_store.user_by_username, "admin")
    assert (admin.full_name, admin.role, admin.org_id) == ("Administrator", "org_admin", DEFAULT_ORG)
    assert await accounts.bootstrap(svc, "admin2", "Admin12345", "Again") is None


async def test_set_password(svc):
    with pytest.raises(NotFound) as caught:
        await accounts.set_password(svc, "nobody", "Fresh12345")
    assert caught.value.message == "User does not exist or is inaccessible."
    svc.clock.pin(1_800_000_000_000)
    await svc.db.write(lambda conn: token_store.set_locked_until(conn, "admin", 1_800_000_600_000))
    await accounts.set_password(svc, "admin", "Fresh12345")
    admin = await svc.db.read(user_store.user_by_username, "admin")
    assert admin.modified == 1_800_000_000_000
    assert await svc.db.read(token_store.locked_until, "admin") == 1_800_000_000_000  # the lock is lifted
