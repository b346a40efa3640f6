"""One build at a time per checkout: an exclusive lock on `.build/lock`.

`make site`, `make test`, `make posts` and the executor that `make serve` runs on every
save all write docs/, the execution cache or site/. Each takes this lock first (an
`fcntl.flock`, which the kernel releases when the process ends, even when it is killed),
so a second build waits for the first, saying who holds the lock, instead of both
writing the same files. A process started by a build holding the lock (the executor run
by the site build, for example) is told so through the environment and does not wait for
its parent.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from pathlib import Path

HELD = "POSTBUILD_LOCK_HELD"  # set to the lock's path for children of the holder


class LockBusy(Exception):
    """Another build holds the lock and we were asked not to wait."""


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 500).decode("utf-8", "replace").strip() or "unknown process"
    except OSError:
        return "unknown process"


def _describe() -> str:
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200]
    return f"pid {os.getpid()}: {command}, since {time.strftime('%H:%M:%S')}"


@contextlib.contextmanager
def build_lock(path: Path, wait: bool = True, log=None):
    """Hold the checkout's build lock for the block; wait (saying for whom) or raise LockBusy."""
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    resolved = str(path.resolve())
    if os.environ.get(HELD) == resolved:
        yield  # our parent process holds it for us
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    previous = os.environ.get(HELD)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise LockBusy(f"another build is running in this checkout ({holder})") from None
            log(f"waiting for another build in this checkout to finish ({holder}) ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (_describe() + "\n").encode())
        os.environ[HELD] = resolved
        yield
    finally:
        if previous is None:
            os.environ.pop(HELD, None)
        else:
            os.environ[HELD] = previous
        os.close(fd)  # releases the lock


def run_locked(lock: Path, label: str, interrupted: str, body) -> int:
    """Run `body()` under the build lock: exit 1 if the lock is busy, 130 on Ctrl-C, one line each."""
    try:
        with build_lock(lock):
            return body()
    except LockBusy as error:
        print(f"{label}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{label}: {interrupted}", file=sys.stderr)
        return 130
