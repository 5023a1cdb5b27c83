"""POST portals/{id}/update (sharing-api.md §3.2): every parameter stored and shown by
portals/self, every bad value refused naming its parameter with nothing changed, and the
privilege split between manageWebsite and manageSecurity."""

from __future__ import annotations

import json

import pytest

from geoshare.domain import organization
from geoshare.domain.portal import PUBLIC_SETTINGS
from tests.api.expected import FORBIDDEN_MESSAGE
from tests.api.org_support import NOT_FOUND, call, image, member_with, portal_self, snapshot
from tests.conftest import DEFAULT_ORG, SHARING, get_token, make_org, make_user

UPDATE = "portals/self/update"


async def test_update_stores_and_shows_every_kind_of_setting(client, svc, admin_token):
    extent = {"xmin": 1, "ymin": 2, "xmax": 3, "ymax": 4, "spatialReference": {"wkid": 4326}}
    geocoder = [{"url": "https://geo.example.org/GeocodeServer", "name": "Geo", "singleLineFieldName": "SingleLine"}]
    reply = await call(client, UPDATE, admin_token, name="  <b>Acme</b> Mapping ", access="public",
                       description='<p onclick="x()">Hello<script>alert(1)</script></p>', culture="FR",
                       cultureFormat="GB", region="de", units="metric", urlKey="Acme-Maps",
                       urlHostname="GIS.Example.ORG", canSharePublic="false", canSearchPublic="false",
                       allSSL="true", mfaEnabled="true", maxTokenExpirationMinutes="60",
                       defaultExtent=json.dumps(extent), featuredGroups='[{"owner": "admin", "title": "F"}]',
                       rotatorPanels="[]", portalProperties='{"links": {"contactUs": {"visible": false}}}',
                       geocodeService=json.dumps(geocoder), printServiceTask='{"url": "https://p.example.org"}',
                       basemapGalleryGroupQuery='title:"Maps" AND owner:admin', helpBase="https://help.example.org/",
                       homePageFeaturedContentCount="12", metadataFormats="iso19139,fgdc", useVectorBasemaps="true",
                       authorizedCrossOriginDomains="https://a.example.org",
                       allowedRedirectUris='["https://app.example.org/cb", "myapp://callback"]')
    assert reply == {"success": True, "id": DEFAULT_ORG}
    doc = await portal_self(client)
    assert doc["name"] == "Acme Mapping" and doc["description"] == "<p>Hello</p>"
    assert (doc["culture"], doc["cultureFormat"], doc["region"], doc["units"]) == ("fr", "gb", "DE", "metric")
    assert doc["urlKey"] == "acme-maps" and doc["urlHostname"] == "gis.example.org"
    assert doc["canSharePublic"] is False and doc["canSearchPublic"] is False
    assert doc["allSSL"] is True and doc["mfaEnabled"] is True and doc["maxTokenExpirationMinutes"] == 60
    assert doc["defaultExtent"] == extent and doc["featuredGroups"] == [{"owner": "admin", "title": "F"}]
    assert doc["portalProperties"] == {"links": {"contactUs": {"visible": False}}}
    assert doc["helperServices"] == {"geocode": geocoder, "printTask": {"url": "https://p.example.org"}}
    assert doc["basemapGalleryGroupQuery"] == 'title:"Maps" AND owner:admin'
    assert doc["helpBase"] == "https://help.example.org/" and doc["homePageFeaturedContentCount"] == 12
    assert doc["metadataFormats"] == ["iso19139", "fgdc"] and doc["useVectorBasemaps"] is True
    assert doc["authorizedCrossOriginDomains"] == ["https://a.example.org"]
    assert doc["allowedRedirectUris"] == ["https://app.example.org/cb", "myapp://callback"]
    org, _, _ = await snapshot(svc)
    assert org.can_share_public is False and org.can_search_public is False  # the columns access.py reads


async def test_only_supplied_parameters_change(client, svc, admin_token):
    await call(client, UPDATE, admin_token, description="first", region="US")
    before = await portal_self(client)
    svc.clock.advance(5)
    assert (await call(client, UPDATE, admin_token, units="metric"))["success"] is True
    after = await portal_self(client)
    assert after["description"] == "first" and after["region"] == "US" and after["units"] == "metric"
    assert after["modified"] > before["modified"]
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"units", "modified"}


