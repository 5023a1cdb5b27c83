"""PKCE verification, apart from the HTTP flow."""

from __future__ import annotations


def test_plain_pkce_code_is_refused_once_the_setting_is_off():
    """A code taken while plain PKCE was allowed is not redeemed after it is switched off."""
    from geoshare.domain.oauth_grants import pkce_ok
    from geoshare.storage.records import OAuthCode

    code = OAuthCode(code_hash="h", user_id="u", client_id="pythonapi", redirect_uri="x", refresh_minutes=1,
                     code_challenge="v" * 50, code_challenge_method="plain", created=0, expires=1, used=False)
    assert pkce_ok(code, "v" * 50, allow_plain=True)
    assert not pkce_ok(code, "v" * 50, allow_plain=False)
    assert not pkce_ok(code, "", allow_plain=True)
