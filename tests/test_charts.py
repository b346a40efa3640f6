"""Interactive charts in the renderer: a Vega-Lite output becomes a Vega spec, a static SVG and a figure."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from postbuild.errors import BuildError
from postbuild.render import Renderer, _static_chart

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "data": {"name": "points", "values": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]},
    "mark": "line",
    "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
    "usermeta": {"anything": [1, 2, 3]},
}
MIME = "application/vnd.vegalite.v6+json"


def renderer() -> Renderer:
    post = SimpleNamespace(slug="a-post", front={}, cells=[])
    return Renderer(post, {"cells": []}, "posts_src/a-post.md", "blog/posts", "notebooks")


def test_chart_output_writes_spec_svg_and_figure():
    r = renderer()
    cell = SimpleNamespace(line=7, tags=[])
    html = r._output(
        {"output_type": "display_data", "data": {MIME: SPEC}, "metadata": {MIME: {"alt": "a line"}}}, cell
    )
    vega = json.loads(r.files["blog/posts/a-post/chart-1.vg.json"])
    assert vega["usermeta"] == SPEC["usermeta"]  # data for the page's scripts survive compilation
    assert any(d["name"] == "points" for d in vega["data"])
    assert r.files["blog/posts/a-post/chart-1.svg"].startswith(b"<svg")
    assert '<figure class="vega-chart" id="chart-1"' in html
    assert "![a line](a-post/chart-1.svg)" in html
    assert "(a-post/chart-1.vg.json){ .vega-chart__spec }" in html


def test_chart_without_alt_text_is_a_build_error():
    r = renderer()
    cell = SimpleNamespace(line=7, tags=[])
    with pytest.raises(BuildError, match="without alt text"):
        r._output({"output_type": "display_data", "data": {MIME: SPEC}, "metadata": {}}, cell)


def test_notebooks_get_the_static_svg():
    output = {"output_type": "display_data", "data": {MIME: SPEC}, "metadata": {MIME: {"alt": "a line"}}}
    static = _static_chart(output)
    assert set(static["data"]) == {"image/svg+xml", "text/plain"}
    assert static["metadata"]["image/svg+xml"]["alt"] == "a line"


def test_a_compiled_chart_is_reused_from_the_cache(tmp_path, monkeypatch):
    """Compiling the same spec again (the next build, the notebook's copy) reads the cache: same bytes."""
    import vl_convert

    from postbuild import render

    monkeypatch.setattr(render, "CHART_CACHE", tmp_path)
    monkeypatch.setattr(render, "_charts", {})
    cell = SimpleNamespace(line=7, tags=[])
    output = {"output_type": "display_data", "data": {MIME: SPEC}, "metadata": {MIME: {"alt": "a line"}}}
    first = renderer()
    first._output(output, cell)
    assert len(list(tmp_path.glob("chart-*.json"))) == 2  # the Vega spec and the static SVG

    def fail(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(render, "_charts", {})  # a new process: only the files are left
    monkeypatch.setattr(vl_convert, "vegalite_to_vega", fail)
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", fail)
    second = renderer()
    second._output(output, cell)
    assert second.files == first.files
    assert (
        _static_chart(output)["data"]["image/svg+xml"]
        == first.files["blog/posts/a-post/chart-1.svg"].decode()
    )


def test_a_chart_cached_by_other_code_is_compiled_again(tmp_path, monkeypatch):
    """An entry written by another version of render.py (its key has that code's hash) is not
    served: a changed compile step cannot leave stale charts behind."""
    from postbuild import render

    monkeypatch.setattr(render, "CHART_CACHE", tmp_path)
    monkeypatch.setattr(render, "_charts", {})
    render.compiled_chart(SPEC, "vega")
    written = {path.name for path in tmp_path.glob("chart-*.json")}
    monkeypatch.setattr(render, "_charts", {})
    monkeypatch.setattr(render, "_RENDER_CODE", "another version of render.py")
    render.compiled_chart(SPEC, "vega")
    assert len({path.name for path in tmp_path.glob("chart-*.json")} - written) == 1
