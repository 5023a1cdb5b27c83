#!/usr/bin/env python3
"""Add members to a portal in bulk from a CSV file, the way the Portal for ArcGIS help's
"Add members to the portal" sample does: one token from generateToken (client=referer), then
one createUser request per line with the token in the form body and a Referer header.

Standard library only.  Usage:

    add_users_from_csv.py --portal https://host:7443/portal --admin ADMIN --users users.csv \\
        [--kind built-in|enterprise] [--insecure]

The administrator's password is read from the ADD_USERS_PASSWORD environment variable (or
prompted for).  Built-in accounts: columns username, password, email, fullname, role,
description (optional: user_type).  Enterprise logins: username, email, fullname, role,
description, idp_username; they are sent with provider=webadaptor, as the sample does.

A line the portal refuses is reported and the others are still added; the exit status is 1
when any line failed.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request
from typing import Any


def post(url: str, params: dict[str, Any], referer: str, context: ssl.SSLContext | None) -> Any:
    body = urllib.parse.urlencode(params).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={"Referer": referer})
    with urllib.request.urlopen(request, context=context, timeout=60) as response:
        return json.loads(response.read().decode("utf-8"))


def generate_token(portal: str, username: str, password: str, context: ssl.SSLContext | None) -> str:
    answer = post(f"{portal}/sharing/rest/generateToken",
                  {"username": username, "password": password, "client": "referer", "referer": portal,
                   "expiration": 60, "f": "json"}, portal, context)
    if "token" not in answer:
        raise SystemExit(f"could not sign in: {answer.get('error', answer)}")
    return str(answer["token"])


def create_params(row: dict[str, str], kind: str) -> dict[str, str]:
    params = {"username": row["username"], "email": row.get("email", ""), "fullname": row.get("fullname", ""),
              "role": row.get("role", ""), "description": row.get("description", ""), "f": "json"}
    if kind == "built-in":
        params.update(password=row.get("password", ""), provider="arcgis")
    else:
        params.update(provider="webadaptor", idpUsername=row.get("idp_username", ""))
    if row.get("user_type"):
        params["userLicenseTypeId"] = row["user_type"]
    return params


def add_user(portal: str, token: str, params: dict[str, str], context: ssl.SSLContext | None,
             renew: Any) -> tuple[bool, str, str]:
    """(created, token, message); an expired token (498) is renewed once."""
    url = f"{portal}/portaladmin/security/users/createUser"
    answer = post(url, {**params, "token": token}, portal, context)
    if isinstance(answer.get("error"), dict) and answer["error"].get("code") == 498:
        token = renew()
        answer = post(url, {**params, "token": token}, portal, context)
    if answer.get("status") == "success":
        return True, token, answer.get("username", params["username"])
    error = answer.get("error") or {}
    return False, token, " ".join([str(error.get("message", answer)), *map(str, error.get("details", []))])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Add members to a portal from a CSV file.")
    parser.add_argument("--portal", required=True, help="The portal URL, e.g. https://host:7443/portal")
    parser.add_argument("--admin", required=True, help="An administrator's username.")
    parser.add_argument("--users", required=True, help="The CSV file.")
    parser.add_argument("--kind", choices=("built-in", "enterprise"), default="built-in")
    parser.add_argument("--insecure", action="store_true", help="Accept a self-signed certificate.")
    args = parser.parse_args(argv)
    portal = args.portal.rstrip("/")
    context = None
    if args.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    password = os.environ.get("ADD_USERS_PASSWORD") or getpass.getpass(f"Password of {args.admin}: ")

    def renew() -> str:
        return generate_token(portal, args.admin, password, context)

    token = renew()
    failed = 0
    with open(args.users, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            created, token, message = add_user(portal, token, create_params(row, args.kind), context, renew)
            if created:
                print(f"added {message}")
            else:
                failed += 1
                print(f"line {line}: {row.get('username')} not added: {message}")
    print(f"{failed} line(s) failed" if failed else "all lines added")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
