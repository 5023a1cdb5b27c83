"""Edges of the group properties (sharing-api.md §5.1, §5.2) found by the mutation check: both
sides of each length limit, the envelope of each refusal, values that keep a privilege-guarded
property as it is, and the thumbnail's stored name."""

from __future__ import annotations

import json
import re

import pytest

from geoshare.domain.group_fields import FIELDS, Checking, thumbnail_name
from geoshare.domain.principal import Principal
from geoshare.errors import InvalidParameter
from tests.api import group_admin_support
from tests.api.group_admin_support import error_of, group_count, post, stored_group
from tests.conftest import make_group

cast = group_admin_support.cast  # the fixture
CREATE_FAILED = "Unable to create group."
UPDATE_FAILED = "Unable to update group."


async def _create(client, token, **data):
    return await post(client, token, "community/createGroup", **{"title": "Edge", **data})


async def _created(client, token, **data):
    body = await _create(client, token, **data)
    assert body["success"] is True, body
    return body["group"]


async def _refused(client, svc, token, **data):
    before = await group_count(svc)
    body = await _create(client, token, **data)
    assert await group_count(svc) == before
    return error_of(body)


@pytest.mark.parametrize("name", ["snippet", "phone"])
async def test_short_texts_take_250_characters(client, svc, cast, name):
    assert (await _created(client, cast["owner"], **{name: "s" * 250}))[name] == "s" * 250
    assert await _refused(client, svc, cast["owner"], **{name: "s" * 251}) == (
        400, CREATE_FAILED, [f"'{name}' is longer than 250 characters."])


async def test_snippet_keeps_allowed_html_and_phone_is_plain_text(client, cast):
    group = await _created(client, cast["owner"], snippet=" <b>Bold</b><script>x</script> ",
                           phone="<i>555</i> 0100 ")
    assert (group["snippet"], group["phone"]) == ("<b>Bold</b>", "555 0100")
    emptied = await _created(client, cast["owner"], title="Emptied", snippet="<script>x</script>", phone="<i></i>")
    assert (emptied["snippet"], emptied["phone"]) == (None, None)


@pytest.mark.parametrize(("name", "limit"), [("tags", 128), ("typeKeywords", 128)])
async def test_lists_take_up_to_their_limit_of_entries(client, svc, cast, name, limit):
    entries = [f"e{i}" for i in range(limit)]
    assert (await _created(client, cast["owner"], **{name: ",".join(entries)}))[name] == entries
    assert await _refused(client, svc, cast["owner"], **{name: ",".join([*entries, "one more"])}) == (
        400, CREATE_FAILED, [f"'{name}' has more than {limit} entries."])


@pytest.mark.parametrize("name", ["tags", "typeKeywords"])
async def test_list_entries_take_256_characters(client, svc, cast, name):
    assert (await _created(client, cast["owner"], **{name: "t" * 256}))[name] == ["t" * 256]
    assert await _refused(client, svc, cast["owner"], **{name: "a," + "t" * 257}) == (
        400, CREATE_FAILED, [f"'{name}' has an entry longer than 256 characters."])


async def test_list_entries_merge_case_insensitively_keeping_the_first_spelling(client, cast):
    group = await _created(client, cast["owner"], tags="Roads,<b></b>,roads,ROADS,Maps", typeKeywords="K,k")
    assert (group["tags"], group["typeKeywords"]) == (["Roads", "Maps"], ["K"])


@pytest.mark.parametrize(("data", "detail"), [
    ({"membershipAccess": "anyone"}, "'membershipAccess' must be one of: org, collaboration, none."),
    ({"capabilities": "updateitemcontrol,delete"}, "'capabilities' may only be updateitemcontrol."),
])
async def test_bad_choices_are_refused_naming_the_parameter(client, svc, cast, data, detail):
    assert await _refused(client, svc, cast["owner"], **data) == (400, CREATE_FAILED, [detail])


async def test_membership_access_none_stores_nothing(client, cast):
    assert (await _created(client, cast["owner"], membershipAccess="NONE"))["membershipAccess"] is None
    assert (await _created(client, cast["owner"], title="Org only", membershipAccess="Org"))["membershipAccess"] == "org"


