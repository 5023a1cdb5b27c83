"""POST community/users/{u}/update (sharing-api.md §4.4): every parameter on both sides of its
rule, and the stored record unchanged after every refused call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from geoshare.domain.user_update import normalized_answer
from geoshare.storage import users as user_store
from geoshare.storage.tables import orgs
from tests.api.expected import FORBIDDEN
from tests.api.matrix_users import image_bytes
from tests.conftest import ADMIN, DEFAULT_ORG, SHARING, get_token, make_user

PASSWORD = "Member12345"
MISSING = {"error": {"code": 400, "message": "User does not exist or is inaccessible.", "details": []}}


async def stored(svc: Any, username: str) -> Any:
    return await svc.db.read(user_store.user_by_username, username)


async def update(client: Any, token: str, who: str, /, files: dict[str, Any] | None = None,
                 **data: Any) -> dict[str, Any]:
    reply = await client.post(f"{SHARING}/community/users/{who}/update",
                              data={"f": "json", "token": token, **data}, files=files)
    assert reply.status_code == 200
    return dict(reply.json())


async def refused(client: Any, svc: Any, token: str, who: str, detail: str, /,
                  files: dict[str, Any] | None = None, **data: Any) -> dict[str, Any]:
    """The call is refused with exactly this 400, and the record stays as it was."""
    before = await stored(svc, who)
    body = await update(client, token, who, files=files, **data)
    assert body == {"error": {"code": 400, "message": "Unable to update user.", "details": [detail]}}
    assert await stored(svc, who) == before
    return body


@pytest.fixture
async def member(client, svc):
    await make_user(svc, "member1", PASSWORD)
    return await get_token(client, "member1", PASSWORD)


OK = {"success": True, "username": "member1"}
TOGETHER = "'securityQuestionIdx' and 'securityAnswer' must be given together."
NOT_IMAGE = "'thumbnail' is not a PNG, GIF or JPEG image."


async def test_access_values_and_the_public_switch(client, svc, member):
    for value in ("private", "ORG", "public"):
        assert await update(client, member, "member1", access=value) == OK
        assert (await stored(svc, "member1")).access == value.lower()
    await refused(client, svc, member, "member1", "'access' must be one of: private, org, public.", access="friends")
    await update(client, member, "member1", access="org")
    await svc.db.write(lambda c: c.execute(orgs.update().where(orgs.c.id == DEFAULT_ORG).values(can_share_public=False)))
    await refused(client, svc, member, "member1", "'access' cannot be public: the organization does not allow public sharing.",
                  access="public")
    assert await update(client, member, "member1", access="private") == OK


async def test_an_unchanged_public_profile_survives_the_switch(client, svc, member):
    await update(client, member, "member1", access="public")
    await svc.db.write(lambda c: c.execute(orgs.update().where(orgs.c.id == DEFAULT_ORG).values(can_share_public=False)))
    assert await update(client, member, "member1", access="public", description="still here") == OK
    assert (await stored(svc, "member1")).description == "still here"


async def test_preferred_view(client, svc, member):
    assert await update(client, member, "member1", preferredView="gis") == OK
    assert (await stored(svc, "member1")).preferred_view == "GIS"
    await refused(client, svc, member, "member1", "'preferredView' must be one of: Web, GIS.", preferredView="Map")
    await update(client, member, "member1", preferredView="")  # empty without clearEmptyFields: ignored
    assert (await stored(svc, "member1")).preferred_view == "GIS"
    await update(client, member, "member1", preferredView="", clearEmptyFields="true")
    assert (await stored(svc, "member1")).preferred_view is None


async def test_description_is_cleaned_and_cleared(client, svc, member):
    html = '<p onclick="steal()">Hi <b>there</b><script>alert(1)</script><a href="javascript:x()">l</a></p>'
    assert await update(client, member, "member1", description=html) == OK
    kept = (await stored(svc, "member1")).description
    assert "<b>there</b>" in kept and "Hi" in kept
    assert "script" not in kept and "alert" not in kept and "onclick" not in kept and "javascript" not in kept
    await update(client, member, "member1", description="", clearEmptyFields="false")
    assert (await stored(svc, "member1")).description == kept
    await update(client, member, "member1", description="", clearEmptyFields="true")
    assert (await stored(svc, "member1")).description is None


async def test_tags_forms_cleaning_and_limits(client, svc, member):
    await update(client, member, "member1", tags="roads, <b>rivers</b>,ROADS,, lakes")
    assert (await stored(svc, "member1")).tags == ("roads", "rivers", "lakes")
    await update(client, member, "member1", tags='["a", "b"]')
    assert (await stored(svc, "member1")).tags == ("a", "b")
    await update(client, member, "member1", tags=",".join(f"t{i}" for i in range(128)))
    assert len((await stored(svc, "member1")).tags) == 128
    await refused(client, svc, member, "member1", "'tags' has more than 128 entries.", tags=",".join(f"t{i}" for i in range(129)))
    await update(client, member, "member1", tags="x" * 256)
    assert (await stored(svc, "member1")).tags == ("x" * 256,)
    await refused(client, svc, member, "member1", "'tags' has an entry longer than 256 characters.", tags="x" * 257)
    await refused(client, svc, member, "member1", "'tags' is not a valid JSON array.", tags='["a",')
    # the Python client's way to remove every tag: "," with clearEmptyFields=true
    await update(client, member, "member1", tags=",", clearEmptyFields="false")
    assert (await stored(svc, "member1")).tags == ("x" * 256,)
    await update(client, member, "member1", tags=",", clearEmptyFields="true")
    assert (await stored(svc, "member1")).tags == ()


async def test_names(client, svc, member):
    await update(client, member, "member1", fullname="<i>Ann</i> Lee")
    assert (await stored(svc, "member1")).full_name == "Ann Lee"
    await update(client, member, "member1", firstname="Bea", lastname="Cole")
    user = await stored(svc, "member1")
    assert (user.first_name, user.last_name, user.full_name) == ("Bea", "Cole", "Bea Cole")
    await update(client, member, "member1", firstname="Dee")
    assert (await stored(svc, "member1")).full_name == "Dee Cole"
    await update(client, member, "member1", firstName="Eve", fullName="Eve Q. Cole")  # REST JS spells them so
    assert (await stored(svc, "member1")).full_name == "Eve Q. Cole"
    await update(client, member, "member1", fullname="f" * 255, firstname="g" * 128, lastname="h" * 128)
    await refused(client, svc, member, "member1", "'fullname' is longer than 255 characters.", fullname="f" * 256)
    await refused(client, svc, member, "member1", "'firstname' is longer than 128 characters.", firstname="g" * 129)
    await refused(client, svc, member, "member1", "'lastname' is longer than 128 characters.", lastname="h" * 129)


async def test_names_and_password_are_for_built_in_accounts(client, svc, member, admin_token):
    user = await stored(svc, "member1")
    await svc.db.write(lambda c: user_store.update_user(c, user.id, provider="enterprise"))
    await refused(client, svc, admin_token, "member1", "'fullname' applies to arcgis accounts only.", fullname="New Name")
    await refused(client, svc, admin_token, "member1", "'password' applies to arcgis accounts only.",
                  password="Another12345")


async def test_email(client, svc, member):
    for good in ("a@b.example", "first.last+tag@sub.example.org"):
        assert await update(client, member, "member1", email=good) == OK
        assert (await stored(svc, "member1")).email == good
    for bad in ("no-at-sign", "a@b", "a b@c.example", "a@b@c.example", "<a@b.example>", "a@b.example."):
        await refused(client, svc, member, "member1", "'email' is not a valid e-mail address.", email=bad)
    longest = "a" * 308 + "@example.org"
    assert len(longest) == 320
    assert await update(client, member, "member1", email=longest) == OK
    await refused(client, svc, member, "member1", "'email' is longer than 320 characters.", email="a" + longest)


async def test_security_question_and_answer(client, svc, member, admin_token):
    for index in ("1", "14"):
        assert await update(client, member, "member1", securityQuestionIdx=index, securityAnswer=" My  Pet ") == OK
    user = await stored(svc, "member1")
    assert user.security_question_idx == 14
    assert await svc.hasher.verify(user.security_answer_hash, "my pet")
    assert normalized_answer("  My \t PET ") == "my pet"
    # stored only as a hash (the answer has a space, which base64 never does, so no chance match)
    assert user.security_answer_hash.startswith("$argon2id$") and "my pet" not in user.security_answer_hash.lower()
    for index, detail in (("0", "must be at least 1."), ("15", "must be at most 14."), ("two", "must be an integer.")):
        await refused(client, svc, member, "member1", f"'securityQuestionIdx' {detail}", securityQuestionIdx=index,
                      securityAnswer="x")
    await refused(client, svc, member, "member1", TOGETHER, securityQuestionIdx="3")
    await refused(client, svc, member, "member1", TOGETHER, securityAnswer="only an answer")
    await refused(client, svc, member, "member1", TOGETHER, securityQuestionIdx="3",
                  securityAnswer="   ")
    # the stored question sent back alone (REST JS posts the whole user object) is no change
    assert await update(client, member, "member1", securityQuestionIdx="14", description="d") == OK
    assert (await stored(svc, "member1")).security_answer_hash == user.security_answer_hash


async def test_culture_region_units_and_format(client, svc, member):
    await update(client, member, "member1", culture="PT-BR", region="us", units="METRIC", cultureFormat="DE")
    user = await stored(svc, "member1")
    assert (user.culture, user.region, user.units, user.culture_format) == ("pt-br", "US", "metric", "de")
    await refused(client, svc, member, "member1", "'culture' must be one of: en, fr, de, es, it, pt-br, ja, zh-cn.",
                  culture="xx")
    await refused(client, svc, member, "member1", "'region' must be one of: WO, US, CA, GB, FR, DE, ES, AU, JP.", region="ZZ")
    await refused(client, svc, member, "member1", "'units' must be one of: english, metric.", units="imperial")
    await refused(client, svc, member, "member1", "'cultureFormat' must be a culture code such as us, uk or de.",
                  cultureFormat="u$")
    await update(client, member, "member1", region="", culture="", clearEmptyFields="true")
    user = await stored(svc, "member1")
    assert user.region is None and user.culture is None and user.units == "metric"


async def test_categories_are_for_administrators(client, svc, member, admin_token):
    assert await update(client, admin_token, "member1", categories='["/Categories/North", "/Categories/South"]') == OK
    assert (await stored(svc, "member1")).categories == ("/Categories/North", "/Categories/South")
    before = await stored(svc, "member1")
    body = await update(client, member, "member1", categories="/Categories/East")
    assert body == {"error": {**FORBIDDEN["sharing"]["error"], "message": "Only an administrator can change "
                              "'categories'."}}
    assert await stored(svc, "member1") == before
    # the stored list sent back is no change
    assert await update(client, member, "member1", categories="/Categories/North,/Categories/South") == OK
    await update(client, admin_token, "member1", categories="", clearEmptyFields="true")
    assert (await stored(svc, "member1")).categories == ()


async def test_idp_username(client, svc, member, admin_token):
    await refused(client, svc, admin_token, "member1", "'idpUsername' applies to enterprise accounts only.",
                  idpUsername="ann@idp")
    user = await stored(svc, "member1")
    await svc.db.write(lambda c: user_store.update_user(c, user.id, provider="enterprise"))
    assert await update(client, admin_token, "member1", idpUsername="ann@idp") == OK
    assert (await stored(svc, "member1")).idp_username == "ann@idp"
    before = await stored(svc, "member1")
    body = await update(client, member, "member1", idpUsername="someone@idp")
    assert body["error"]["code"] == 403
    assert await stored(svc, "member1") == before


async def test_username_and_id_may_be_sent_but_never_change(client, svc, member):
    user = await stored(svc, "member1")
    assert await update(client, member, "member1", username="MEMBER1", id=user.id.upper(), description="x") == OK
    await refused(client, svc, member, "member1", "'username' cannot be changed.", username="member2")
    await refused(client, svc, member, "member1", "'id' does not name this user.", id="0" * 32)


async def test_rest_js_style_whole_user_object(client, svc, member):
    """REST JS's updateUser posts every property of the user object it is given."""
    me = (await client.get(f"{SHARING}/community/users/member1", params={"f": "json", "token": member})).json()
    me["description"] = "from the object"
    posted = {k: (",".join(v) if isinstance(v, list) and all(isinstance(i, str) for i in v) else
                  json.dumps(v) if isinstance(v, list | dict) else str(v).lower() if isinstance(v, bool) else str(v))
              for k, v in me.items() if v is not None}
    assert await update(client, member, "member1", **posted) == OK
    assert (await stored(svc, "member1")).description == "from the object"


