"""Service passwords of items (sharing-api.md §6.4), encrypted at rest with Fernet.

The key is made once, on first use, as `item-secrets.key` in the data directory with mode 0600
(created exclusively, so two processes starting together agree on one key).  Neither the key nor
a password is ever logged or returned; only `decrypt` (for a future proxy) reads one back.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet

from geoshare.storage.private import FILE_MODE

KEY_FILE = "item-secrets.key"


def _create(path: Path) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(Fernet.generate_key())


@lru_cache(maxsize=8)
def _fernet(data_dir: Path) -> Fernet:
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    _create(path)
    return Fernet(path.read_bytes().strip())


def encrypt(data_dir: Path, password: str) -> str:
    return _fernet(data_dir).encrypt(password.encode()).decode("ascii")


def decrypt(data_dir: Path, token: str) -> str:
    return _fernet(data_dir).decrypt(token.encode("ascii")).decode()
