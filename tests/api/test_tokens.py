"""generateToken on the portal and the server, token transport, binding, expiry, lockout."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import ADMIN_PASSWORD, SHARING, count_rows, get_token, make_org, portal

GEN = f"{SHARING}/generateToken"


async def _self(client, token, **headers):
    return (await client.get(f"{SHARING}/community/self", params={"f": "json", "token": token}, headers=headers)).json()


async def test_generate_token_shape_and_default_life(client, svc):
    before = svc.clock.now_ms()
    reply = (await client.post(GEN, data={"username": "admin", "password": ADMIN_PASSWORD, "client": "referer",
                                          "referer": "http", "f": "json"})).json()
    assert set(reply) == {"token", "expires", "ssl"}
    assert isinstance(reply["expires"], int)
    assert 119 * 60_000 <= reply["expires"] - before <= 121 * 60_000


async def test_expiration_is_clamped(client, svc):
    before = svc.clock.now_ms()
    reply = (await client.post(GEN, data={"username": "admin", "password": ADMIN_PASSWORD, "expiration": "999999",
                                          "f": "json"})).json()
    assert reply["expires"] - before <= 20160 * 60_000 + 5000


async def test_malformed_expiration_changes_nothing(client, svc):
    tokens_before = await count_rows(svc, "tokens")
    reply = (await client.post(GEN, data={"username": "admin", "password": ADMIN_PASSWORD, "expiration": "soon",
                                          "f": "json"})).json()
    assert reply["error"]["code"] == 400 and reply["error"]["message"] == "Unable to generate token."
    assert "'expiration' must be an integer." in reply["error"]["details"]
    assert await count_rows(svc, "tokens") == tokens_before


async def test_wrong_password_and_unknown_user_look_alike(client, svc):
    wrong = (await client.post(GEN, data={"username": "admin", "password": "nope", "f": "json"})).json()
    unknown = (await client.post(GEN, data={"username": "ghost", "password": "nope", "f": "json"})).json()
    expected = {"error": {"code": 400, "message": "Unable to generate token.",
                          "details": ["Invalid username or password."]}}
    assert wrong == expected and unknown == expected
    assert await count_rows(svc, "tokens") == 0


async def test_missing_credentials(client):
    reply = (await client.post(GEN, data={"f": "json"})).json()
    assert reply["error"]["code"] == 400
    assert "'username' must be specified." in reply["error"]["details"]


async def test_token_transports(client, admin_token):
    assert (await _self(client, admin_token))["username"] == "admin"
    for headers in ({"X-Esri-Authorization": f"Bearer {admin_token}"}, {"Authorization": f"Bearer {admin_token}"}):
        reply = (await client.get(f"{SHARING}/community/self?f=json", headers=headers)).json()
        assert reply["username"] == "admin"
    client.cookies.set("agstoken", admin_token)
    assert (await client.get(f"{SHARING}/community/self?f=json")).json()["username"] == "admin"


async def test_bad_token_is_498_never_anonymous(client):
    for path in ("community/self", "portals/self", ""):
        reply = (await client.get(f"{SHARING}/{path}", params={"f": "json", "token": "forged"})).json()
        assert reply == {"error": {"code": 498, "message": "Invalid token.", "details": ["Invalid token."]}}, path


async def test_missing_token_is_499(client):
    reply = (await client.get(f"{SHARING}/community/self?f=json")).json()
    assert reply["error"]["code"] == 499 and reply["error"]["message"] == "Token Required"


async def test_referer_binding(client):
    token = await get_token(client, client="referer", referer="https://app.example.org")
    assert (await _self(client, token, Referer="https://app.example.org/page"))["username"] == "admin"
    assert (await _self(client, token))["username"] == "admin"  # no Referer: accepted (errata)
    assert (await _self(client, token, Referer="https://evil.example.com"))["error"]["code"] == 498


async def test_ip_binding(client):
    other = await get_token(client, client="ip", ip="10.1.2.3")
    assert (await _self(client, other))["error"]["code"] == 498
    mine = await get_token(client, client="requestip")
    assert (await _self(client, mine))["username"] == "admin"
    bad = (await client.post(GEN, data={"username": "admin", "password": ADMIN_PASSWORD, "client": "ip",
                                        "ip": "not-an-ip", "f": "json"})).json()
    assert bad["error"]["code"] == 400


async def test_expired_token(client, svc):
    token = await get_token(client, expiration="1")
    assert (await _self(client, token))["username"] == "admin"
    svc.clock.advance(61_000)
    assert (await _self(client, token))["error"]["code"] == 498


async def test_password_change_revokes_tokens(client, svc, admin_token):
    from geoshare.domain import accounts

    await accounts.set_password(svc, "admin", "Changed12345")
    assert (await _self(client, admin_token))["error"]["code"] == 498


async def test_tokens_are_stored_hashed(client, svc, admin_token):
    rows = await svc.db.read(lambda c: [r[0] for r in c.execute(text("SELECT token_hash FROM tokens"))])
    assert admin_token not in rows and len(rows[0]) == 64


async def test_sign_ins_recorded_without_password(client, svc):
    await client.post(GEN, data={"username": "admin", "password": "WrongSecret99", "f": "json"})
    await get_token(client)
    rows = await svc.db.read(lambda c: [dict(r._mapping) for r in c.execute(text("SELECT * FROM sign_ins"))])
    assert [r["success"] in (True, 1) for r in rows] == [False, True]
    dump = repr(rows)
    assert "WrongSecret99" not in dump and ADMIN_PASSWORD not in dump


async def test_server_generate_token(client, svc):
    before = svc.clock.now_ms()
    for url in ("/arcgis/admin/generateToken", "/arcgis/tokens/generateToken", "/arcgis/tokens", "/arcgis/tokens/"):
        reply = (await client.post(url, data={"username": "admin", "password": ADMIN_PASSWORD, "client": "requestip",
                                              "f": "json"})).json()
        assert isinstance(reply["expires"], int), url
        assert 59 * 60_000 <= reply["expires"] - before <= 61 * 60_000
    long = (await client.post("/arcgis/admin/generateToken", data={
        "username": "admin", "password": ADMIN_PASSWORD, "expiration": "100000", "f": "json"})).json()
    assert long["expires"] - before <= 1440 * 60_000 + 5000
    token = long["token"]
    assert (await client.get("/arcgis/admin", params={"f": "json", "token": token})).json()["resources"]


async def test_server_token_errors_use_admin_envelope(client):
    bad = (await client.post("/arcgis/admin/generateToken", data={"username": "admin", "password": "x",
                                                                  "f": "json"})).json()
    assert bad == {"status": "error", "messages": ["Unable to generate token.", "Invalid username or password."],
                   "code": 400}
    rest = (await client.post("/arcgis/tokens/generateToken", data={"username": "admin", "password": "x",
                                                                    "f": "json"})).json()
    assert rest["error"]["code"] == 400
    query = (await client.post(f"/arcgis/admin/generateToken?username=admin&password={ADMIN_PASSWORD}",
                               data={"f": "json"})).json()
    assert query["status"] == "error" and query["code"] == 400


async def test_credentials_in_the_query_string_are_refused_on_every_mount(client, svc):
    """As the server site refuses them (allowHttpPostQueryParams off), so does the portal, each
    in its own envelope; the password is never checked, so nothing is recorded."""
    detail = "Credentials in the query string are not allowed; send them in the request body."
    for query in (f"username=admin&password={ADMIN_PASSWORD}", f"password={ADMIN_PASSWORD}", "username=admin"):
        body = {"username": "admin", "password": ADMIN_PASSWORD, "f": "json"}
        portal = (await client.post(f"{GEN}?{query}", data=body)).json()
        assert portal == {"error": {"code": 400, "message": "Unable to generate token.", "details": [detail]}}, query
        server = (await client.post(f"/arcgis/tokens/generateToken?{query}", data=body)).json()
        assert server == portal
        admin = (await client.post(f"/arcgis/admin/generateToken?{query}", data=body)).json()
        assert admin == {"status": "error", "messages": ["Unable to generate token.", detail], "code": 400}
    assert await count_rows(svc, "tokens") == 0 and await count_rows(svc, "sign_ins") == 0
    assert "token" in (await client.post(f"{GEN}?f=json", data={"username": "admin", "password": ADMIN_PASSWORD})).json()


async def test_admin_generate_token_needs_site_privilege(client, admin_token):
    await make_org(client, admin_token, "Elsewhere", "elseadmin")
    reply = (await client.post("/arcgis/admin/generateToken", data={"username": "elseadmin", "password": "Other12345",
                                                                    "f": "json"})).json()
    assert reply["status"] == "error" and reply["code"] == 403
    ok = (await client.post("/arcgis/tokens/generateToken", data={"username": "elseadmin", "password": "Other12345",
                                                                  "f": "json"})).json()
    assert "token" in ok
    denied = (await client.get("/arcgis/admin", params={"f": "json", "token": ok["token"]})).json()
    assert denied["code"] == 403


async def test_cached_token_is_refused_right_after_revocation(client, svc):
    token = await get_token(client)
    for _ in range(3):  # the lookup is cached now
        assert (await _self(client, token))["username"] == "admin"
    await client.post(f"{SHARING}/oauth2/revokeToken", data={"client_id": "pythonapi", "auth_token": token})
    assert (await _self(client, token))["error"]["code"] == 498


async def test_cached_token_is_refused_after_password_change_and_expiry(client, svc):
    from geoshare.domain import accounts

    token = await get_token(client, expiration="2")
    assert (await _self(client, token))["username"] == "admin"
    svc.clock.advance(3 * 60_000)  # expiry is checked on every request, cached or not
    assert (await _self(client, token))["error"]["code"] == 498
    other = await get_token(client)
    assert (await _self(client, other))["username"] == "admin"
    await accounts.set_password(svc, "admin", "Changed12345")
    assert (await _self(client, other))["error"]["code"] == 498


async def test_disabled_user_is_refused_even_when_cached(client, svc, admin_token):
    from geoshare.storage import users as user_store

    assert (await _self(client, admin_token))["username"] == "admin"
    user = await svc.db.read(user_store.user_by_username, "admin")
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, disabled=True))
    assert (await _self(client, admin_token))["error"]["code"] == 498


async def test_referer_prefix_needs_a_boundary(client):
    token = await get_token(client, client="referer", referer="https://app.example.com")
    assert (await _self(client, token, Referer="https://app.example.com/maps?x=1"))["username"] == "admin"
    assert (await _self(client, token, Referer="https://app.example.com.evil.net/"))["error"]["code"] == 498
    bare = await get_token(client, client="referer", referer="http")  # what the Python client binds
    assert (await _self(client, bare, Referer="http"))["username"] == "admin"


async def test_referrer_spelling_is_accepted(client):
    token = await get_token(client, client="referer", referrer="https://old.example.org")
    assert (await _self(client, token, Referer="https://evil.example.org"))["error"]["code"] == 498
    assert (await _self(client, token, Referer="https://old.example.org/app"))["username"] == "admin"


async def test_stale_session_cookie_means_anonymous_but_a_sent_token_is_strict(client):
    client.cookies.set("agstoken", "expired-or-forged")
    assert "id" in (await client.get(f"{SHARING}/portals/self?f=json")).json()
    assert (await client.get(f"{SHARING}/portals/self", params={"f": "json", "token": "forged"})).json()[
        "error"]["code"] == 498


async def test_trusted_proxy_forwarded_address(settings):
    async with portal(settings, trusted_proxies="127.0.0.1") as http:
        forwarded = {"X-Forwarded-For": "203.0.113.7, 127.0.0.1"}
        reply = (await http.post(GEN, data={"username": "admin", "password": ADMIN_PASSWORD, "client": "requestip",
                                            "f": "json"}, headers=forwarded)).json()
        token = reply["token"]
        ok = await http.get(f"{SHARING}/community/self", params={"f": "json", "token": token}, headers=forwarded)
        assert ok.json()["username"] == "admin"
        direct = await http.get(f"{SHARING}/community/self", params={"f": "json", "token": token})
        assert direct.json()["error"]["code"] == 498  # bound to 203.0.113.7, not to the proxy


async def _other_process(settings):
    """A second handle on the same database: what the command line or another node holds."""
    from geoshare.storage.engine import Database

    other = Database(settings.effective_database_url)
    await other.start()
    return other


async def _until(condition):
    import asyncio

    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition not reached")


async def _until_heard(svc, notifications):
    """PostgreSQL delivers the notification asynchronously (SQLite needs no wait at all)."""
    if not svc.db.is_sqlite:
        await _until(lambda: svc.db.notifications > notifications)


async def _listening(svc):
    """On PostgreSQL, the cache is used only once the LISTEN connection is up: wait for it, so
    the test below shows a notification at work, not an unused cache."""
    await _until(lambda: svc.db.hears_changes)


async def test_a_revocation_by_another_process_is_seen_on_the_next_request(client, svc, settings):
    from geoshare.domain.tokens import hash_token
    from geoshare.storage import tokens as token_store

    await _listening(svc)
    token = await get_token(client)
    for _ in range(3):  # cached now
        assert (await _self(client, token))["username"] == "admin"
    other = await _other_process(settings)
    try:
        heard = svc.db.notifications
        await other.write(token_store.revoke_token, hash_token(token))
        await _until_heard(svc, heard)
        assert (await _self(client, token))["error"]["code"] == 498
    finally:
        await other.stop()


async def test_a_notification_the_listener_has_not_taken_yet_keeps_the_cache_out(client, svc, settings):
    """PostgreSQL: a revocation committed elsewhere whose notification has reached this node's
    LISTEN socket, but not yet its listener task (the event loop is busy: here, blocked), is seen
    by the very next request: while the socket holds unread data, nothing is served from the cache."""
    import select

    import pytest

    from geoshare.domain.tokens import hash_token
    from geoshare.storage import tokens as token_store
    from geoshare.storage.engine import _notifying

    if svc.db.is_sqlite:
        pytest.skip("SQLite reads data_version on every cached read")
    await _listening(svc)
    token = await get_token(client)
    for _ in range(3):  # cached now
        assert (await _self(client, token))["username"] == "admin"
    other = await _other_process(settings)
    try:
        heard = svc.db.notifications
        with other.sync_engine.begin() as conn:  # no await: the listener task cannot run meanwhile
            _notifying(token_store.revoke_token, conn, (hash_token(token),))  # as Database.write does
        readable, _, _ = select.select([svc.db._listen_socket], [], [], 5)
        assert readable and svc.db.notifications == heard  # arrived, not yet taken
        assert (await _self(client, token))["error"]["code"] == 498
    finally:
        await other.stop()


async def test_a_user_disabled_by_another_process_is_refused_on_the_next_request(client, svc, settings):
    from geoshare.storage import users as user_store

    await _listening(svc)
    token = await get_token(client)
    assert (await _self(client, token))["username"] == "admin"
    user = await svc.db.read(user_store.user_by_username, "admin")
    other = await _other_process(settings)
    try:
        heard = svc.db.notifications
        await other.write(lambda conn: user_store.update_user(conn, user.id, disabled=True))
        await _until_heard(svc, heard)
        assert (await _self(client, token))["error"]["code"] == 498
    finally:
        await other.stop()


async def test_reads_by_another_process_leave_the_cache_alone(client, svc, settings):
    """Only commits move data_version: the cache still saves the lookups otherwise."""
    await _listening(svc)
    token = await get_token(client)
    assert (await _self(client, token))["username"] == "admin"
    other = await _other_process(settings)
    try:
        await other.read(lambda conn: conn.exec_driver_sql("SELECT count(*) FROM tokens").scalar())
        generation = svc.db.generation
        assert (await _self(client, token))["username"] == "admin"
        assert svc.db.generation == generation
    finally:
        await other.stop()


async def test_without_its_listen_connection_a_node_serves_nothing_from_the_cache(client, svc, settings):
    """PostgreSQL only: when the LISTEN connection drops, a change that sends no notification
    (as if it were missed) is still seen at once, and the node connects again."""
    import pytest
    from sqlalchemy import create_engine

    from geoshare.domain.tokens import hash_token
    from geoshare.storage import tokens as token_store
    from geoshare.storage.engine import LISTENER_NAME

    if svc.db.is_sqlite:
        pytest.skip("PostgreSQL's LISTEN connection")
    await _listening(svc)
    token, kept = await get_token(client), await get_token(client)
    assert (await _self(client, token))["username"] == "admin"
    assert (await _self(client, kept))["username"] == "admin"
    silent = create_engine(settings.database_url)  # plain SQLAlchemy: commits without NOTIFY
    try:
        with silent.begin() as conn:
            conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 f"WHERE application_name = '{LISTENER_NAME}'")
        await _until(lambda: not svc.db.hears_changes)
        assert (await _self(client, token))["username"] == "admin"  # read afresh, and not kept
        with silent.begin() as conn:
            token_store.revoke_token(conn, hash_token(token))
        assert (await _self(client, token))["error"]["code"] == 498
        await _until(lambda: svc.db.hears_changes)  # back after a second
        assert (await _self(client, kept))["username"] == "admin"
    finally:
        silent.dispose()


async def _store_token(svc, value, **changes):
    """Store a token whose value the test chooses (issued ones are random)."""
    import dataclasses

    from geoshare.domain import tokens
    from geoshare.storage import tokens as token_store
    from geoshare.storage import users as user_store

    user = await svc.db.read(user_store.user_by_username, "admin")
    now = svc.clock.now_ms()
    _, record = tokens.new_record(user.id, "generate", now + 60_000, now)
    record = dataclasses.replace(record, token_hash=tokens.hash_token(value), **changes)
    await svc.db.write(token_store.insert_token, record)


async def test_a_token_may_have_2048_characters_not_more(client, svc):
    await _store_token(svc, "t" * 2048)
    await _store_token(svc, "u" * 2049)
    assert (await _self(client, "t" * 2048))["username"] == "admin"
    assert (await _self(client, "u" * 2049))["error"]["code"] == 498


async def test_strict_referer_refuses_a_bound_token_without_referer(settings):
    from tests.conftest import portal

    async with portal(settings, strict_referer=True) as client:
        token = await get_token(client, client="referer", referer="https://app.example.org")
        assert (await _self(client, token, Referer="https://app.example.org/x"))["username"] == "admin"
        assert (await _self(client, token))["error"]["code"] == 498
        unbound = await get_token(client, client="requestip")
        assert (await _self(client, unbound))["username"] == "admin"


async def test_an_ip_bound_token_from_a_peer_without_an_address_is_refused(app, svc):
    """A peer that is not an IP address (a Unix socket, a test transport) matches no bound address."""
    import httpx

    await _store_token(svc, "bound-token", bind_type="ip", bind_value="127.0.0.1")
    named = httpx.ASGITransport(app=app, client=("not-an-address", 1))
    async with httpx.AsyncClient(transport=named, base_url="http://testserver") as other:
        assert (await _self(other, "bound-token"))["error"]["code"] == 498
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 1)),
                                 base_url="http://testserver") as local:
        assert (await _self(local, "bound-token"))["username"] == "admin"


async def test_issue_stores_what_it_is_asked_and_says_when_it_ends(svc):
    from geoshare.domain import tokens
    from geoshare.storage import tokens as token_store
    from geoshare.storage import users as user_store

    user = await svc.db.read(user_store.user_by_username, "admin")
    now = svc.clock.pin()
    issued = await tokens.issue(svc, user, kind="oauth", minutes=7, binding=tokens.Binding("ip", "192.0.2.9"),
                                client_id="pythonapi")
    assert issued.expires == now + 7 * 60_000 and issued.user == user
    record = await svc.db.read(token_store.token_by_hash, tokens.hash_token(issued.token))
    assert (record.kind, record.client_id, record.bind_type, record.bind_value, record.created, record.expires) == (
        "oauth", "pythonapi", "ip", "192.0.2.9", now, now + 7 * 60_000)


async def test_sign_in_stores_the_requested_token(svc):
    from geoshare.domain import tokens
    from geoshare.storage import tokens as token_store

    now = svc.clock.pin()
    request = tokens.TokenRequest("server", 5, tokens.Binding("referer", "https://app.example.org"), "arcgispro")
    issued = await tokens.sign_in(svc, "ADMIN", ADMIN_PASSWORD, request, channel="test", client_ip="192.0.2.1")
    assert issued.expires == now + 5 * 60_000 and issued.user.username == "admin"
    record = await svc.db.read(token_store.token_by_hash, tokens.hash_token(issued.token))
    assert (record.kind, record.client_id, record.bind_type, record.bind_value, record.user_id, record.expires) == (
        "server", "arcgispro", "referer", "https://app.example.org", issued.user.id, now + 5 * 60_000)


async def test_revoke_all_ends_every_token_of_one_user(client, svc):
    from geoshare.domain import tokens
    from tests.conftest import make_user

    member = await make_user(svc, "member")
    mine = [await get_token(client) for _ in range(2)]
    theirs = await get_token(client, "member", "Member12345")
    assert await tokens.revoke_all(svc, member.id) == 1
    assert (await _self(client, theirs))["error"]["code"] == 498
    assert [(await _self(client, t))["username"] for t in mine] == ["admin", "admin"]