async def test_nothing_supplied_changes_nothing(client, svc, member):
    before = await stored(svc, "member1")
    svc.clock.advance(5000)
    assert await update(client, member, "member1", unknownParam="ignored") == OK
    assert await stored(svc, "member1") == before


async def test_modified_moves_on_a_change(client, svc, member):
    before = await stored(svc, "member1")
    svc.clock.pin(before.modified + 60_000)
    await update(client, member, "member1", description="now")
    assert (await stored(svc, "member1")).modified == before.modified + 60_000


async def test_by_id_and_the_canonical_username_is_answered(client, svc, member):
    user = await stored(svc, "member1")
    assert await update(client, member, user.id, description="by id") == OK
    assert await update(client, member, "MEMBER1", description="upper") == OK


async def test_who_may_update(client, svc, member, admin_token):
    await make_user(svc, "member2", PASSWORD, access="private")
    await make_user(svc, "member3", PASSWORD, access="public")
    before = await stored(svc, "member2")
    # a member cannot change another member (visible: 403; hidden: the missing-user answer)
    assert await update(client, member, "member3", description="x") == FORBIDDEN["sharing"]
    assert await update(client, member, "member2", description="x") == MISSING
    assert await update(client, member, "nobody_here", description="x") == MISSING
    assert await stored(svc, "member2") == before
    assert await update(client, admin_token, "member2", description="by the admin") == \
        {"success": True, "username": "member2"}