async def test_own_id_works_and_other_ids_are_not_found(client, svc, admin_token):
    assert (await call(client, f"portals/{DEFAULT_ORG}/update", admin_token, name="By id"))["success"] is True
    other = await make_org(client, admin_token, "Second Org", "second_admin")
    before = await snapshot(svc, other["org"]["id"])
    assert await call(client, f"portals/{other['org']['id']}/update", admin_token, name="Taken over") == NOT_FOUND
    assert await call(client, "portals/ZZZZZZZZZZZZZZZZ/update", admin_token, name="x") == NOT_FOUND
    assert await snapshot(svc, other["org"]["id"]) == before
    # and its own administrator, calling with our id, is told the same
    theirs = await get_token(client, "second_admin", "Other12345")
    mine = await snapshot(svc)
    assert await call(client, f"portals/{DEFAULT_ORG}/update", theirs, name="Taken over") == NOT_FOUND
    assert await snapshot(svc) == mine
    assert (await call(client, UPDATE, theirs, name="Second renamed"))["id"] == other["org"]["id"]


BAD = [
    ({"name": "<b></b>"}, "'name' must not be empty"),
    ({"name": "x" * 251}, "'name' is longer than 250"),
    ({"access": "secret"}, "'access' must be one of"),
    ({"culture": "xx"}, "'culture' must be one of portals/languages"),
    ({"region": "ZZ"}, "'region' must be one of portals/regions"),
    ({"cultureFormat": "zz"}, "'cultureFormat'"),
    ({"units": "imperial"}, "'units' must be one of"),
    ({"urlKey": "-acme"}, "'urlKey'"),
    ({"urlKey": "ac_me"}, "'urlKey'"),
    ({"urlKey": "a" * 64}, "'urlKey' is longer than 63"),
    ({"urlHostname": "bad host"}, "'urlHostname'"),
    ({"urlHostname": "-a.example.org"}, "'urlHostname'"),
    ({"canSharePublic": "maybe"}, "'canSharePublic' must be true or false"),
    ({"allowedOrigins": "https://app.example.org/path"}, "'allowedOrigins'"),
    ({"allowedOrigins": "ftp://app.example.org"}, "'allowedOrigins'"),
    ({"allowedOrigins": "*"}, "'allowedOrigins'"),
    ({"allowedOrigins": json.dumps([f"https://h{i}.example.org" for i in range(101)])}, "at most 100"),
    ({"authorizedCrossOriginDomains": "example.org"}, "'authorizedCrossOriginDomains'"),
    ({"allowedRedirectUris": "relative/path"}, "'allowedRedirectUris'"),
    ({"allowedRedirectUris": "https://app.example.org/cb#x"}, "'allowedRedirectUris'"),
    ({"allowedRedirectUris": "https://"}, "'allowedRedirectUris'"),
    ({"maxTokenExpirationMinutes": "0"}, "'maxTokenExpirationMinutes'"),
    ({"maxTokenExpirationMinutes": "-2"}, "'maxTokenExpirationMinutes'"),
    ({"maxTokenExpirationMinutes": "525601"}, "'maxTokenExpirationMinutes'"),
    ({"maxTokenExpirationMinutes": "ten"}, "'maxTokenExpirationMinutes' must be an integer"),
    ({"defaultExtent": "[1, 2]"}, "'defaultExtent' must be a JSON object"),
    ({"defaultExtent": "{bad"}, "'defaultExtent' is not valid JSON"),
    ({"featuredGroups": '{"a": 1}'}, "'featuredGroups' must be a JSON array"),
    ({"geocodeService": '{"url": "https://g.example.org"}'}, "'geocodeService' must be a JSON array"),
    ({"geometryService": "[]"}, "'geometryService' must be a JSON object"),
    ({"contacts": "nobody_here"}, "'contacts': not members of the organization: nobody_here"),
    ({"mfaAdmins": "admin,ghost"}, "'mfaAdmins': not members of the organization: ghost"),
    ({"contacts": "ghost1,plain,ghost2"}, "'contacts': not members of the organization: ghost1, ghost2."),
    ({"helpBase": "javascript:alert(1)"}, "'helpBase'"),
    ({"homePageFeaturedContentCount": "101"}, "'homePageFeaturedContentCount'"),
    ({"defaultUserCreditAssignment": "-2"}, "'defaultUserCreditAssignment'"),
    ({"metadataFormats": "bad format!"}, "'metadataFormats'"),
    ({"name": "Fine", "region": "ZZ"}, "'region'"),  # one bad value: the good one is not stored either
]


