"""The caller as a Principal (domain/principal.py): anonymous, members of each built-in role, custom
roles, and administrators of the default and of another organization, through every predicate and
every requirement form."""

from __future__ import annotations

import pytest

from geoshare.domain import privileges as privs
from geoshare.domain.principal import ANONYMOUS, Principal
from geoshare.storage.records import Org, User

DEFAULT_ORG = Org(id="0123456789ABCDEF", name="Default", is_default=True, access="private", url_key=None,
                  description=None, settings={}, created=0, modified=0)
OTHER_ORG = Org(id="FEDCBA9876543210", name="Other", is_default=False, access="private", url_key=None,
                description=None, settings={}, created=0, modified=0)
SPECIAL = ("public", "user", "any-admin", "full-admin", "site-admin", "server-publisher", "server-admin")


def user(role: str, org: Org = DEFAULT_ORG, role_id: str | None = None, username: str = "pat") -> User:
    return User(id="u" * 32, org_id=org.id, username=username, password_hash=None, full_name=None, first_name=None,
                last_name=None, email=None, description=None, role=role, role_id=role_id,
                user_license_type_id="creatorUT", access="org", culture=None, region=None, units=None,
                thumbnail=None, tags=(), provider="arcgis", disabled=False, last_login=0, created=0, modified=0)


def member(role: str, org: Org = DEFAULT_ORG, custom: tuple[str, ...] | None = None) -> Principal:
    return Principal(user=user(role, org), org=org, role_privileges=custom)


def admitted(principal: Principal) -> set[str]:
    return {text for text in SPECIAL if principal.admits(privs.Requirement.parse(text))}


def test_anonymous():
    assert ANONYMOUS.is_anonymous is True
    assert ANONYMOUS.username is None
    assert ANONYMOUS.privileges == frozenset()
    assert ANONYMOUS.has("portal:user:viewOrgUsers") is False
    assert (ANONYMOUS.is_full_admin, ANONYMOUS.is_any_admin, ANONYMOUS.is_site_admin) == (False, False, False)
    assert ANONYMOUS.admin_of(DEFAULT_ORG.id, "portal:user:viewOrgUsers") is False
    assert ANONYMOUS.server_privilege is None
    assert admitted(ANONYMOUS) == {"public"}


def test_a_member_of_the_default_organization():
    pat = member("org_user")
    assert pat.is_anonymous is False and pat.username == "pat"
    assert pat.privileges == frozenset(privs.USER)
    assert pat.has("portal:user:createItem") is True and pat.has("portal:admin:viewUsers") is False
    assert (pat.is_full_admin, pat.is_any_admin, pat.is_site_admin) == (False, False, False)
    assert pat.server_privilege == "ACCESS"
    assert admitted(pat) == {"public", "user"}


def test_a_publisher_publishes_on_the_default_organization_only():
    assert member("org_publisher").server_privilege == "PUBLISH"
    assert admitted(member("org_publisher")) == {"public", "user", "server-publisher"}
    assert member("org_publisher", OTHER_ORG).server_privilege == "ACCESS"
    assert admitted(member("org_publisher", OTHER_ORG)) == {"public", "user"}


def test_the_administrator_of_the_default_organization_administers_the_site():
    admin = member("org_admin")
    assert (admin.is_full_admin, admin.is_any_admin, admin.is_site_admin) == (True, True, True)
    assert admin.server_privilege == "ADMINISTER"
    assert admitted(admin) == set(SPECIAL)


def test_the_administrator_of_another_organization_does_not():
    admin = member("org_admin", OTHER_ORG)
    assert (admin.is_full_admin, admin.is_any_admin, admin.is_site_admin) == (True, True, False)
    assert admin.server_privilege == "ACCESS"
    assert admitted(admin) == {"public", "user", "any-admin", "full-admin"}


def test_a_member_without_a_loaded_organization():
    alone = Principal(user=user("org_admin"))
    assert alone.is_site_admin is False
    assert alone.server_privilege is None
    assert admitted(alone) == {"public", "user", "any-admin", "full-admin"}


def test_a_custom_role_grants_its_own_list():
    partial = member("org_admin", custom=("portal:admin:viewUsers", "portal:user:joinGroup"))
    assert partial.privileges == frozenset({"portal:admin:viewUsers", "portal:user:joinGroup"})
    assert (partial.is_full_admin, partial.is_any_admin, partial.is_site_admin) == (False, True, False)
    assert partial.server_privilege == "ACCESS"
    assert admitted(partial) == {"public", "user", "any-admin"}
    nothing = member("org_admin", custom=())
    assert nothing.privileges == frozenset() and admitted(nothing) == {"public", "user"}
    every = member("org_user", custom=tuple(privs.ADMIN_PRIVILEGES))
    assert (every.is_full_admin, every.is_site_admin, every.server_privilege) == (True, True, "ADMINISTER")


def test_a_publishing_custom_role_on_the_default_organization():
    publisher = member("org_user", custom=("portal:publisher:publishServerServices",))
    assert publisher.server_privilege == "PUBLISH"
    assert member("org_user", custom=("portal:publisher:publishFeatures",)).server_privilege == "ACCESS"


def test_admin_powers_stop_at_the_organization():
    admin = member("org_admin")
    assert admin.admin_of(DEFAULT_ORG.id, "portal:admin:viewUsers") is True
    assert admin.admin_of(OTHER_ORG.id, "portal:admin:viewUsers") is False
    assert member("org_user").admin_of(DEFAULT_ORG.id, "portal:admin:viewUsers") is False
    assert member("org_user").admin_of(DEFAULT_ORG.id, "portal:user:createItem") is True


@pytest.mark.parametrize(("text", "custom", "expected"), [
    ("portal:admin:viewUsers", ("portal:admin:viewUsers",), True),
    ("portal:admin:viewUsers", ("portal:admin:updateUsers",), False),
    ("portal:admin:viewUsers & portal:admin:updateUsers", ("portal:admin:viewUsers",), False),
    ("portal:admin:viewUsers & portal:admin:updateUsers", ("portal:admin:viewUsers", "portal:admin:updateUsers"), True),
    ("portal:admin:viewUsers | portal:admin:updateUsers", ("portal:admin:updateUsers",), True),
    ("portal:admin:viewUsers | portal:admin:updateUsers", ("portal:user:joinGroup",), False),
])
def test_privilege_requirements(text, custom, expected):
    assert member("org_user", custom=custom).admits(privs.Requirement.parse(text)) is expected
    assert ANONYMOUS.admits(privs.Requirement.parse(text)) is False
