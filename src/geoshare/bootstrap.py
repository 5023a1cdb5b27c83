"""First start and every start: create the data directory and the SQLite file (owner-only,
storage/private.py), migrate, create the default organization and its administrator when the
database is empty."""

from __future__ import annotations

import asyncio
import secrets
import string
from dataclasses import dataclass

from geoshare.app import build_services
from geoshare.domain import accounts
from geoshare.domain.services import Services
from geoshare.settings import Settings
from geoshare.storage import migrate, private


@dataclass(frozen=True)
class BootstrapResult:
    created: bool
    admin_username: str
    generated_password: str | None


def generate_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(20))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


def prepare(settings: Settings) -> BootstrapResult:
    """Synchronous entry for the CLI: migrate and bootstrap, then release every connection."""
    private.private_dir(settings.data_path)
    private.private_dir(settings.data_path / "blobs")
    database_file = private.sqlite_file(settings.effective_database_url)
    if database_file is not None:
        private.private_file(database_file)
    svc = build_services(settings)
    migrate.upgrade(svc.db.sync_engine)
    return asyncio.run(_bootstrap(svc))


async def _bootstrap(svc: Services) -> BootstrapResult:
    settings = svc.settings
    await svc.db.start()
    try:
        password = settings.admin_password or generate_password()
        created = await accounts.bootstrap(svc, settings.admin_username, password, settings.org_name)
        generated = password if created and not settings.admin_password else None
        return BootstrapResult(created=created is not None, admin_username=settings.admin_username,
                               generated_password=generated)
    finally:
        await svc.db.stop()
        svc.hasher.close()
