"""`make lab`: a post opens in Jupyter with the site's macros, equation numbers and values;
saving leaves it as written."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT

from postbuild.preview import add_preview, macros_of, remove_preview

MACROS = macros_of(ROOT / "docs" / "javascripts" / "mathjax-config.js")


def markdown(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def code(source):
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}


def test_macros_come_from_the_site_config():
    assert MACROS["Var"] == "\\operatorname{Var}" and MACROS["nin"] == "n_\\text{in}"


def test_preview_shows_numbers_and_values_and_saving_restores_the_source():
    notebook = {
        "cells": [
            code("x = 1.23456"),
            markdown(
                "By \\eqref{eq:b}, $x = {{ x:.2f }}$ ({{ 2010 }}); {{ later }}.\n\n"
                "$$\\begin{equation}\\Var[y] = 1 \\label{eq:b}\\end{equation}$$"
            ),
        ]
    }
    original = json.loads(json.dumps(notebook))
    add_preview(notebook, MACROS, [{"x": 1.23456}])
    preamble, _, shown = notebook["cells"]
    assert "\\newcommand{\\Var}{\\operatorname{Var}}" in preamble["source"]
    assert shown["source"].startswith("By (1), $x = 1.23$ (2010); ⟨later: not defined above⟩.")
    assert "\\tag{1}" in shown["source"]
    shown["source"] = shown["source"].replace("By (1)", "Hence, by (1)")  # an edit made in Lab
    remove_preview(notebook)
    assert len(notebook["cells"]) == 2
    assert notebook["cells"][1]["source"] == original["cells"][1]["source"].replace("By", "Hence, by")


def test_unbuilt_post_shows_a_placeholder():
    notebook = {"cells": [markdown("Value {{ x }}.")]}
    add_preview(notebook, MACROS, None)
    assert notebook["cells"][1]["source"] == "Value ⟨x: run make posts⟩."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def lab_server():
    port, token = free_port(), "test-token"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--config",
            str(ROOT / "scripts/lab/jupyter_server_config.py"),
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--no-browser",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"},
    )
    base = f"http://127.0.0.1:{port}/api/contents/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"{base}?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"JupyterLab did not start: {server.stderr.read().decode()[-2000:]}")
    yield base, token
    server.terminate()
    server.wait(timeout=20)


def test_a_post_round_trips_through_jupyterlab_unchanged(lab_server):
    base, token = lab_server
    slug = "expectation-and-variance"
    source = ROOT / "posts_src" / f"{slug}.md"
    before = source.read_bytes()
    url = f"{base}{slug}.md?token={token}"
    model = json.load(urllib.request.urlopen(url + "&type=notebook&content=1"))
    cells = model["content"]["cells"]
    assert cells[0]["metadata"]["postbuild_preview"] == "preamble"
    assert not any("\\eqref{" in "".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    save = urllib.request.Request(
        url,
        data=json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(save)
        assert source.read_bytes() == before  # saving from Lab leaves a clean diff
    finally:
        source.write_bytes(before)
