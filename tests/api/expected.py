"""Exact error bodies the clients match, written out by hand from the specs (not computed from the
code under test): sharing-api.md §1.5 for the portal, server-admin-api.md §2.6 for /arcgis."""

from __future__ import annotations

from typing import Any

ADMIN_499_TEXT = "Unauthorized access. Token not found. You can generate a token using the 'generateToken' operation."

TOKEN_REQUIRED: dict[str, dict[str, Any]] = {
    "sharing": {"error": {"code": 499, "message": "Token Required", "details": ["Token Required"],
                          "messageCode": "GWM_0003"}},
    "portaladmin": {"error": {"code": 499, "message": "Token Required", "details": [], "messageCode": "GWM_0003"}},
    "admin": {"status": "error", "messages": [ADMIN_499_TEXT], "code": 499},
}
INVALID_TOKEN: dict[str, dict[str, Any]] = {
    "sharing": {"error": {"code": 498, "message": "Invalid token.", "details": ["Invalid token."]}},
    "portaladmin": {"error": {"code": 498, "message": "Invalid token.", "details": []}},
    "rest": {"error": {"code": 498, "message": "Invalid Token", "details": []}},
    "tokens": {"error": {"code": 498, "message": "Invalid Token", "details": []}},
    "admin": {"status": "error", "messages": ["Invalid Token"], "code": 498},
}
FORBIDDEN_MESSAGE = "You do not have permissions to access this resource or perform this operation."
FORBIDDEN: dict[str, dict[str, Any]] = {
    "sharing": {"error": {"code": 403, "message": FORBIDDEN_MESSAGE, "details": [], "messageCode": "GWM_0003"}},
    "portaladmin": {"error": {"code": 403, "message": FORBIDDEN_MESSAGE, "details": [], "messageCode": "GWM_0003"}},
    "admin": {"status": "error", "messages": [FORBIDDEN_MESSAGE], "code": 403},
}


def error_code(mount: str, body: Any) -> int | None:
    """The ArcGIS code of an error envelope of `mount`, or None when `body` is not one."""
    if not isinstance(body, dict):
        return None
    if mount == "admin":
        return body.get("code") if body.get("status") == "error" else None
    error = body.get("error")
    return error.get("code") if isinstance(error, dict) else None