async def test_other_organizations_admin_gets_the_missing_user_answer(client, svc, admin_token):
    from geoshare.domain import accounts

    await accounts.create_org(svc, "Other", accounts.NewUser("otheradmin", "Other12345"))
    other = await get_token(client, "otheradmin", "Other12345")
    await make_user(svc, "orgprofile", PASSWORD)  # access org: hidden outside the organization
    before = await stored(svc, "orgprofile")
    assert await update(client, other, "orgprofile", description="x") == MISSING
    assert await update(client, other, "orgprofile", password="Hijack12345") == MISSING
    assert await stored(svc, "orgprofile") == before


async def test_custom_role_without_update_users_is_refused(client, svc, member):
    from tests.api.matrix_support import _custom_role_member

    await _custom_role_member(svc)
    custom = await get_token(client, "m_custom", PASSWORD)
    before = await stored(svc, "member1")
    assert await update(client, custom, "member1", description="x") == FORBIDDEN["sharing"]
    assert await stored(svc, "member1") == before


async def test_admin_may_update_their_own_profile(client, svc, admin_token):
    assert await update(client, admin_token, ADMIN, description="me") == {"success": True, "username": ADMIN}


async def test_anonymous_and_get_are_refused(client, svc, member):
    body = (await client.post(f"{SHARING}/community/users/member1/update", data={"f": "json", "description": "x"}))
    assert body.json()["error"]["code"] == 499
    body = await client.get(f"{SHARING}/community/users/member1/update", params={"f": "json", "token": member})
    assert body.json()["error"]["message"] == "Method not supported."


