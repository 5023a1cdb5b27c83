"""OAuth 2.0 for the built-in clients: authorize and the sign-in page post.

Implements sharing-api.md §2.4 for the flows the real clients use (clients.md §1.1): the
implicit flow of the ArcGIS API for Python (token in the fragment of an https redirect) and the
authorization-code flow (its fallback, and REST JS in a browser, with PKCE); the token endpoint
is in `oauth_grants.py`.  Sign-in sessions (`oauth_state`) and codes live in the database, so
any node of a cluster can finish a flow another began.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from geoshare.domain import accounts, tokens
from geoshare.domain.services import Services, new_secret
from geoshare.errors import GeoshareError
from geoshare.storage import tokens as token_store
from geoshare.storage.records import OAuthCode, OAuthSession

OOB = "urn:ietf:wg:oauth:2.0:oob"
BUILT_IN_CLIENTS = ("pythonapi", "arcgisonline", "arcgisnotebook", "arcgispro")
SESSION_MINUTES = 10
CODE_MINUTES = 5
CODE_ACCESS_MINUTES = 30  # access tokens from codes and refresh tokens: fixed 30 minutes (§2.5)


class OAuthPageError(GeoshareError):
    """A problem shown on the HTML authorize page (bad client id or redirect URI)."""

    code = 400


class OAuthError(GeoshareError):
    """A JSON error of the token endpoint, with the OAuth `error` member."""

    code = 400

    def __init__(self, message: str, oauth_error: str, *, code: int = 400) -> None:
        super().__init__(message, code=code)
        self.oauth_error = oauth_error


@dataclass(frozen=True)
class AuthorizeRequest:
    client_id: str
    response_type: str
    redirect_uri: str
    state: str | None
    expiration: int | None
    code_challenge: str | None
    code_challenge_method: str | None


@dataclass(frozen=True)
class SignInOutcome:
    """Either `location` (redirect there) or `approval_code` (show the out-of-band page)."""

    location: str | None = None
    approval_code: str | None = None


OOB_ONLY_CLIENTS = ("arcgisnotebook", "arcgispro")


def redirect_allowed(client_id: str, redirect_uri: str, is_own_origin: Callable[[str], bool],
                     allowed_uris: Sequence[str] = ()) -> bool:
    """Out-of-band; or a URI on one of the portal's own origins (the ArcGIS API for Python
    redirects to the https://host:port it was given); or one the organization lists in
    `allowedRedirectUris`.  Never decided from a request header: the caller passes the
    own-origin test built from configuration."""
    if redirect_uri == OOB:
        return True
    if client_id in OOB_ONLY_CLIENTS or _has_space_or_control(redirect_uri):
        return False  # the redirect goes out as written: no character a browser would drop or read differently
    try:
        parts = urlsplit(redirect_uri)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:  # e.g. an unclosed "[": not a URI at all
        return False
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname or parts.fragment or "@" in parts.netloc:
        return False
    return is_own_origin(redirect_uri) or any(_listed(redirect_uri, entry) for entry in allowed_uris)


def _has_space_or_control(value: str) -> bool:
    return any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value)


def _listed(redirect_uri: str, entry: str) -> bool:
    """`entry` is the redirect URI itself, or a prefix of it that ends at a path boundary
    (an entry without a host, such as `https://`, admits nothing)."""
    if not urlsplit(entry).hostname:
        return False
    return redirect_uri == entry or redirect_uri.startswith(entry.rstrip("/") + "/")


async def _listed_redirect_uris(svc: Services) -> list[str]:
    """The organization's `allowedRedirectUris` setting (empty until an administrator sets it)."""
    listed = (await accounts.default_org(svc)).settings.get("allowedRedirectUris")
    return [uri for uri in listed if isinstance(uri, str)] if isinstance(listed, list) else []


def check_client(client_id: str) -> None:
    if client_id not in BUILT_IN_CLIENTS:
        raise OAuthPageError("Error: Invalid client_id")


