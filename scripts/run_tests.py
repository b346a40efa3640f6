"""`make test`'s pytest: the browser suite and the other tests side by side.

Run one after the other they left half of a 2-core machine idle (CI: 629 s of CPU in 684 s
of wall time): the browser audit waits on pages loading and settling, the other tests on
kernels starting and subprocesses. Two pytest processes overlap those waits. The other
tests print as they run; the browser suite's report follows, whole. The exit status is the
first failing one's (0 if both pass).

    .venv/bin/python scripts/run_tests.py [pytest options]   # e.g. -x, -k name
    .venv/bin/python scripts/run_tests.py tests/test_site.py  # paths: one pytest, as given
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

PYTEST = [sys.executable, "-m", "pytest"]
BROWSER = "tests/browser"


def main(argv: list[str]) -> int:
    if any(not arg.startswith("-") for arg in argv):  # paths or option values: run as given
        return subprocess.call([*PYTEST, *argv])
    with tempfile.TemporaryFile("w+", encoding="utf-8") as report:
        browser = subprocess.Popen(
            [*PYTEST, BROWSER, *argv], stdout=report, stderr=subprocess.STDOUT, text=True
        )
        try:
            others = subprocess.call([*PYTEST, f"--ignore={BROWSER}", *argv])
            browser_code = browser.wait()
        except KeyboardInterrupt:
            browser.kill()
            browser.wait()
            return 130
        report.seek(0)
        print(f"\n---- {BROWSER} (ran alongside) ----", flush=True)
        sys.stdout.write(report.read())
        sys.stdout.flush()
    return others or browser_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
