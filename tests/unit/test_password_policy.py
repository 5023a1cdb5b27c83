"""The password policy (domain/password_policy.py): each rule at its boundary with its singular
and plural wording, the defaults, the username rule and password expiration."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.domain.password_policy import (
    DAY_MS,
    DEFAULT_PASSWORD_POLICY,
    check_password,
    password_expired,
    password_policy,
    policy_problems,
)
from geoshare.errors import InvalidParameter
from geoshare.storage.records import Org


def org(settings: dict[str, Any]) -> Org:
    return Org(id="o" * 16, name="Org", is_default=False, access="private", url_key=None, description=None,
               settings=settings, created=0, modified=0)


def policy(**rules: int | None) -> dict[str, int | None]:
    """Nothing required but what `rules` name (minLength 1 so only the named rule speaks)."""
    return {**{key: None for key in DEFAULT_PASSWORD_POLICY}, "minLength": 1, **rules}


DEFAULTS = {"minLength": 8, "minUpper": None, "minLower": None, "minLetter": 1, "minDigit": 1, "minOther": None,
            "expirationInDays": None, "historySize": None}


def test_policy_of_no_organization_is_the_default():
    assert password_policy(None) == DEFAULTS
    assert password_policy(org({})) == DEFAULTS
    assert password_policy(org({"securityPolicy": None})) == DEFAULTS
    assert password_policy(org({"securityPolicy": {"passwordPolicy": None}})) == DEFAULTS


def test_stored_rules_override_the_defaults_one_by_one():
    stored = {"securityPolicy": {"passwordPolicy": {"minLength": 12, "minUpper": 2, "minDigit": None}}}
    assert password_policy(org(stored)) == {**DEFAULTS, "minLength": 12, "minUpper": 2, "minDigit": None}


def test_minimum_length_on_both_sides():
    assert policy_problems("abcdefghij", "u", policy(minLength=10)) == []
    assert policy_problems("abcdefghi", "u", policy(minLength=10)) == ["The password must have at least 10 characters."]


@pytest.mark.parametrize("length", [None, 0])
def test_an_unset_length_means_eight(length):
    assert policy_problems("abcdefgh", "u", policy(minLength=length)) == []
    assert policy_problems("abcdefg", "u", policy(minLength=length)) == ["The password must have at least 8 characters."]


@pytest.mark.parametrize(("rule", "char", "other", "one", "many"), [
    ("minUpper", "A", "a", "upper-case letter", "upper-case letters"),
    ("minLower", "a", "A", "lower-case letter", "lower-case letters"),
    ("minLetter", "z", "5", "letter", "letters"),
    ("minDigit", "7", "x", "digit", "digits"),
    ("minOther", "#", "x", "character that is neither a letter nor a digit",
     "characters that are neither letters nor digits"),
])
def test_each_character_rule_at_one_and_two(rule, char, other, one, many):
    rules = policy(**{rule: 1})
    assert policy_problems(other * 3 + char, "u", rules) == []
    assert policy_problems(other * 4, "u", rules) == [f"The password must contain at least 1 {one}."]
    rules = policy(**{rule: 2})
    assert policy_problems(char + other * 3 + char, "u", rules) == []
    assert policy_problems(other * 3 + char, "u", rules) == [f"The password must contain at least 2 {many}."]
    assert policy_problems(other * 4, "u", policy(**{rule: 3})) == [f"The password must contain at least 3 {many}."]


@pytest.mark.parametrize("need", [None, 0])
def test_an_unset_character_rule_asks_nothing(need):
    assert policy_problems("....", "u", policy(minUpper=need, minLower=need, minLetter=need, minDigit=need)) == []


def test_every_broken_rule_is_named_in_order():
    rules = policy(minLength=10, minUpper=1, minLower=2, minLetter=1, minDigit=2, minOther=1)
    assert policy_problems("...", "u", rules) == [
        "The password must have at least 10 characters.",
        "The password must contain at least 1 upper-case letter.",
        "The password must contain at least 2 lower-case letters.",
        "The password must contain at least 1 letter.",
        "The password must contain at least 2 digits.",
    ]


def test_password_must_differ_from_the_username_in_any_case():
    assert policy_problems("Alice123", "alice123", policy()) == ["The password must differ from the username."]
    assert policy_problems("alice123", "ALICE123", policy()) == ["The password must differ from the username."]
    assert policy_problems("alice1234", "alice123", policy()) == []


def test_check_password_uses_the_default_policy():
    assert check_password("abcdefg1", "u") == "abcdefg1"
    assert check_password("abcdefg1", "u", {}) == "abcdefg1"
    with pytest.raises(InvalidParameter) as info:
        check_password("abcdefg", "u")
    assert info.value.message == "Invalid password." and info.value.code == 400
    assert info.value.details == ["The password must have at least 8 characters.",
                                  "The password must contain at least 1 digit."]


def test_check_password_with_a_policy_and_no_password():
    with pytest.raises(InvalidParameter) as info:
        check_password(None, "u", policy(minLength=2, minDigit=1))  # type: ignore[arg-type]
    assert info.value.details == ["The password must have at least 2 characters.",
                                  "The password must contain at least 1 digit."]
    assert check_password("a1", "u", policy(minLength=2, minDigit=1)) == "a1"


def test_expiration_on_both_sides():
    rules = policy(expirationInDays=3)
    changed = 1_000_000
    assert DAY_MS == 86_400_000
    assert password_expired(changed, rules, changed + 3 * DAY_MS) is False
    assert password_expired(changed, rules, changed + 3 * DAY_MS + 1) is True


def test_no_expiration_without_days_or_a_change_time():
    far = 10**15
    assert password_expired(1, policy(expirationInDays=None), far) is False
    assert password_expired(1, policy(expirationInDays=0), far) is False
    assert password_expired(0, policy(expirationInDays=3), far) is False
    assert password_expired(1, policy(expirationInDays=1), far) is True