async def test_bad_values_are_refused_and_change_nothing(client, svc, admin_token, subtests):
    await make_user(svc, "plain", "Member12345")
    await call(client, UPDATE, admin_token, name="Before", region="US", contacts="plain")
    for params, detail in BAD:
        with subtests.test(**{k: v[:40] for k, v in params.items()}):
            before = await snapshot(svc)
            reply = await call(client, UPDATE, admin_token, **params)
            assert reply["error"]["code"] == 400 and reply["error"]["message"] == "Unable to update portal.", reply
            assert any(detail in d for d in reply["error"]["details"]), reply
            assert await snapshot(svc) == before


LIMITS = [
    {"name": "x" * 250}, {"maxTokenExpirationMinutes": "-1"}, {"maxTokenExpirationMinutes": "1"},
    {"maxTokenExpirationMinutes": "525600"}, {"urlKey": "a" * 63}, {"urlKey": "a"},
    {"allowedOrigins": json.dumps([f"https://h{i}.example.org" for i in range(100)])},
    {"homePageFeaturedContentCount": "0"}, {"homePageFeaturedContentCount": "100"},
    {"defaultUserCreditAssignment": "-1"}, {"allowedOrigins": "http://[::1]:8080,https://a.example.org:8443"},
]


async def test_values_at_the_limits_are_accepted(client, admin_token, subtests):
    for params in LIMITS:
        with subtests.test(**{k: v[:40] for k, v in params.items()}):
            assert await call(client, UPDATE, admin_token, **params) == {"success": True, "id": DEFAULT_ORG}


async def test_url_key_host_name_and_name_are_unique_across_organizations(client, svc, admin_token):
    other = await make_org(client, admin_token, "Second Org", "second_admin")
    theirs = await get_token(client, "second_admin", "Other12345")
    assert (await call(client, UPDATE, theirs, urlKey="acme", urlHostname="gis.acme.org"))["success"] is True
    before = await snapshot(svc)
    for params in ({"urlKey": "ACME"}, {"urlHostname": "GIS.acme.org"}, {"name": "second org"}):
        reply = await call(client, UPDATE, admin_token, **params)
        name = next(iter(params))
        assert reply["error"] == {"code": 400, "message": "Unable to update portal.",
                                  "details": [f"'{name}' is already used by another organization."]}, reply
        assert await snapshot(svc) == before
    # an organization may keep its own values
    assert (await call(client, UPDATE, theirs, urlKey="acme", name="Second Org"))["id"] == other["org"]["id"]


async def test_security_settings_need_manage_security(client, svc):
    website = await member_with(svc, client, "web_admin", "portal:admin:manageWebsite")
    security = await member_with(svc, client, "sec_admin", "portal:admin:manageSecurity")
    assert (await call(client, UPDATE, website, name="Web", description="d", culture="de"))["success"] is True
    assert (await call(client, UPDATE, security, access="public", allowedOrigins="https://a.example.org",
                       canSharePublic="true", mfaEnabled="false"))["success"] is True
    for token, params, needed in ((website, {"access": "private"}, "manageSecurity"),
                                  (website, {"name": "Both", "allowedOrigins": "https://b.example.org"},
                                   "manageSecurity"),
                                  (security, {"description": "nope"}, "manageWebsite"),
                                  (security, {"maxTokenExpirationMinutes": "5", "name": "nope"}, "manageWebsite")):
        before = await snapshot(svc)
        reply = await call(client, UPDATE, token, **params)
        assert reply["error"]["code"] == 403 and reply["error"]["message"] == FORBIDDEN_MESSAGE, reply
        assert needed in reply["error"]["details"][0]
        assert await snapshot(svc) == before


