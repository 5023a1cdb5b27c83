"""The `geoshare` command: serve, orgs, users."""

from __future__ import annotations

import asyncio
import atexit
import logging
import logging.handlers
import queue
import ssl
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from geoshare.settings import ENV_PREFIX, SETTINGS, Settings, SettingsError, SettingSpec, load_settings


def _options(names: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Click options generated from the settings table, so flags and settings never drift."""
    specs = [s for s in SETTINGS if s.name in names]

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        for spec in reversed(specs):
            flag = "--" + spec.name.replace("_", "-")
            if spec.type is bool:
                fn = click.option(f"{flag}/--no-{flag[2:]}", spec.name, default=None, help=option_help(spec))(fn)
            else:
                fn = click.option(flag, spec.name, type=spec.type, default=None, help=option_help(spec))(fn)
        return fn

    return decorate


def option_help(spec: SettingSpec) -> str:
    """The setting's help with its default and environment variable (the flag's own default is
    None, so that an unset flag leaves the environment's value in place)."""
    return f"{spec.help}  [default: {default_text(spec)}; env var: {ENV_PREFIX}{spec.name.upper()}]"


def default_text(spec: SettingSpec) -> str:
    if spec.type is bool:
        return ("--" if spec.default else "--no-") + spec.name.replace("_", "-")
    if spec.default == "":
        return "none"
    return str(spec.default)


SERVE_OPTIONS = tuple(s.name for s in SETTINGS)
DB_OPTIONS = ("data_dir", "database_url", "argon2_time_cost", "argon2_memory_kib")


def _settings(values: dict[str, Any]) -> Settings:
    try:
        return load_settings(values)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


@click.group()
@click.version_option("0.1.0", prog_name="geoshare")
def cli() -> None:
    """geoshare: a self-hosted portal that speaks the ArcGIS REST API."""


@cli.command()
@_options(SERVE_OPTIONS)
def serve(**values: Any) -> None:
    """Start the portal and server site on one port (HTTP and HTTPS)."""
    settings = _settings(values)
    from geoshare import server

    # The port first: when it is taken, nothing (data directory, database, administrator) is created.
    try:
        sock = server.listening_socket(settings.host, settings.port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}") from None
    try:
        _configure_logging(settings.log_level)
        context, result = _prepare(settings)
    except BaseException:
        sock.close()
        raise
    from geoshare.app import build_app

    _banner(settings, result)
    server.run(build_app(settings), sock, context, settings)


def _prepare(settings: Settings) -> tuple[ssl.SSLContext, Any]:
    """The TLS context and the first-start set-up; a given certificate is loaded before anything is written."""
    from geoshare import bootstrap, tls
    from geoshare.errors import GeoshareError

    try:
        given = tls.server_context(Path(settings.cert), Path(settings.key)) if settings.cert else None
    except (OSError, ssl.SSLError) as exc:
        raise click.ClickException(f"cannot load --cert {settings.cert} / --key {settings.key}: {exc}") from None
    try:
        result = bootstrap.prepare(settings)
    except GeoshareError as exc:
        raise click.ClickException(" ".join([exc.message, *exc.details])) from None
    if given is not None:
        return given, result
    cert_path, key_path = tls.self_signed(settings.data_path / "tls", settings.host)
    return tls.server_context(cert_path, key_path), result


class _NotAnError(logging.Filter):
    """uvicorn logs its start-up and shutdown lines under the name `uvicorn.error`; they are not errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.name = "uvicorn"
        return True


def _configure_logging(level: str) -> None:
    """Records are queued on the event loop and written by a background thread, and no
    caller lookup is done: a log line then costs the request a few microseconds."""
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # skip the per-record stack walk
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = logging.handlers.QueueListener(records, stream)
    listener.start()
    atexit.register(listener.stop)
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(records)]
    root.setLevel(level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.error").addFilter(_NotAnError())


def _banner(settings: Settings, result: Any) -> None:
    host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0", "::") else settings.host  # noqa: S104
    base = f"{host}:{settings.port}"
    pc, sc = settings.portal_context.strip("/"), settings.server_context.strip("/")
    lines = ["", "geoshare is starting", f"  data directory : {settings.data_path}",
             f"  database       : {'SQLite' if settings.is_sqlite else 'PostgreSQL'}",
             f"  portal         : https://{base}/{pc}   (also http://{base}/{pc})",
             f"  portal API     : https://{base}/{pc}/sharing/rest",
             f"  server admin   : https://{base}/{sc}/admin",
             f"  browse         : https://{base}/{pc}/sharing/rest  (sign in at https://{base}/-/login)", ""]
    if result.created:
        lines.append(f"  First start: created organization '{settings.org_name}' and administrator "
                     f"'{result.admin_username}'.")
        if result.generated_password:
            lines += ["", "  ==============================================================",
                      f"  Administrator password (shown once): {result.generated_password}",
                      "  ==============================================================",
                      "  Change it later with: geoshare users set-password " + result.admin_username]
        elif settings.admin_password:
            lines.append("  Sign in with the password given by --admin-password / GEOSHARE_ADMIN_PASSWORD.")
    else:
        lines.append(f"  Existing portal: sign in as '{result.admin_username}' (or any member) with the password "
                     "set earlier.")
    click.echo("\n".join(lines) + "\n", err=False)
    sys.stdout.flush()


def _run(settings: Settings, coro_fn: Callable[..., Any], *args: Any) -> Any:
    from geoshare.app import build_services
    from geoshare.storage import migrate, private

    database_file = private.sqlite_file(settings.effective_database_url)
    if database_file is not None and not database_file.exists():
        # An empty database here would be a second, empty portal beside the real one.
        raise click.ClickException(f"no database at {database_file}: give the --data-dir (or --database-url) of "
                                   "an existing portal, or start one there first with `geoshare serve`")
    svc = build_services(settings)
    migrate.upgrade(svc.db.sync_engine)

    async def go() -> Any:
        await svc.db.start()
        try:
            return await coro_fn(svc, *args)
        finally:
            await svc.db.stop()
            svc.hasher.close()

    return asyncio.run(go())


@cli.group()
def orgs() -> None:
    """Organizations hosted by this portal."""


@orgs.command("create")
@_options(DB_OPTIONS)
@click.option("--name", required=True, help="Organization name.")
@click.option("--access", type=click.Choice(["public", "private"]), default="public")
@click.option("--admin", "admin_username", required=True, help="Username of its first administrator.")
@click.option("--admin-password-value", "admin_password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="GEOSHARE_NEW_ORG_ADMIN_PASSWORD", help="Password of that administrator.")
def orgs_create(name: str, access: str, admin_username: str, admin_password: str, **values: Any) -> None:
    """Create an organization and its first administrator."""
    from geoshare.domain import accounts
    from geoshare.errors import GeoshareError

    settings = _settings(values)
    new = accounts.NewUser(username=admin_username, password=admin_password, role="org_admin")
    try:
        org, user = _run(settings, accounts.create_org, name, new, access)
    except GeoshareError as exc:
        raise click.ClickException(" ".join([exc.message, *exc.details])) from None
    click.echo(f"created organization {org.id} '{org.name}' with administrator {user.username}")


@orgs.command("list")
@_options(DB_OPTIONS)
def orgs_list(**values: Any) -> None:
    """List organizations."""
    from geoshare.domain import accounts

    for org in _run(_settings(values), accounts.list_orgs):
        click.echo(f"{org.id}  {'(default) ' if org.is_default else ''}{org.name}  access={org.access}")


@cli.group()
def users() -> None:
    """Members of an organization: create, list, set-password.

    Each command works on the database of an existing portal (--data-dir or --database-url,
    as given to `geoshare serve`) and refuses a data directory without one.  Passwords are
    prompted for (or read from GEOSHARE_NEW_PASSWORD) so that they never appear in the
    process list; --password exists for scripts that accept that.
    """


@users.command("set-password")
@_options(DB_OPTIONS)
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="GEOSHARE_NEW_PASSWORD", help="The new password.")
def users_set_password(username: str, password: str, **values: Any) -> None:
    """Set a user's password (revokes their tokens and unlocks the account)."""
    from geoshare.domain import accounts
    from geoshare.errors import GeoshareError

    try:
        _run(_settings(values), accounts.set_password, username, password)
    except GeoshareError as exc:
        raise click.ClickException(" ".join([exc.message, *exc.details])) from None
    click.echo(f"password of {username} changed")


def _fail(exc: Any) -> click.ClickException:
    return click.ClickException(" ".join([exc.message, *exc.details]))


@users.command("create")
@_options(DB_OPTIONS)
@click.argument("username")
@click.option("--email", required=True, help="The member's e-mail address.")
@click.option("--first-name", help="First name (with --last-name, or give --full-name).")
@click.option("--last-name", help="Last name.")
@click.option("--full-name", help="Full name, split on its last space when no first/last name is given.")
@click.option("--role", help="org_user (default: the organization's new-member role), org_publisher, org_admin, "
                             "viewer, data editor, or a custom role id.")
@click.option("--user-type", help="creatorUT, viewerUT, editorUT, ... (default: the organization's).")
@click.option("--provider", type=click.Choice(["arcgis", "enterprise"]), default="arcgis", show_default=True,
              help="enterprise accounts have no password here.")
@click.option("--idp-username", help="Enterprise accounts: the login name (default: the username).")
@click.option("--description", help="Profile description (limited HTML).")
@click.option("--org", "org_ref", help="Organization id or name (default: the default organization).")
@click.option("--password", envvar="GEOSHARE_NEW_PASSWORD",
              help="The password; prompted for when absent (env var: GEOSHARE_NEW_PASSWORD).")
def users_create(username: str, email: str, first_name: str | None, last_name: str | None, full_name: str | None,
                 role: str | None, user_type: str | None, provider: str, idp_username: str | None,
                 description: str | None, org_ref: str | None, password: str | None, **values: Any) -> None:
    """Create a member, with the rules of createUser (6-24 character username, the
    organization's password policy, a role that fits the user type)."""
    from geoshare.domain import members
    from geoshare.errors import GeoshareError

    settings = _settings(values)
    if provider == "arcgis" and not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    req = members.MemberRequest(username=username, email=email, password=password, first_name=first_name,
                                last_name=last_name, full_name=full_name, role=role, user_type=user_type,
                                provider=provider, idp_username=idp_username, description=description)
    try:
        user = _run(settings, members.create_from_command_line, org_ref, req)
    except GeoshareError as exc:
        raise _fail(exc) from None
    click.echo(f"created {user.username} in organization {user.org_id} "
               f"(role {user.role_id or user.role}, user type {user.user_license_type_id})")


@users.command("list")
@_options(DB_OPTIONS)
@click.option("--org", "org_ref", help="Organization id or name (default: the default organization).")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
def users_list(org_ref: str | None, as_json: bool, **values: Any) -> None:
    """List the members of an organization, by username."""
    import json

    from geoshare.domain import members
    from geoshare.errors import GeoshareError

    try:
        _org, found = _run(_settings(values), members.members_of, org_ref)
    except GeoshareError as exc:
        raise _fail(exc) from None
    rows = [{"username": u.username, "fullName": u.full_name, "email": u.email, "role": u.role, "roleId": u.role_id,
             "userLicenseTypeId": u.user_license_type_id, "provider": u.provider, "disabled": u.disabled,
             "created": u.created} for u in found]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = [("USERNAME", "ROLE", "USER TYPE", "PROVIDER", "DISABLED", "FULL NAME", "EMAIL")]
    table += [(r["username"], r["roleId"] or r["role"], r["userLicenseTypeId"], r["provider"],
               "yes" if r["disabled"] else "no", r["fullName"] or "", r["email"] or "") for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":  # pragma: no cover
    cli()