async def test_thumbnail_is_png_gif_or_jpeg(client, svc, member):
    for fmt, ext in (("PNG", "png"), ("GIF", "gif"), ("JPEG", "jpg")):
        data = image_bytes(fmt)
        assert await update(client, member, "member1", files={"thumbnail": (f"me.{ext}", data)}) == OK
        name = (await stored(svc, "member1")).thumbnail
        assert name.startswith("me_") and name.endswith(f".{ext}")
        got = await client.get(f"{SHARING}/community/users/member1/info/{name}", params={"token": member})
        assert got.content == data
        assert got.headers["content-type"] == {"png": "image/png", "gif": "image/gif", "jpg": "image/jpeg"}[ext]


async def test_a_new_thumbnail_removes_the_old_blob(client, svc, member):
    await update(client, member, "member1", files={"thumbnail": ("a.png", image_bytes())})
    user = await stored(svc, "member1")
    old = f"users/{user.id}/{user.thumbnail}"
    assert await svc.blobs.get(old) is not None
    await update(client, member, "member1", files={"thumbnail": ("a.png", image_bytes(size=(3, 3)))})
    new = await stored(svc, "member1")
    assert new.thumbnail != user.thumbnail
    assert await svc.blobs.get(old) is None
    assert await svc.blobs.get(f"users/{user.id}/{new.thumbnail}") == image_bytes(size=(3, 3))
    # supplied empty with clearEmptyFields: the thumbnail goes, and its blob with it
    await update(client, member, "member1", thumbnail="", clearEmptyFields="true")
    assert (await stored(svc, "member1")).thumbnail is None
    assert await svc.blobs.get(f"users/{user.id}/{new.thumbnail}") is None