async def test_clear_empty_fields(client, svc, admin_token):
    await call(client, UPDATE, admin_token, description="text", allowedOrigins="https://a.example.org",
               geometryService='{"url": "https://g.example.org"}', printServiceTask='{"url": "https://p.example.org"}',
               region="US", urlKey="acme", urlHostname="gis.acme.org")
    # without clearEmptyFields an empty value changes nothing
    await call(client, UPDATE, admin_token, description="", region="", urlKey="")
    doc = await portal_self(client, await get_token(client))
    assert doc["description"] == "text" and doc["region"] == "US" and doc["urlKey"] == "acme"
    reply = await call(client, UPDATE, admin_token, clearEmptyFields="true", description="", region="",
                       urlKey="", urlHostname="", allowedOrigins="", geometryService="", bingKey="", units="metric")
    assert reply["success"] is True  # bingKey was never set: clearing it is no error
    doc = await portal_self(client, await get_token(client))
    assert doc["description"] is None and doc["region"] == "WO" and doc["urlKey"] is None
    assert doc["urlHostname"] is None and doc["allowedOrigins"] == [] and doc["units"] == "metric"
    assert doc["helperServices"] == {"printTask": {"url": "https://p.example.org"}}  # the other entry stays
    before = await snapshot(svc)
    reply = await call(client, UPDATE, admin_token, clearEmptyFields="true", name="", description="gone?")
    assert reply["error"] == {"code": 400, "message": "Unable to update portal.", "details": ["'name' must not be empty."]}
    assert await snapshot(svc) == before


async def test_admin_only_settings_are_shown_to_its_administrators_only(client, svc, admin_token):
    await make_user(svc, "plain", "Member12345")
    await call(client, UPDATE, admin_token, allowedOrigins="https://a.example.org", mfaAdmins="admin",
               contacts="plain")
    await call(client, "portals/self/securityPolicy/update", admin_token, minLength="12")
    admin = await portal_self(client, admin_token)
    assert admin["allowedOrigins"] == ["https://a.example.org"] and admin["mfaAdmins"] == ["admin"]
    assert admin["contacts"] == ["plain"]
    website = await member_with(svc, client, "web_admin", "portal:admin:manageWebsite")
    assert (await portal_self(client, website))["allowedOrigins"] == ["https://a.example.org"]
    other = await make_org(client, admin_token, "Second Org", "second_admin")
    outsider = await get_token(client, "second_admin", "Other12345")
    for token in (None, await get_token(client, "plain", "Member12345")):
        doc = await portal_self(client, token)
        assert "allowedOrigins" not in doc and "mfaAdmins" not in doc and "storageQuota" not in doc
        assert doc["contacts"] == ["plain"]
    outside = await portal_self(client, outsider, DEFAULT_ORG)
    assert "allowedOrigins" not in outside and "user" not in outside
    assert other["org"]["id"] != outside["id"]
    for token in (None, admin_token, outsider):  # the security policy is a resource of its own
        assert "securityPolicy" not in json.dumps(await portal_self(client, token, DEFAULT_ORG))


async def test_private_organizations_are_hidden_from_outsiders(client, svc, admin_token):
    other = await make_org(client, admin_token, "Second Org", "second_admin")
    org_id = other["org"]["id"]
    theirs = await get_token(client, "second_admin", "Other12345")
    assert (await call(client, UPDATE, theirs, access="private", description="internal"))["success"] is True
    for token in (None, admin_token):  # anonymous, and an administrator of another organization
        assert await portal_self(client, token, org_id) == NOT_FOUND
        assert await call(client, f"portals/{org_id}/resources", token, method="GET") == NOT_FOUND
    assert (await portal_self(client, theirs, org_id))["description"] == "internal"


