"""Fixtures shared by the API tests."""

from tests.api.matrix_support import world  # noqa: F401 - the authorization matrix world, a fixture
