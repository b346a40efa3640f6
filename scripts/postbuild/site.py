"""`make site`: execute the posts, build the site strictly, and swap it into site/ at once.

All under the checkout's build lock (see lock.py), so two builds never write the same
files. MkDocs builds into a fresh folder under .build/; only if it succeeds does that
folder replace site/, in one rename (Linux's RENAME_EXCHANGE where available), and a
failed rename fails the build. A failed or interrupted build leaves site/ as it was.

When nothing MkDocs reads has changed since the last successful build, and site/ is as
that build left it, MkDocs is not run at all (`--force` runs it anyway). "What MkDocs
reads" is taken wide, so that it is never too narrow: every file of the project outside
build outputs and caches (sources, docs/ as the executor left it, overrides, hooks,
scripts, the config), the installed Python packages and their versions, the installed npm
packages, the Python version and the environment variables the build reads.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
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


# Not inputs: outputs, caches, tools' own folders.
NOT_INPUTS = {".git", ".build", ".cache", ".venv", "node_modules", "site", "__pycache__", ".pytest_cache"}
ENV_READ = ("SITE_URL", "REPO_URL", "SITE_MATH")  # besides the config's own !ENV names


def inputs_fingerprint(config: Path) -> str:
    """A hash of everything a `mkdocs build` of `config` could read (see the module docstring)."""
    digest = hashlib.sha256()
    project = config.resolve().parent

    def add(*parts: object) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else str(part).encode())
            digest.update(b"\0")

    for folder, dirs, files in os.walk(project):
        dirs[:] = sorted(d for d in dirs if d not in NOT_INPUTS)
        for name in sorted(files):
            path = Path(folder, name)
            if path.is_file():
                add(path.relative_to(project), path.read_bytes())
    packages = Path(sysconfig.get_paths()["purelib"])
    add("packages", *sorted(p.name for p in packages.glob("*.dist-info")))
    npm_lock = project / "node_modules" / ".package-lock.json"
    add("npm", npm_lock.read_bytes() if npm_lock.is_file() else b"")
    add("python", sys.version)
    names = set(ENV_READ) | set(re.findall(r"!ENV\s*\[?\s*([A-Z_][A-Z0-9_]*)", config.read_text()))
    for name in sorted(names):
        add(name, os.environ.get(name, "\0unset"))
    return digest.hexdigest()


def site_listing(site_dir: Path) -> str:
    """A hash of site/'s files, sizes and modification times: a site touched since is rebuilt."""
    digest = hashlib.sha256()
    for path in sorted(site_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(site_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamp(args) -> Path:
    return args.lock.parent / "last-site-inputs"


def _up_to_date(args, fingerprint: str) -> bool:
    stamp = _stamp(args)
    if args.force or not stamp.is_file() or not args.site_dir.is_dir():
        return False
    return stamp.read_text() == f"{fingerprint} {site_listing(args.site_dir)}\n"


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
    parser.add_argument(
        "--force", action="store_true", help="run MkDocs even if nothing it reads has changed"
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
    fingerprint = inputs_fingerprint(args.config)
    if _up_to_date(args, fingerprint):
        print(f"site: {args.site_dir}/ is up to date (nothing MkDocs reads changed since its last build)")
        return subprocess.call(args.then) if args.then else 0
    _stamp(args).unlink(missing_ok=True)
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
    _stamp(args).write_text(f"{fingerprint} {site_listing(args.site_dir)}\n")
    print(f"site: built into {args.site_dir}/")
    if args.then:
        return subprocess.call(args.then)
    return 0