async def test_private_default_organization_answers_anonymous_callers_with_a_reduced_document(client, admin_token):
    await call(client, UPDATE, admin_token, description="secret plans", contacts="admin", region="FR",
               featuredGroups='[{"owner": "admin", "title": "Internal"}]')
    public = await portal_self(client)
    assert public["description"] == "secret plans" and public["contacts"] == ["admin"]
    assert (await call(client, UPDATE, admin_token, access="private"))["success"] is True
    for portal in ("self", DEFAULT_ORG):
        reduced = await portal_self(client, None, portal)
        assert reduced["access"] == "private" and reduced["id"] == DEFAULT_ORG and reduced["portalName"]
        assert reduced["description"] is None and reduced["contacts"] == [] and reduced["featuredGroups"] == []
        assert reduced["region"] == "FR"  # what a sign-in page needs stays
    member = await portal_self(client, admin_token)
    assert member["description"] == "secret plans" and member["featuredGroups"][0]["title"] == "Internal"
    refused = await call(client, "community/users/admin", method="GET")
    assert refused["error"]["code"] == 499


async def test_thumbnail_upload_replace_and_clear(client, svc, admin_token):
    png = image("PNG")
    reply = await call(client, UPDATE, admin_token, files={"thumbnail": ("logo.png", png, "image/png")})
    assert reply == {"success": True, "id": DEFAULT_ORG}
    assert (await portal_self(client))["thumbnail"] == "thumbnail.png"
    got = await client.get(f"{SHARING}/portals/self/resources/thumbnail.png")
    assert got.status_code == 200 and got.content == png and got.headers["content-type"] == "image/png"
    _, rows, blobs = await snapshot(svc)
    assert [r["key"] for r in rows] == ["thumbnail.png"] and len(blobs) == 1
    gif = image("GIF", color="blue")
    await call(client, UPDATE, admin_token, files={"thumbnail": ("logo.gif", gif, "image/gif")})
    _, rows, blobs = await snapshot(svc)
    assert [r["key"] for r in rows] == ["thumbnail.gif"] and len(blobs) == 1  # the PNG and its blob are gone
    assert (await client.get(f"{SHARING}/portals/self/resources/thumbnail.gif")).content == gif
    await call(client, UPDATE, admin_token, files={"thumbnail": ("again.gif", image("GIF"), "image/gif")})
    _, rows, blobs = await snapshot(svc)
    assert [r["key"] for r in rows] == ["thumbnail.gif"] and len(blobs) == 1  # same key: blob replaced
    await call(client, UPDATE, admin_token, clearEmptyFields="true", thumbnail="")
    org, rows, blobs = await snapshot(svc)
    assert org.thumbnail is None and rows == [] and blobs == []


@pytest.mark.parametrize(("upload", "detail"), [
    (b"GIF89a not really", "'thumbnail' is not a PNG, GIF or JPEG image."),
    (image("BMP"), "'thumbnail' is not a PNG, GIF or JPEG image."),
    (b"\x89PNG" + b"0" * (1024 * 1024), "'thumbnail' is larger than 1048576 bytes."),
])
async def test_bad_thumbnails_are_refused(client, svc, admin_token, upload, detail):
    await call(client, UPDATE, admin_token, files={"thumbnail": ("logo.png", image(), "image/png")})
    before = await snapshot(svc)
    reply = await call(client, UPDATE, admin_token, files={"thumbnail": ("logo.png", upload, "image/png")})
    assert reply["error"] == {"code": 400, "message": "Unable to update portal.", "details": [detail]}
    assert await snapshot(svc) == before


async def test_a_failed_update_leaves_no_blob_behind(client, svc, admin_token):
    await make_org(client, admin_token, "Second Org", "second_admin")
    theirs = await get_token(client, "second_admin", "Other12345")
    await call(client, UPDATE, theirs, urlKey="taken")
    before = await snapshot(svc)
    reply = await call(client, UPDATE, admin_token, urlKey="taken",
                       files={"thumbnail": ("logo.png", image(), "image/png")})
    assert reply["error"]["details"] == ["'urlKey' is already used by another organization."]
    assert await snapshot(svc) == before


