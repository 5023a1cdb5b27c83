"""Real clients never silently skip where they are required: the rule (tests/e2e/support.py) and
the hooks that apply it (tests/e2e/conftest.py), run on a scratch suite with pytester."""

from __future__ import annotations

import pytest

from tests.e2e.support import client_suite, clients_required, required_client_missing


@pytest.mark.parametrize(("environ", "required"), [
    ({}, False), ({"CI": "true"}, True), ({"CI": "1"}, True), ({"CI": "false"}, False), ({"CI": ""}, False),
    ({"GEOSHARE_TEST_REQUIRE_CLIENTS": "1"}, True), ({"GEOSHARE_TEST_REQUIRE_CLIENTS": "yes"}, True),
    ({"GEOSHARE_TEST_REQUIRE_CLIENTS": "0", "CI": "true"}, False),
    ({"GEOSHARE_TEST_REQUIRE_CLIENTS": "1", "CI": "false"}, True), ({"CI": " TRUE "}, True),
])
def test_when_clients_are_required(environ, required):
    assert clients_required(environ) is required


def test_which_files_are_client_suites():
    assert client_suite("tests/e2e/test_arcgis_python.py") == "arcgis"
    assert client_suite("/x/tests/e2e/test_restjs.py") == "REST JS"
    assert client_suite("tests/e2e/test_browser.py") == "Chromium"
    assert client_suite("tests/e2e/test_transport.py") is None
    assert required_client_missing("tests/e2e/test_browser.py", {"CI": "true"}) == "Chromium"
    assert required_client_missing("tests/e2e/test_browser.py", {}) is None
    assert required_client_missing("tests/e2e/test_transport.py", {"CI": "true"}) is None


SCRATCH = {
    # a client suite that skips itself at import, as test_browser.py does without Chromium
    "test_browser": "import pytest\npytest.skip('Chromium is not installed', allow_module_level=True)\n",
    # a client suite whose fixture skips, as node_bin does without the REST JS packages
    "test_restjs": "import pytest\n\n@pytest.fixture\ndef client():\n    pytest.skip('no node')\n\n"
                   "def test_one(client):\n    pass\n\n@pytest.mark.xfail(reason='known')\n"
                   "def test_expected_failure():\n    assert False\n",
    "test_arcgis_python": "def test_sign_in():\n    assert True\n",
    "test_other": "import pytest\n\ndef test_skipped():\n    pytest.skip('not a client suite')\n",
}


@pytest.fixture
def scratch(pytester, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GEOSHARE_TEST_REQUIRE_CLIENTS", raising=False)
    pytester.makeconftest("from tests.e2e.conftest import (  # noqa: F401\n"
                          "    pytest_configure, pytest_make_collect_report, pytest_runtest_makereport)\n")
    pytester.makeini("[pytest]\nmarkers =\n    e2e: end-to-end\n")
    pytester.makepyfile(**SCRATCH)
    return pytester


def test_missing_clients_fail_where_required(scratch, monkeypatch):
    monkeypatch.setenv("GEOSHARE_TEST_REQUIRE_CLIENTS", "1")
    result = scratch.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:xdist", "-p", "no:benchmark", "-rfs")
    result.assert_outcomes(passed=1, failed=1, errors=1, skipped=1, xfailed=1)  # the fixture's skip: a setup error
    result.stdout.fnmatch_lines(["*Chromium is required here*the suite skipped: Chromium is not installed*"])
    result.stdout.fnmatch_lines(["*REST JS is required here*the test skipped: no node*"])
    result.stdout.fnmatch_lines(["*real clients*", "arcgis: 1 passed", "REST JS: 1 failed",
                                 "Chromium: 1 failed"])


def test_missing_clients_skip_elsewhere(scratch):
    result = scratch.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:xdist", "-p", "no:benchmark")
    result.assert_outcomes(passed=1, skipped=3, xfailed=1)
    result.stdout.fnmatch_lines(["arcgis: 1 passed", "REST JS: 1 skipped", "Chromium: 1 skipped"])


def test_a_missing_client_item_is_deselected_with_the_end_to_end_tests(scratch, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = scratch.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:xdist", "-p", "no:benchmark", "-m", "not e2e", "test_browser.py")
    result.assert_outcomes(deselected=1)
