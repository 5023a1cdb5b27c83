"""Files only their owner may read: the data directory, the SQLite database, the TLS key.

Modes are set when a file is created, not repaired afterwards: SQLite gives its -wal and -shm
files the mode of the database file, so creating that file 0600 before SQLite opens it is what
keeps all three private.  An existing data directory that others may enter is left as it is
(its owner may have meant it) but named in a warning at every start.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger("geoshare.storage")
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> None:
    """Create `path` (parents as usual) readable by its owner only, or warn if an existing one is not."""
    if not path.exists():
        path.mkdir(mode=DIR_MODE, parents=True)
        os.chmod(path, DIR_MODE)  # mkdir's mode passes through the umask; say it exactly
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s is open to other users (mode %o); it holds the password hashes and the TLS key: "
                    "chmod 700 it", path, mode)


def private_file(path: Path) -> None:
    """Create an empty file with mode 0600 unless it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser().resolve()