async def test_allowed_origins_set_by_update_drive_cors(client, admin_token):
    preflight = {"Origin": "https://app.example.org", "Access-Control-Request-Method": "POST"}
    open_cors = await client.options(f"{SHARING}/portals/self", headers={**preflight, "Origin": "https://x.example"})
    assert open_cors.headers["access-control-allow-origin"] == "https://x.example"  # empty list: every origin
    await call(client, UPDATE, admin_token, allowedOrigins='["https://app.example.org"]')
    allowed = await client.options(f"{SHARING}/portals/self", headers=preflight)
    assert allowed.status_code == 204 and allowed.headers["access-control-allow-origin"] == "https://app.example.org"
    refused = await client.options(f"{SHARING}/portals/self", headers={**preflight, "Origin": "https://x.example"})
    assert "access-control-allow-origin" not in refused.headers


async def test_allowed_redirect_uris_set_by_update_drive_oauth(client, admin_token):
    authorize = {"client_id": "arcgisonline", "response_type": "code", "redirect_uri": "https://app.example.org/cb"}
    before = await client.get(f"{SHARING}/oauth2/authorize", params=authorize)
    assert "Invalid redirect_uri" in before.text
    await call(client, UPDATE, admin_token, allowedRedirectUris="https://app.example.org/cb")
    after = await client.get(f"{SHARING}/oauth2/authorize", params=authorize)
    assert "Invalid redirect_uri" not in after.text and 'name="oauth_state"' in after.text


async def test_the_html_form_lists_every_parameter(client, admin_token):
    page = await client.get(f"{SHARING}/{UPDATE}", params={"token": admin_token})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<input type="file" name="thumbnail">' in page.text
    for field in organization.FIELDS:
        assert f'name="{field.name}"' in page.text


def test_every_stored_setting_is_either_public_or_admin_only():
    stored = {f.name for f in organization.FIELDS if f.column is None and f.helper is None}
    assert stored == set(PUBLIC_SETTINGS) | set(organization.ADMIN_ONLY_SETTINGS)
    assert not set(PUBLIC_SETTINGS) & set(organization.ADMIN_ONLY_SETTINGS)


async def test_an_update_without_parameters_changes_nothing(client, svc, admin_token):
    before = await snapshot(svc)
    svc.clock.advance(5)
    assert await call(client, UPDATE, admin_token) == {"success": True, "id": DEFAULT_ORG}
    assert await call(client, UPDATE, admin_token, description="") == {"success": True, "id": DEFAULT_ORG}
    assert await snapshot(svc) == before


async def test_the_thumbnail_needs_manage_website(client, svc):
    security = await member_with(svc, client, "sec_admin", "portal:admin:manageSecurity")
    before = await snapshot(svc)
    reply = await call(client, UPDATE, security, files={"thumbnail": ("t.png", image(), "image/png")})
    assert reply["error"]["code"] == 403 and "manageWebsite" in reply["error"]["details"][0]
    assert await snapshot(svc) == before


async def test_a_new_thumbnail_replaces_a_resource_of_its_key(client, svc, admin_token):
    await call(client, UPDATE, admin_token, files={"thumbnail": ("t.png", image(), "image/png")})
    await call(client, "portals/self/addResource", admin_token, key="thumbnail.gif", text="not yet the thumbnail")
    assert len((await snapshot(svc))[2]) == 2
    gif = image("GIF")
    await call(client, UPDATE, admin_token, files={"thumbnail": ("t.gif", gif, "image/gif")})
    org, rows, blobs = await snapshot(svc)
    assert org.thumbnail == "thumbnail.gif" and [r["key"] for r in rows] == ["thumbnail.gif"] and len(blobs) == 1
    assert (await client.get(f"{SHARING}/portals/self/resources/thumbnail.gif")).content == gif


async def test_a_thumbnail_whose_resource_is_gone_is_replaced(client, svc, admin_token):
    from geoshare.storage import org_resources as resource_store

    await call(client, UPDATE, admin_token, files={"thumbnail": ("t.png", image(), "image/png")})
    await svc.db.write(resource_store.delete_resource, DEFAULT_ORG, "thumbnail.png")  # the row only
    reply = await call(client, UPDATE, admin_token, files={"thumbnail": ("t.jpg", image("JPEG"), "image/jpeg")})
    assert reply == {"success": True, "id": DEFAULT_ORG}
    org, rows, _ = await snapshot(svc)
    assert org.thumbnail == "thumbnail.jpg" and [r["key"] for r in rows] == ["thumbnail.jpg"]
