"""Settings: environment and flags feed one table; typos stop start-up."""

from __future__ import annotations

import pytest

from geoshare.settings import SettingsError, load_settings


def test_environment_and_overrides():
    settings = load_settings({"port": "8000"}, environ={"GEOSHARE_PORT": "9000", "GEOSHARE_ACCESS_LOG": "false"})
    assert settings.port == 8000 and settings.access_log is False


def test_unknown_environment_setting_stops_startup():
    with pytest.raises(SettingsError, match="GEOSHARE_PROT"):
        load_settings(environ={"GEOSHARE_PROT": "1"})


@pytest.mark.parametrize("env", [{"GEOSHARE_PORT": "http"}, {"GEOSHARE_PORT": "70000"},
                                 {"GEOSHARE_LOG_LEVEL": "loud"}, {"GEOSHARE_CERT": "a.pem"}])
def test_bad_values(env):
    with pytest.raises(SettingsError):
        load_settings(environ=env)


def test_default_database_is_sqlite_in_data_dir(tmp_path):
    settings = load_settings({"data_dir": str(tmp_path)}, environ={})
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'geoshare.db'}"


def test_admin_password_not_in_repr():
    assert "Secret123" not in repr(load_settings({"admin_password": "Secret123"}, environ={}))


@pytest.mark.parametrize("value", ["gis.example.org", "ftp://gis.example.org", "https://", "https://x/?a=1",
                                   "https://x/#top"])
def test_public_url_must_be_an_absolute_http_url(value):
    with pytest.raises(SettingsError, match="public_url"):
        load_settings({"public_url": value}, environ={})


@pytest.mark.parametrize("value", ["https://gis.example.org", "http://gis.example.org:8080/", "https://[::1]:7443"])
def test_public_url_accepted(value):
    assert load_settings({"public_url": value}, environ={}).public_url == value