def _blobs(svc: Any, user_id: str) -> list[str]:
    folder = svc.blobs.root / "users" / user_id
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_bad_thumbnails_are_refused_and_leave_nothing(client, svc, member):
    user = await stored(svc, "member1")
    await refused(client, svc, member, "member1", NOT_IMAGE,
                  files={"thumbnail": ("fake.png", b"\x89PNG\r\n\x1a\nnot really an image")})
    await refused(client, svc, member, "member1", NOT_IMAGE,
                  files={"thumbnail": ("page.png", b"<html><script>alert(1)</script></html>")})
    await refused(client, svc, member, "member1", "'thumbnail' must be a PNG, GIF or JPEG file; as text it can only repeat the current name.", thumbnail="me.png")
    assert _blobs(svc, user.id) == []


def padded_png(total: int) -> bytes:
    """A real PNG of exactly `total` bytes: an ancillary chunk before IEND holds the padding."""
    import struct
    import zlib

    base = image_bytes()
    body, end = base[:-12], base[-12:]
    size = total - len(base) - 12
    chunk_type = b"geOs"  # lower-case first letter: ancillary, skipped by decoders
    data = b"\0" * size
    crc = zlib.crc32(chunk_type + data) & 0xFFFFFFFF
    out = body + struct.pack(">I", size) + chunk_type + data + struct.pack(">I", crc) + end
    assert len(out) == total
    return out


async def test_thumbnail_size_limit_is_one_megabyte(client, svc, member):
    exactly = padded_png(1024 * 1024)
    assert await update(client, member, "member1", files={"thumbnail": ("big.png", exactly)}) == OK
    user = await stored(svc, "member1")
    assert await svc.blobs.get(f"users/{user.id}/{user.thumbnail}") == exactly
    await refused(client, svc, member, "member1", "'thumbnail' is larger than 1048576 bytes.",
                  files={"thumbnail": ("big.png", padded_png(1024 * 1024 + 1))})
    assert _blobs(svc, user.id) == [user.thumbnail]


