"""Domain errors.  The domain raises them; only `http/conventions.py` turns them into responses.

    GeoshareError                    (code 500)
    ├── InvalidParameter             (400)  bad, missing or oversized input
    ├── SignInFailed                 (400)  wrong credentials, locked or disabled account
    ├── NotFound                     (400 on the portal for items/groups/users, else 404)
    ├── Conflict                     (409)
    ├── Forbidden                    (403)
    ├── Unsupported                  (400)  method or format not supported, unknown URL
    ├── InvalidToken                 (498)
    └── TokenRequired                (499)

Each carries the ArcGIS `code`, an optional `message_code`, the message and `details`.
"""

from __future__ import annotations


class GeoshareError(Exception):
    code = 500
    message_code: str | None = None
    default_message = "Unable to complete operation."

    def __init__(self, message: str | None = None, details: list[str] | None = None, *, code: int | None = None,
                 message_code: str | None = None) -> None:
        self.message = message or self.default_message
        self.details = list(details or [])
        if code is not None:
            self.code = code
        if message_code is not None:
            self.message_code = message_code
        super().__init__(self.message)


class InvalidParameter(GeoshareError):
    code = 400
    default_message = "Invalid parameter."


class SignInFailed(GeoshareError):
    """generateToken and the OAuth sign-in refused the credentials (or the account is locked)."""

    code = 400
    default_message = "Unable to generate token."

    def __init__(self, reason: str) -> None:
        super().__init__("Unable to generate token.", [reason])
        self.reason = reason


class NotFound(GeoshareError):
    code = 400
    default_message = "Resource does not exist or is inaccessible."


class Conflict(GeoshareError):
    code = 409
    default_message = "The resource already exists."


class Forbidden(GeoshareError):
    code = 403
    message_code = "GWM_0003"
    default_message = "You do not have permissions to access this resource or perform this operation."


class Unsupported(GeoshareError):
    code = 400
    default_message = "Unable to complete operation."


class InvalidToken(GeoshareError):
    code = 498
    default_message = "Invalid token."


class TokenRequired(GeoshareError):
    code = 499
    message_code = "GWM_0003"
    default_message = "Token Required"
