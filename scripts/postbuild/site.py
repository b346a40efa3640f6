"""`make site`: execute the posts, build the site strictly, and swap it into site/ at once.

All under the checkout's build lock (see lock.py), so two builds never write the same
files. MkDocs builds into a fresh folder under .build/; only if it succeeds does that
folder replace site/, in one rename (Linux's RENAME_EXCHANGE where available), and a
failed rename fails the build. A failed or interrupted build leaves site/ as it was.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import build
from .lock import run_locked

RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot exchange
        return False
    raise OSError(errno, f"cannot swap {b} for the new build: {os.strerror(errno)}")


def swap_in(new: Path, target: Path) -> None:
    """Make `new` be `target`, replacing the old `target` as one step; raise OSError on failure."""
    if not target.exists() and not target.is_symlink():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # now the old site
        return
    old = new.with_name(new.name + ".old")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old, target)  # put the old site back
        raise
    shutil.rmtree(old)


def mkdocs_build(config: Path, site_dir: Path) -> int:
    """`mkdocs build --strict`, printing its warnings and errors but not its INFO lines."""
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "-f",
        str(config),
        "--site-dir",
        str(site_dir),
    ]
    # Its own session: Ctrl-C is ours to handle (no KeyboardInterrupt traceback from MkDocs).
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        skipping = False
        for line in process.stdout:
            if line.startswith("INFO"):
                skipping = True  # and its indented continuation lines
                continue
            if skipping and line.startswith((" ", "\t")) and line.strip():
                continue
            skipping = False
            sys.stdout.write(line)
        return process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build_site", description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument("--site-dir", type=Path, default=Path("site"))
    parser.add_argument("--lock", type=Path, default=Path(".build/lock"))
    parser.add_argument(
        "--then",
        nargs=argparse.REMAINDER,
        default=[],
        help="a command to run after a successful build, still holding the lock (make test)",
    )
    parser.add_argument("only", nargs="*", metavar="SLUG", help="execute only these posts (default: all)")
    args = parser.parse_args(argv)
    with build.sigterm_interrupts():
        return run_locked(args.lock, "site", "interrupted; site/ left as it was", lambda: _build_site(args))


def _build_site(args) -> int:
    code = build.main([*args.only, "--lock", str(args.lock)])
    if code == 130:
        return code  # interrupted: build.main said so
    if code != 0:
        print("site: not built (the posts failed); site/ left as it was", file=sys.stderr)
        return code
    work = args.lock.parent
    work.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix="site-", dir=work))
    try:
        if mkdocs_build(args.config, new) != 0:
            print("site: mkdocs build --strict failed (see above); site/ left as it was", file=sys.stderr)
            return 1
        try:
            swap_in(new, args.site_dir)
        except OSError as error:
            print(f"site: could not replace {args.site_dir}/ with the new build: {error}", file=sys.stderr)
            return 1
    finally:
        shutil.rmtree(new, ignore_errors=True)
    print(f"site: built into {args.site_dir}/")
    if args.then:
        return subprocess.call(args.then)
    return 0
