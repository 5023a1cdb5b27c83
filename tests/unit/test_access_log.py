"""The access log writes every line, in order, with the secrets the caller redacted."""

from __future__ import annotations

import io

from geoshare.http.access_log import AccessLog
from geoshare.http.dispatch import redacted_query


def test_lines_are_written_and_flushed():
    out = io.StringIO()
    log = AccessLog(out)
    for i in range(1000):
        log.write("GET", f"/p{i}", "ok", 0.25)
    log.flush()
    lines = out.getvalue().splitlines()
    assert len(lines) == 1000 and lines[0].endswith("geoshare.access: GET /p0 ok 0.2ms")
    assert lines[-1].split("geoshare.access: ")[1] == "GET /p999 ok 0.2ms"


def test_secrets_are_redacted():
    shown = redacted_query([("f", "json"), ("token", "abc"), ("Password", "pw"), ("code", "c")])
    assert shown == "f=json&token=%2A%2A%2A&Password=%2A%2A%2A&code=%2A%2A%2A"


def test_query_parsing_fast_and_slow_paths_agree():
    from urllib.parse import parse_qsl

    from geoshare.http.dispatch import query_items

    class Fake:
        def __init__(self, qs: bytes) -> None:
            self.scope = {"query_string": qs}

    for qs in (b"f=json&token=abc", b"a=&b", b"x=%C3%A9&y=a+b", b"&&f=pjson&", b"q=caf%C3%A9%20bar"):
        assert query_items(Fake(qs)) == parse_qsl(qs.decode("latin-1"), keep_blank_values=True), qs


def test_any_password_like_parameter_is_redacted():
    shown = redacted_query([("adminPassword", "pw1"), ("newPassword", "pw2"), ("client_secret", "s"), ("f", "json")])
    assert "pw1" not in shown and "pw2" not in shown and "=s&" not in shown and "f=json" in shown


def test_control_characters_cannot_forge_lines():
    from geoshare.logsafe import printable

    assert printable("/a\n2026-01-01 INFO forged") == "/a\\n2026-01-01 INFO forged"
    assert printable("/plain/path") == "/plain/path"


def test_security_answers_are_redacted():
    shown = redacted_query([("securityAnswer", "my first pet"), ("securityQuestionIdx", "3"), ("f", "json")])
    assert "pet" not in shown and "securityAnswer=%2A%2A%2A" in shown and "securityQuestionIdx=3" in shown