async def begin(svc: Services, req: AuthorizeRequest,
                is_own_origin: Callable[[str], bool]) -> tuple[str, OAuthSession]:
    """Validate an authorize request and open a sign-in session; returns (oauth_state, session)."""
    check_client(req.client_id)
    if req.response_type not in ("token", "code"):
        raise OAuthPageError("Error: Invalid response_type")
    if not redirect_allowed(req.client_id, req.redirect_uri, is_own_origin, await _listed_redirect_uris(svc)):
        raise OAuthPageError("Error: Invalid redirect_uri")
    if req.code_challenge_method and req.code_challenge_method not in ("S256", "plain"):
        raise OAuthPageError("Error: Invalid code_challenge_method")
    if req.code_challenge_method == "plain" and not svc.settings.oauth_allow_plain_pkce:
        # plain sends the verifier itself as the challenge, so whoever sees the authorize URL can redeem the code.
        raise OAuthPageError("Error: Invalid code_challenge_method")
    oauth_state = new_secret()
    now = svc.clock.now_ms()
    session = OAuthSession(state_hash=tokens.hash_token(oauth_state), client_id=req.client_id,
                           response_type=req.response_type, redirect_uri=req.redirect_uri, state=req.state,
                           expiration=req.expiration, code_challenge=req.code_challenge,
                           # pkce_ok checks every method but plain as S256 and passes a code without a
                           # challenge, so this default only labels the row: no mutant of it differs.
                           code_challenge_method=(req.code_challenge_method or ("S256" if req.code_challenge else None)),  # pragma: no mutate
                           created=now, expires=now + SESSION_MINUTES * tokens.MINUTE)
    await svc.db.write(token_store.insert_oauth_session, session)
    return oauth_state, session


async def session_for(svc: Services, oauth_state: str) -> OAuthSession:
    session = await svc.db.read(token_store.oauth_session_by_hash, tokens.hash_token(oauth_state))
    if session is None or session.expires <= svc.clock.now_ms():
        raise OAuthPageError("Error: Invalid or expired oauth_state")
    return session


async def sign_in(svc: Services, oauth_state: str, username: str, password: str, expiration: int | None,
                  client_ip: str | None, ssl: bool) -> SignInOutcome:
    """The sign-in page was posted.  Raises SignInFailed (page shown again) or OAuthPageError."""
    session = await session_for(svc, oauth_state)
    user = await tokens.authenticate(svc, username, password, channel="oauth", client_ip=client_ip)
    await svc.db.write(token_store.delete_oauth_session, session.state_hash)
    asked = expiration if (expiration or 0) > 0 else session.expiration
    if session.response_type == "token":
        minutes = tokens.clamp_minutes(asked, 120, 20160)
        issued = await tokens.issue(svc, user, kind="oauth", minutes=minutes, client_id=session.client_id)
        fragment = urlencode({"access_token": issued.token, "expires_in": minutes * 60, "username": user.username,
                              "ssl": "true" if ssl else "false", **({"state": session.state} if session.state else {})})
        return SignInOutcome(location=f"{session.redirect_uri}#{fragment}")
    code = new_secret()
    now = svc.clock.now_ms()
    record = OAuthCode(code_hash=tokens.hash_token(code), user_id=user.id, client_id=session.client_id,
                       redirect_uri=session.redirect_uri,
                       refresh_minutes=tokens.clamp_minutes(session.expiration, 20160, 129600),
                       code_challenge=session.code_challenge, code_challenge_method=session.code_challenge_method,
                       created=now, expires=now + CODE_MINUTES * tokens.MINUTE, used=False)
    await svc.db.write(token_store.insert_oauth_code, record)
    if session.redirect_uri == OOB:
        return SignInOutcome(approval_code=code)
    query = urlencode({"code": code, **({"state": session.state} if session.state else {})})
    sep = "&" if "?" in session.redirect_uri else "?"
    return SignInOutcome(location=f"{session.redirect_uri}{sep}{query}")
