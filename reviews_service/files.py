"""Files written whole or not at all; plumbing every room may import."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def _create_beside(path: Path, prefix: str) -> tuple[int, Path]:
    # Like mkstemp, but with the mode a plain open() gives (the umask decides), so a file the user
    # asked for (an export of personal data) is no more readable than they chose.
    while True:
        temp = path.with_name(f"{prefix}{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except FileExistsError:
            continue


@contextmanager
def atomic_write(path: str | Path, *, text: bool = False, permissions: int | None = None,
                 prefix: str = ".", sync: bool = True) -> Iterator[IO[Any]]:
    """A file to write that replaces `path` in one rename when the block ends cleanly (flushed to
    disk first) and is removed when it raises: readers see the old file or the new one, never half
    of one. `permissions`, when given, are set whatever the umask (e.g. media a web server serves
    as another user). The temporary file sits beside `path`, named `prefix` + name + random.
    `sync=False` skips the fsync (still atomic for readers; after a power cut the file may be the
    old one): for files that are rewritten from the database anyway."""
    path = Path(path)
    fd, temp = _create_beside(path, prefix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") if text else os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        if permissions is not None:
            os.chmod(temp, permissions)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
