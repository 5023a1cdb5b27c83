"""The geoshare command: organizations and passwords from the shell, settings errors."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from geoshare.app import build_services
from geoshare.cli.main import cli
from geoshare.domain import tokens
from geoshare.settings import load_settings

FAST = ["--argon2-memory-kib", "1024", "--argon2-time-cost", "1"]


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
    weak = _run("orgs", "create", "--data-dir", str(tmp_path), *FAST, "--name", "X", "--admin", "xadmin",
                "--admin-password-value", "short")
    assert weak.exit_code != 0 and "Invalid password." in weak.output
    unknown = _run("users", "set-password", "--data-dir", str(tmp_path), *FAST, "ghost", "--password", "Ghost12345")
    assert unknown.exit_code != 0 and "does not exist" in unknown.output


def test_unknown_setting_stops_serve(tmp_path):
    result = _run("serve", "--data-dir", str(tmp_path), env={"GEOSHARE_PROT": "1"})
    assert result.exit_code != 0 and "GEOSHARE_PROT" in result.output
