"""The geoshare command: organizations and passwords from the shell, settings errors, a
missing database, the help text, and the modes of what the first start creates."""

from __future__ import annotations

import asyncio
import logging
import os
import stat

import pytest
from click.testing import CliRunner

from geoshare import bootstrap
from geoshare.app import build_services
from geoshare.cli.main import cli
from geoshare.domain import tokens
from geoshare.settings import ENV_PREFIX, SETTINGS, load_settings

FAST = ["--argon2-memory-kib", "1024", "--argon2-time-cost", "1"]
PG_URL = os.environ.get("GEOSHARE_TEST_DATABASE_URL", "")


def _first_start(data_dir: str) -> None:
    """What `geoshare serve` sets up before it listens: data directory, database, administrator."""
    bootstrap.prepare(load_settings({"data_dir": data_dir, "admin_password": "Admin12345", "argon2_memory_kib": 1024,
                                     "argon2_time_cost": 1}, environ={}))


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


def _can_sign_in(data_dir: str, username: str, password: str) -> bool:
    settings = load_settings({"data_dir": data_dir, "argon2_memory_kib": 1024, "argon2_time_cost": 1}, environ={})
    svc = build_services(settings)

    async def go() -> bool:
        await svc.db.start()
        try:
            await tokens.authenticate(svc, username, password, channel="test", client_ip=None)
            return True
        except Exception:
            return False
        finally:
            await svc.db.stop()
            svc.hasher.close()

    return asyncio.run(go())


def test_orgs_create_list_and_set_password(tmp_path):
    data = str(tmp_path)
    _first_start(data)
    created = _run("orgs", "create", "--data-dir", data, *FAST, "--name", "Rivers", "--admin", "riveradmin",
                   "--admin-password-value", "River12345")
    assert created.exit_code == 0, created.output
    assert "Rivers" in created.output and "riveradmin" in created.output
    listing = _run("orgs", "list", "--data-dir", data, *FAST)
    assert "Rivers" in listing.output
    assert _can_sign_in(data, "riveradmin", "River12345")
    changed = _run("users", "set-password", "--data-dir", data, *FAST, "riveradmin",
                   env={"GEOSHARE_NEW_PASSWORD": "Changed12345"})
    assert changed.exit_code == 0, changed.output
    assert not _can_sign_in(data, "riveradmin", "River12345")
    assert _can_sign_in(data, "riveradmin", "Changed12345")


def test_bad_input_is_a_clear_error(tmp_path):
    _first_start(str(tmp_path))
    weak = _run("orgs", "create", "--data-dir", str(tmp_path), *FAST, "--name", "X", "--admin", "xadmin",
                "--admin-password-value", "short")
    assert weak.exit_code != 0 and "Invalid password." in weak.output
    unknown = _run("users", "set-password", "--data-dir", str(tmp_path), *FAST, "ghost", "--password", "Ghost12345")
    assert unknown.exit_code != 0 and "does not exist" in unknown.output


def test_unknown_setting_stops_serve(tmp_path):
    result = _run("serve", "--data-dir", str(tmp_path), env={"GEOSHARE_PROT": "1"})
    assert result.exit_code != 0 and "GEOSHARE_PROT" in result.output


@pytest.mark.parametrize("command", [
    ["orgs", "create", "--name", "X", "--admin", "xadmin", "--admin-password-value", "Xadmin12345"],
    ["orgs", "list"],
    ["users", "set-password", "admin", "--password", "Admin12345"],
], ids=["orgs-create", "orgs-list", "set-password"])
def test_a_command_without_a_database_says_so_and_creates_nothing(tmp_path, command):
    data = tmp_path / "no-portal-here"
    result = _run(*command[:2], "--data-dir", str(data), *FAST, *command[2:])
    assert result.exit_code != 0
    assert result.output.strip() == (f"Error: no database at {data / 'geoshare.db'}: give the --data-dir (or "
                                     "--database-url) of an existing portal, or start one there first with "
                                     "`geoshare serve`")
    assert not data.exists()


@pytest.mark.skipif(not PG_URL, reason="needs GEOSHARE_TEST_DATABASE_URL (PostgreSQL)")
def test_a_command_on_postgresql_needs_no_data_directory(tmp_path, pg_prepared):
    result = _run("orgs", "list", "--data-dir", str(tmp_path / "unused"), "--database-url", pg_prepared, *FAST)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "unused").exists()


def test_serve_help_shows_each_default_and_environment_variable():
    from geoshare.cli.main import default_text

    text = "".join(_run("serve", "--help").output.split())  # click wraps lines anywhere, hyphens included
    for spec in SETTINGS:
        expected = f"[default:{default_text(spec)};envvar:{ENV_PREFIX}{spec.name.upper()}]"
        assert expected.replace(" ", "") in text, spec.name
    assert "[default:7443;envvar:GEOSHARE_PORT]" in text
    assert "[default:--access-log;envvar:GEOSHARE_ACCESS_LOG]" in text
    assert "[default:none;envvar:GEOSHARE_ADMIN_PASSWORD]" in text


def test_the_first_start_creates_everything_private(tmp_path):
    data = tmp_path / "a" / "data"
    _first_start(str(data))
    from geoshare import tls

    tls.self_signed(data / "tls", "127.0.0.1")
    assert _mode(data) == 0o700 and _mode(data / "blobs") == 0o700 and _mode(data / "tls") == 0o700
    assert _mode(data / "geoshare.db") == 0o600
    assert _mode(data / "tls" / "geoshare.key") == 0o600


def test_the_database_files_stay_private_while_in_use(tmp_path):
    """SQLite gives its -wal and -shm files the mode of the database file."""
    data = tmp_path / "data"
    _first_start(str(data))
    settings = load_settings({"data_dir": str(data)}, environ={})
    svc = build_services(settings)

    async def go() -> list[int]:
        await svc.db.start()
        try:
            await svc.db.write(lambda conn: None)
            return [_mode(data / name) for name in ("geoshare.db", "geoshare.db-wal", "geoshare.db-shm")]
        finally:
            await svc.db.stop()
            svc.hasher.close()

    assert asyncio.run(go()) == [0o600, 0o600, 0o600]


def test_a_data_directory_open_to_others_is_named_in_a_warning(tmp_path, caplog):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # noqa: S103 - the loose mode is what the test is about
    with caplog.at_level(logging.WARNING, logger="geoshare.storage"):
        _first_start(str(data))
    assert [r.getMessage() for r in caplog.records] == [
        f"{data} is open to other users (mode 755); it holds the password hashes and the TLS key: chmod 700 it"]
    assert _mode(data / "geoshare.db") == 0o600
