"""`make check-seeds`: re-execute posts under other seeds and report every claim that flips.

The normal build runs each post on its fixed seeds. A claim whose tolerance comes
from the measured spread should hold for any draw; this re-runs every post with all
its seeds remapped (execute.RESEED_CODE) N times, outside the execution cache, with
failing claims recorded instead of raised, and lists each claim that fails (or a cell
that raises) under some seed, with its numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .errors import BuildError
from .execute import execute_post
from .frontmatter import timeout_of
from .render import CLAIM_MIME
from .source import post_paths, read_post


def claims_of(entry: dict) -> list[dict]:
    return [
        output["data"][CLAIM_MIME]
        for cell in entry["cells"]
        for output in cell["outputs"]
        if CLAIM_MIME in output.get("data", {})
    ]


def run_one(path: Path, seed: int) -> tuple[str, int, list[dict] | str, float]:
    """Execute one post under `seed`; return its claims, or the error that stopped it."""
    started = time.perf_counter()
    name = str(path)
    try:
        post = read_post(path, name)
        env = {"POSTBUILD_SEED": str(seed), "POSTBUILD_CLAIMS": "record"}
        entry = execute_post(post, name, timeout_of(post), extra_env=env)
        return path.stem, seed, claims_of(entry), time.perf_counter() - started
    except BuildError as error:
        return path.stem, seed, str(error).split("\n", 1)[0], time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="check_seeds", description=__doc__)
    parser.add_argument("--src", type=Path, default=Path("posts_src"))
    parser.add_argument("--seeds", type=int, default=8, help="how many other seeds (default 8)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("only", nargs="*", metavar="SLUG", help="check only these posts (default: all)")
    args = parser.parse_args(argv)

    paths = post_paths(args.src)
    if args.only:
        unknown = sorted(set(args.only) - {path.stem for path in paths})
        if unknown:
            print(f"check-seeds: no such post: {', '.join(unknown)}", file=sys.stderr)
            return 2
        paths = [path for path in paths if path.stem in args.only]
    jobs = [(path, seed) for seed in range(1, args.seeds + 1) for path in paths]
    started = time.perf_counter()
    print(f"check-seeds: {len(paths)} post(s) x {args.seeds} seeds on {args.jobs} worker(s) ...", flush=True)
    flips, errors, counted = [], [], 0
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for slug, seed, result, seconds in pool.map(run_one, *zip(*jobs, strict=True)):
            if isinstance(result, str):
                errors.append(f"  seed {seed}: {result}")
                print(f"  {slug:45s} seed {seed}: ERROR ({seconds:.1f} s)", flush=True)
                continue
            failed = [claim for claim in result if not claim["passed"]]
            counted += len(result)
            for claim in failed:
                spread = f" ± {claim['se']:.3g}" if claim.get("se") is not None else ""
                flips.append(
                    f"  posts_src/{slug}.md seed {seed}: {claim['claim']}: measured "
                    f"{claim['measured']:.6g}{spread}, "
                    f"predicted {claim['relation']} {claim['predicted']:.6g}, "
                    f"tolerance {claim['tol']:.3g} ({claim['tol_source']})"
                )
            verdict = (
                f"{len(failed)} of {len(result)} claims flip" if failed else f"{len(result)} claims hold"
            )
            print(f"  {slug:45s} seed {seed}: {verdict} ({seconds:.1f} s)", flush=True)
    elapsed = time.perf_counter() - started
    for line in flips + errors:
        print(line, file=sys.stderr)
    if flips or errors:
        print(
            f"check-seeds: {len(flips)} claim flip(s), "
            f"{len(errors)} run(s) stopped by an error ({elapsed:.0f} s)",
            file=sys.stderr,
        )
        return 1
    print(f"check-seeds: {counted} claim checks over {args.seeds} seeds, none flipped ({elapsed:.0f} s)")
    return 0