async def test_display_settings_take_16384_characters_of_json(client, svc, cast):
    fits = {"a": "x" * (16 * 1024 - len(json.dumps({"a": ""})))}
    assert (await _created(client, cast["owner"], displaySettings=json.dumps(fits)))["displaySettings"] == fits
    over = {"a": fits["a"] + "x"}
    assert await _refused(client, svc, cast["owner"], displaySettings=json.dumps(over)) == (
        400, CREATE_FAILED, ["'displaySettings' is longer than 16384 characters."])


@pytest.mark.parametrize(("data", "message"), [
    ({"capabilities": "updateitemcontrol"}, "You do not have permission to create shared update groups."),
    ({"leavingDisallowed": "true"}, "You do not have permission to create groups members cannot leave."),
])
async def test_privileged_properties_are_refused_with_their_reason(client, svc, cast, data, message):
    code, found, _details = await _refused(client, svc, cast["owner"], **data)
    assert (code, found) == (403, message)


async def test_a_manager_may_repeat_privileged_values_the_group_already_has(client, svc, cast):
    group = await make_group(svc, "g_owner", "Kept", shared_update=True, leaving_disallowed=True)
    assert await post(client, cast["owner"], f"community/groups/{group.id}/update", capabilities="updateitemcontrol",
                      leavingDisallowed="true", snippet="again") == {"success": True, "groupId": group.id}
    stored = await stored_group(svc, group.id)
    assert (stored.shared_update, stored.leaving_disallowed, stored.snippet) == (True, True, "again")


async def test_an_update_refusal_names_the_update(client, cast, svc):
    group = await make_group(svc, "g_owner", "Named")
    assert error_of(await post(client, cast["owner"], f"community/groups/{group.id}/update", sortOrder="up")) == (
        400, UPDATE_FAILED, ["'sortOrder' must be one of: asc, desc."])


async def test_a_second_group_of_the_same_title_is_refused(client, svc, cast):
    await _created(client, cast["owner"], title="Twice")
    assert await _refused(client, svc, cast["owner"], title="TWICE") == (
        400, "You already have a group named 'TWICE'.", ["A group's title must be unique among the groups of its owner."])


@pytest.mark.parametrize(("name", "value", "detail"), [
    ("sortField", "rating", "'sortField' must be one of: title, owner, avgrating, numviews, created, modified."),
    ("sortOrder", "up", "'sortOrder' must be one of: asc, desc."),
    ("access", "friends", "'access' must be one of: private, org, public."),
])
def test_the_domain_checks_choices_the_http_layer_also_checks(name, value, detail):
    """The operation table refuses these first; the domain refuses them for any other caller."""
    with pytest.raises(InvalidParameter) as caught:
        FIELDS[name].check(name, value, Checking(Principal(), None, "Checked."))  # type: ignore[arg-type]
    assert (caught.value.message, caught.value.details) == ("Checked.", [detail])


def test_the_domain_choices_take_any_case_and_the_account_alias():
    checking = Checking(Principal(), None, "Checked.")  # type: ignore[arg-type]
    assert FIELDS["sortField"].check("sortField", "NumViews", checking) == "numviews"
    assert FIELDS["sortOrder"].check("sortOrder", "DESC", checking) == "desc"
    assert FIELDS["access"].check("access", "Private", checking) == "private"


def test_thumbnail_names_are_fresh_and_keep_a_short_safe_stem():
    assert re.fullmatch(r"thumbnail_[0-9a-f]{8}\.png", thumbnail_name(None, "png"))
    assert re.fullmatch(r"thumbnail_[0-9a-f]{8}\.gif", thumbnail_name("../..", "gif"))
    long_name = thumbnail_name("a" * 70 + ".png", "jpg")
    assert re.fullmatch(r"a{64}_[0-9a-f]{8}\.jpg", long_name)
    assert re.fullmatch(r"mypic_1_[0-9a-f]{8}\.png", thumbnail_name("dir/my pic!_1.png", "png"))


async def test_a_created_group_is_logged_with_its_owner(client, cast, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="geoshare.groups")
    group = await _created(client, cast["owner"], title="Logged")
    assert [r.getMessage() for r in caplog.records if r.name == "geoshare.groups"] == [
        f"group {group['id']} created by g_owner"]
