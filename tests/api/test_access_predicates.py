"""The SQL predicates of domain/access.py run against real rows of the test database: every branch
of who sees which profile, who sees disabled members, which organization may share publicly and
which organizations' public content a search covers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import ColumnElement, select

from geoshare.domain import access, accounts, privileges
from geoshare.domain.principal import ANONYMOUS, Principal
from geoshare.storage import orgs as org_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import orgs, users
from tests.conftest import ADMIN, DEFAULT_ORG, make_user

PASSWORD = "Member12345"
HOME = {"h_private", "h_org", "h_public", "h_disabled"}
AWAY = {"a_private", "a_org", "a_public", "a_disabled", "a_admin"}


@pytest.fixture
async def world(svc: Any) -> dict[str, Any]:
    """Members of the default organization and of another one, with each profile access."""
    other, _ = await accounts.create_org(svc, "Predicates Other", accounts.NewUser("a_admin", PASSWORD))
    for access_value in ("private", "org", "public"):
        await make_user(svc, f"h_{access_value}", PASSWORD, access=access_value)
        away = await accounts.create_user(svc, other.id, accounts.NewUser(f"a_{access_value}", PASSWORD))
        await svc.db.write(lambda conn, u=away, a=access_value: user_store.update_user(conn, u.id, access=a))
    await make_user(svc, "h_disabled", PASSWORD, access="public", disabled=True)
    away = await accounts.create_user(svc, other.id, accounts.NewUser("a_disabled", PASSWORD))
    await svc.db.write(lambda conn: user_store.update_user(conn, away.id, access="public", disabled=True))
    # a_admin's profile: org (the default); make it private so only admins of its org see it.
    admin = await svc.db.read(user_store.user_by_username, "a_admin")
    await svc.db.write(lambda conn: user_store.update_user(conn, admin.id, access="private"))
    return {"other": other}


async def principal(svc: Any, username: str, custom: tuple[str, ...] | None = None) -> Principal:
    user = await svc.db.read(user_store.user_by_username, username)
    found = await accounts.principal_for_user(svc, user)
    return dataclasses.replace(found, role_privileges=custom) if custom is not None else found


async def usernames(svc: Any, predicate: ColumnElement[bool]) -> set[str]:
    query = select(users.c.username).where(predicate)
    names = await svc.db.read(lambda conn: list(conn.execute(query).scalars()))
    return set(names) - {ADMIN}


async def org_ids(svc: Any, predicate: ColumnElement[bool]) -> set[str]:
    query = select(orgs.c.id).where(predicate)
    return set(await svc.db.read(lambda conn: list(conn.execute(query).scalars())))


async def test_anonymous_sees_public_profiles_only(svc, world):
    assert await usernames(svc, access.user_visible(ANONYMOUS)) == {"h_public", "h_disabled", "a_public",
                                                                     "a_disabled"}


async def test_a_member_sees_org_profiles_of_their_organization(svc, world):
    viewer = await principal(svc, "h_private")
    assert await usernames(svc, access.user_visible(viewer)) == {
        "h_private", "h_org", "h_public", "h_disabled", "a_public", "a_disabled"}


async def test_a_member_without_view_org_users_sees_only_public_and_self(svc, world):
    viewer = await principal(svc, "h_private", custom=("portal:user:joinGroup",))
    assert await usernames(svc, access.user_visible(viewer)) == {
        "h_private", "h_public", "h_disabled", "a_public", "a_disabled"}
    viewer = await principal(svc, "h_org", custom=())
    assert await usernames(svc, access.user_visible(viewer)) == {
        "h_org", "h_public", "h_disabled", "a_public", "a_disabled"}


async def test_a_viewer_role_sees_org_profiles(svc, world):
    await make_user(svc, "h_viewer", PASSWORD, role_id=privileges.VIEWER_ROLE_ID, access="private")
    viewer = await principal(svc, "h_viewer")
    assert await usernames(svc, access.user_visible(viewer)) == {
        "h_viewer", "h_org", "h_public", "h_disabled", "a_public", "a_disabled"}


async def test_an_administrator_sees_every_profile_of_their_organization_only(svc, world):
    viewer = await principal(svc, "a_admin")
    assert await usernames(svc, access.user_visible(viewer)) == AWAY | {"h_public", "h_disabled"}


async def test_a_partial_administrator_with_view_users_sees_private_profiles(svc, world):
    viewer = await principal(svc, "a_org", custom=("portal:admin:viewUsers",))
    assert await usernames(svc, access.user_visible(viewer)) == AWAY | {"h_public", "h_disabled"}


async def test_disabled_members_hidden_from_everyone_but_their_administrators(svc, world):
    everyone = {"h_private", "h_org", "h_public", "a_private", "a_org", "a_public", "a_admin"}
    assert await usernames(svc, access.sees_disabled(ANONYMOUS)) == everyone
    assert await usernames(svc, access.sees_disabled(await principal(svc, "h_org"))) == everyone
    assert await usernames(svc, access.sees_disabled(await principal(svc, "a_admin"))) == everyone | {"a_disabled"}
    partial = await principal(svc, "h_org", custom=("portal:admin:viewUsers",))
    assert await usernames(svc, access.sees_disabled(partial)) == everyone | {"h_disabled"}
    others = await principal(svc, "h_org", custom=("portal:admin:updateUsers",))
    assert await usernames(svc, access.sees_disabled(others)) == everyone


async def test_may_share_public_names_one_organization_that_allows_it(svc, world):
    other = world["other"]
    assert await org_ids(svc, access.may_share_public(DEFAULT_ORG)) == {DEFAULT_ORG}
    assert await org_ids(svc, access.may_share_public(other.id)) == {other.id}
    await svc.db.write(lambda conn: org_store.update_org(conn, other.id, can_share_public=False))
    assert await org_ids(svc, access.may_share_public(other.id)) == set()
    assert await org_ids(svc, access.may_share_public(DEFAULT_ORG)) == {DEFAULT_ORG}
    assert await org_ids(svc, access.may_share_public("nosuchorg0000000")) == set()


async def test_search_public_scope(svc, world):
    other = world["other"]
    every = {DEFAULT_ORG, other.id}
    assert await org_ids(svc, access.search_public_scope(ANONYMOUS)) == every
    assert await org_ids(svc, access.search_public_scope(await principal(svc, "a_org"))) == every
    await svc.db.write(lambda conn: org_store.update_org(conn, other.id, can_search_public=False))
    assert await org_ids(svc, access.search_public_scope(await principal(svc, "a_org"))) == {other.id}
    assert await org_ids(svc, access.search_public_scope(await principal(svc, "h_org"))) == every
    assert await org_ids(svc, access.search_public_scope(ANONYMOUS)) == every
