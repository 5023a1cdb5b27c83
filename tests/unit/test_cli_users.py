"""`geoshare users create` and `geoshare users list`: the createUser rules from the shell, the
password from the environment or a prompt (never required on the command line), an
organization by id or name, table and JSON output, and a missing database refused."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from geoshare import bootstrap
from geoshare.cli.main import cli
from geoshare.settings import load_settings
from tests.unit.test_cli import FAST, _can_sign_in, _first_start

PG_URL = os.environ.get("GEOSHARE_TEST_DATABASE_URL", "")


def _run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(cli, list(args), env=env or {}, input=input, catch_exceptions=False)


@pytest.fixture
def data(tmp_path) -> str:
    _first_start(str(tmp_path))
    return str(tmp_path)


def _create(data: str, *args: str, **kw):
    return _run("users", "create", "--data-dir", data, *FAST, *args, **kw)


def _listed(data: str, *args: str) -> list[dict]:
    result = _run("users", "list", "--data-dir", data, *FAST, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_create_with_the_password_from_the_environment(data):
    result = _create(data, "ada_lovelace", "--email", "ada@example.org", "--first-name", "Ada", "--last-name",
                     "Lovelace", "--role", "publisher", env={"GEOSHARE_NEW_PASSWORD": "Analytical12"})
    assert result.exit_code == 0, result.output
    assert result.output == "created ada_lovelace in organization 0123456789ABCDEF (role org_publisher, user type " \
                            "creatorUT)\n"
    assert "Analytical12" not in result.output
    assert _can_sign_in(data, "ada_lovelace", "Analytical12")
    ada = next(u for u in _listed(data) if u["username"] == "ada_lovelace")
    assert (ada["fullName"], ada["email"], ada["role"], ada["roleId"], ada["userLicenseTypeId"], ada["provider"]) == (
        "Ada Lovelace", "ada@example.org", "org_publisher", None, "creatorUT", "arcgis")


def test_create_prompts_for_the_password_twice(data):
    result = _create(data, "grace_hopper", "--email", "grace@example.org", "--full-name", "Grace Hopper",
                     input="Compiler1952\nCompiler1952\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Compiler1952" not in result.output
    assert _can_sign_in(data, "grace_hopper", "Compiler1952")


def test_a_viewer_in_another_organization_named_by_name(data):
    made = _run("orgs", "create", "--data-dir", data, *FAST, "--name", "Rivers", "--admin", "riveradmin",
                "--admin-password-value", "River12345")
    assert made.exit_code == 0, made.output
    result = _create(data, "river_viewer", "--email", "v@example.org", "--full-name", "River Viewer", "--org",
                     "rivers", "--role", "viewer", "--user-type", "viewerUT", "--password", "Viewer12345")
    assert result.exit_code == 0, result.output
    listed = _listed(data, "--org", "Rivers")
    assert [(u["username"], u["roleId"], u["userLicenseTypeId"]) for u in listed] == [
        ("river_viewer", "iAAAAAAAAAAAAAAA", "viewerUT"), ("riveradmin", None, "creatorUT")]
    assert "river_viewer" not in {u["username"] for u in _listed(data)}


def test_an_enterprise_account_needs_no_password(data):
    result = _create(data, "CORP\\jcho111", "--email", "jcho@corp.example", "--full-name", "Jon Cho", "--provider",
                     "enterprise")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("created jcho111@CORP ")
    jon = next(u for u in _listed(data) if u["username"] == "jcho111@CORP")
    assert jon["provider"] == "enterprise"


def test_the_table(data):
    _create(data, "table_user", "--email", "t@example.org", "--full-name", "Tab Le", "--password", "Table12345")
    result = _run("users", "list", "--data-dir", data, *FAST)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["USERNAME", "ROLE", "USER", "TYPE", "PROVIDER", "DISABLED", "FULL", "NAME", "EMAIL"]
    assert lines[1].split() == ["admin", "org_admin", "creatorUT", "arcgis", "no", "Administrator"]
    assert lines[2].split() == ["table_user", "org_user", "creatorUT", "arcgis", "no", "Tab", "Le", "t@example.org"]
    assert lines[0].index("ROLE") == lines[1].index("org_admin") == lines[2].index("org_user")


@pytest.mark.parametrize(("args", "message"), [
    (("abc", "--email", "a@example.org", "--full-name", "A B", "--password", "Valid12345"),
     "Invalid username. A username has 6 to 24 characters"),
    (("good_name", "--email", "nope", "--full-name", "A B", "--password", "Valid12345"), "Invalid e-mail address."),
    (("good_name", "--email", "a@example.org", "--full-name", "A B", "--password", "weak"), "Invalid password."),
    (("good_name", "--email", "a@example.org", "--full-name", "A B", "--password", "Valid12345", "--role",
      "org_owner"), "Invalid role."),
    (("good_name", "--email", "a@example.org", "--full-name", "A B", "--password", "Valid12345", "--user-type",
      "viewerUT"), "The user type does not allow this role."),
    (("admin_", "--email", "a@example.org", "--full-name", "A B", "--password", "Valid12345", "--org", "Nowhere"),
     "Organization does not exist. No organization has the id or name 'Nowhere'."),
])
def test_refusals_are_clear_errors(data, args, message):
    before = _listed(data)
    result = _create(data, *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert _listed(data) == before


def test_a_taken_name(data):
    result = _create(data, "ADMIN_", "--email", "a@example.org", "--full-name", "A B", "--password", "Valid12345")
    assert result.exit_code == 0
    again = _create(data, "admin_", "--email", "a@example.org", "--full-name", "A B", "--password", "Valid12345")
    assert again.exit_code == 1 and "User 'admin_' already exists." in again.output


def test_a_missing_database_is_refused(tmp_path):
    for args in (("create", "some_user", "--email", "a@example.org", "--password", "Valid12345"), ("list",)):
        result = _run("users", args[0], "--data-dir", str(tmp_path / "none"), *FAST, *args[1:])
        assert result.exit_code == 1 and "no database at" in result.output, result.output
    assert not (tmp_path / "none" / "geoshare.db").exists()


def test_the_help_documents_the_commands():
    group = _run("users", "--help").output
    assert "create" in group and "list" in group and "GEOSHARE_NEW_PASSWORD" in group
    create = _run("users", "create", "--help").output
    for option in ("--email", "--first-name", "--last-name", "--full-name", "--role", "--user-type", "--provider",
                   "--org", "--password", "--data-dir", "--database-url"):
        assert option in create
    assert "--json" in _run("users", "list", "--help").output


@pytest.mark.skipif(not PG_URL, reason="needs GEOSHARE_TEST_DATABASE_URL (PostgreSQL)")
def test_create_and_list_on_postgresql(tmp_path, settings):
    url = settings.database_url  # the fixture emptied it
    bootstrap.prepare(load_settings({"data_dir": str(tmp_path / "first"), "database_url": url,
                                     "admin_password": "Admin12345", "argon2_memory_kib": 1024,
                                     "argon2_time_cost": 1}, environ={}))
    where = ("--data-dir", str(tmp_path / "unused"), "--database-url", url, *FAST)
    made = _run("users", "create", *where, "pg_member", "--email", "pg@example.org", "--full-name", "P G",
                "--password", "Postgres12345")
    assert made.exit_code == 0, made.output
    listed = _run("users", "list", *where, "--json")
    assert [u["username"] for u in json.loads(listed.output)] == ["admin", "pg_member"]
    assert not (tmp_path / "unused").exists()
