"""Browser fixtures: one event loop, one Playwright and one chromium for the session,
the real site served on 127.0.0.1, and the per-page audit of every page, run once."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from conftest import ROOT

from . import harness

SITE = Path(os.environ.get("BROWSER_SITE", ROOT / "site"))  # another build: BROWSER_SITE=path
SCREENSHOTS = ROOT / ".build" / "screenshots"  # under .build/: `make clean` removes it
# Full-page screenshots of every page in both palettes, to look at (not checked): about a
# minute of the audit, so only when asked for (`SCREENSHOTS=1 make test`).
WANT_SCREENSHOTS = os.environ.get("SCREENSHOTS", "") not in ("", "0")
JOBS = int(os.environ.get("BROWSER_JOBS", min(4, max(2, os.cpu_count() or 2))))

_weights: dict[str, dict[str, int]] = {}
_external: list[str] = []
_timing: dict = {}
_phases: dict[str, float] = {}


class Browser:
    """A chromium driven from sync tests: `run(coro)` runs on the session's loop."""

    def __init__(self):
        from playwright.async_api import async_playwright

        self.loop = asyncio.new_event_loop()
        self._manager = async_playwright()
        self.playwright = self.run(self._manager.start())
        try:
            self.browser = self.run(harness.launch(self.playwright))
        except BaseException:
            self.run(self._manager.__aexit__(None, None, None))
            self.loop.close()
            raise

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.run(self.browser.close())
        self.run(self._manager.__aexit__(None, None, None))
        self.loop.close()


@pytest.fixture(scope="session")
def browser():
    instance = Browser()
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def site() -> Path:
    assert (SITE / "index.html").is_file(), "site/ is missing: run `make test` (it builds the site first)"
    return SITE


@pytest.fixture(scope="session")
def server(site):
    instance = harness.Server(site)
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def audit(browser, server, site) -> dict[str, harness.PageReport]:
    """Every page of the real site audited once (JOBS at a time); tests look up their page."""
    import time

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    pages = harness.site_pages(site)
    _timing["contrast"] = contrast = harness.contrast_pages(site, pages)
    reports = browser.run(
        harness.audit_pages(
            browser.browser,
            server.base,
            pages,
            jobs=JOBS,
            screenshots=SCREENSHOTS if WANT_SCREENSHOTS else None,
            contrast=contrast,
        )
    )
    _timing["audit"] = time.monotonic() - started
    _timing["pages"] = len(reports)
    for report in reports.values():
        for phase, seconds in report.phases.items():
            _phases[phase] = _phases.get(phase, 0.0) + seconds
    for path, report in reports.items():
        if harness.is_post(path):
            _weights[path] = report.weight
    return reports


def record_external(links: list[str]) -> None:
    _external[:] = links


def pytest_terminal_summary(terminalreporter):
    if not (_weights or _external or _timing):
        return
    write = terminalreporter.write_line
    terminalreporter.section("browser: page weight of each post (transferred bytes, cold cache)")
    kinds = ["html", "css", "js", "image", "font", "mathjax", "other"]
    write(f"{'post':48}" + "".join(f"{k:>9}" for k in kinds) + f"{'total':>11}")
    for path, weight in sorted(_weights.items()):
        total = sum(weight.values())
        flag = "  > limit" if total > harness.MAX_POST_BYTES else ""
        write(f"{path:48}" + "".join(f"{weight.get(k, 0):>9,}" for k in kinds) + f"{total:>11,}{flag}")
    write(f"limit per post page: {harness.MAX_POST_BYTES:,} bytes")
    if _external:
        terminalreporter.section("browser: external links (listed, not fetched)")
        for link in _external:
            write(link)
    if "audit" in _timing:
        terminalreporter.section("browser: time")
        write(
            f"audit of {_timing['pages']:.0f} pages: {_timing['audit']:.1f} s with {JOBS} page(s) at a time; "
            + (
                f"screenshots in {SCREENSHOTS.relative_to(ROOT)}/"
                if WANT_SCREENSHOTS
                else "no screenshots (SCREENSHOTS=1 make test takes them)"
            )
        )
        write("summed over pages: " + ", ".join(f"{k} {v:.0f} s" for k, v in _phases.items()))
        contrast = _timing["contrast"]
        write(f"colour contrast (both palettes) on {len(contrast)} pages holding every kind of element:")
        write("  " + ", ".join(_timing["contrast"]))