async def test_a_failed_row_write_removes_the_new_blob(client, svc, member, monkeypatch):
    """Fault injection: the database refuses the row; the blob written before it goes again."""
    user = await stored(svc, "member1")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(user_store, "update_user", broken)
    reply = await client.post(f"{SHARING}/community/users/member1/update",
                              data={"f": "json", "token": member}, files={"thumbnail": ("a.png", image_bytes())})
    assert reply.json()["error"]["code"] == 500
    monkeypatch.undo()
    assert _blobs(svc, user.id) == []
    assert await stored(svc, "member1") == user


async def test_an_ignored_empty_value_does_not_stop_the_others(client, svc, member):
    assert await update(client, member, "member1", preferredView="", description="kept", units="metric") == OK
    user = await stored(svc, "member1")
    assert (user.description, user.units, user.preferred_view) == ("kept", "metric", None)


async def test_the_last_name_alone_rebuilds_the_full_name(client, svc, member):
    await update(client, member, "member1", firstname="Ann")
    assert (await stored(svc, "member1")).full_name == "Ann"
    await update(client, member, "member1", lastname="Lee")
    assert (await stored(svc, "member1")).full_name == "Ann Lee"


async def test_a_member_may_send_back_their_stored_idp_username(client, svc, member):
    user = await stored(svc, "member1")
    await svc.db.write(lambda c: user_store.update_user(c, user.id, provider="enterprise", idp_username="me@idp"))
    assert await update(client, member, "member1", idpUsername="me@idp", description="d") == OK


async def test_the_same_password_again_without_a_history_policy(client, svc, member):
    assert await update(client, member, "member1", password=PASSWORD) == OK
    assert await svc.hasher.verify((await stored(svc, "member1")).password_hash, PASSWORD)


@pytest.mark.parametrize(("filename", "pattern"), [
    ("my face!.png", r"myface_[0-9a-f]{8}\.png"),
    ("!!!.png", r"thumbnail_[0-9a-f]{8}\.png"),
    ("C:\\Users\\me\\face.jpeg", r"face_[0-9a-f]{8}\.png"),  # the real format names the extension
    ("photos/2024/face.png", r"face_[0-9a-f]{8}\.png"),
    ("s" * 100 + ".png", "s" * 64 + r"_[0-9a-f]{8}\.png"),
])
async def test_thumbnail_file_names(client, svc, member, filename, pattern):
    import re

    assert await update(client, member, "member1", files={"thumbnail": (filename, image_bytes())}) == OK
    name = (await stored(svc, "member1")).thumbnail
    assert re.fullmatch(pattern, name), name


async def test_clearing_other_fields_keeps_the_thumbnail(client, svc, member):
    await update(client, member, "member1", files={"thumbnail": ("a.png", image_bytes())})
    user = await stored(svc, "member1")
    assert await update(client, member, "member1", description="", clearEmptyFields="true") == OK
    assert await update(client, member, "member1", description="again") == OK
    assert (await stored(svc, "member1")).thumbnail == user.thumbnail
    assert await svc.blobs.get(f"users/{user.id}/{user.thumbnail}") == image_bytes()


async def test_a_file_part_with_an_empty_name(client, svc, member):
    """A part that says filename="" but carries an image (httpx never sends one; curl can)."""
    import re

    boundary = "geoshare-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\njson\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{member}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"thumbnail\"; filename=\"\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + image_bytes() + f"\r\n--{boundary}--\r\n".encode()
    reply = await client.post(f"{SHARING}/community/users/member1/update", content=body,
                              headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert reply.json() == OK
    assert re.fullmatch(r"thumbnail_[0-9a-f]{8}\.png", (await stored(svc, "member1")).thumbnail)
