"""Run a post's code cells in a fresh Jupyter kernel and capture what they produce.

Besides each cell's outputs, a snapshot of the kernel's scalar variables is taken
after every code cell, so prose can quote `{{ name }}` as it stood at that point.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import TYPE_CHECKING

import nbformat

from .errors import BuildError
from .source import Post

if TYPE_CHECKING:
    from nbclient import NotebookClient

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")
MATHTEXT_UNKNOWN = re.compile(r"ParseFatalException: Unknown symbol: \\(\w+)")
SNAPSHOT_MARK = "__postbuild_values__:"

# Environment of every kernel: one thread per kernel (posts run side by side,
# and a fixed thread count keeps floating-point results identical build to build).
KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
}

# Defined in the kernel before the post runs; not part of the post.
SETUP_CODE = f'''
def __postbuild_values__():
    import json as _json
    values = {{}}
    for _name, _value in list(globals().items()):
        if _name.startswith("_"):
            continue
        try:
            if isinstance(_value, (bool, int, float)) or (isinstance(_value, str) and len(_value) <= 200):
                values[_name] = _value
            elif type(_value).__module__.split(".")[0] in ("numpy", "torch") and hasattr(_value, "item"):
                _size = _value.numel() if hasattr(_value, "numel") else _value.size
                if _size == 1:
                    values[_name] = _value.item()
        except Exception:
            pass
    print("{SNAPSHOT_MARK}" + _json.dumps(values, default=str))
'''


# `make check-seeds`: run before the post, with POSTBUILD_SEED=k in the kernel's environment.
# Every seed the post sets (torch, torch.Generator, NumPy, random) is mapped to another one,
# the same way for every post, so the post runs as written under a different draw.
RESEED_CODE = """
def __postbuild_reseed__():
    import os, random, numpy, torch
    offset = int(os.environ["POSTBUILD_SEED"])

    def remap(seed):
        return (int(seed) * 1_000_003 + offset * 7_919_609) % 2**31

    class Generator(torch.Generator):
        def manual_seed(self, seed):
            return super().manual_seed(remap(seed))

    torch.Generator = Generator
    manual_seed = torch.manual_seed
    torch.manual_seed = lambda seed: manual_seed(remap(seed))
    numpy_seed, default_rng, random_seed = numpy.random.seed, numpy.random.default_rng, random.seed
    numpy.random.seed = lambda seed=None: numpy_seed(None if seed is None else remap(seed))
    numpy.random.default_rng = lambda seed=None: default_rng(None if seed is None else remap(seed))
    random.seed = lambda seed=None, *args: random_seed(None if seed is None else remap(seed), *args)
    torch.manual_seed(0)
    numpy.random.seed(0)
    random.seed(0)

__postbuild_reseed__()
del __postbuild_reseed__
"""


def execute_post(post: Post, name: str, timeout: int, extra_env: dict[str, str] | None = None) -> dict:
    """Execute `post`; return a cache entry, or raise BuildError naming the failing line.

    `extra_env` is added to the kernel's environment; with POSTBUILD_SEED in it the
    post's seeds are remapped (RESEED_CODE), for `make check-seeds`.
    """
    # Imported here: a build whose posts all come from the cache never loads Jupyter's client.
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    notebook = nbformat.v4.new_notebook()
    code_cells = [nbformat.v4.new_code_cell(c.source, metadata={"tags": c.tags}) for c in post.code_cells]
    # nbclient stores each executed cell at its index: hidden runs use a scratch slot at the end.
    notebook.cells = [*code_cells, nbformat.v4.new_code_cell("")]
    client = NotebookClient(
        notebook,
        timeout=timeout,
        startup_timeout=120,
        kernel_name="python3",
        record_timing=False,
        allow_errors=False,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no transport warnings in the build log
    )
    # POSTBUILD_* variables come only from `extra_env`: a stray one in the shell must not
    # change what a normal (cached) build executes.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("POSTBUILD_")}
    env = {**inherited, **KERNEL_ENV, **(extra_env or {})}
    started = time.perf_counter()
    cells = []
    try:
        with client.setup_kernel(cwd=str(post.path.parent), env=env):
            info = client.wait_for_reply(client.kc.kernel_info())
            language_info = info["content"]["language_info"] if info else {}
            _run_hidden(client, SETUP_CODE)
            if "POSTBUILD_SEED" in env:
                _run_hidden(client, RESEED_CODE)
            for index, (cell, source_cell) in enumerate(zip(code_cells, post.code_cells, strict=True)):
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    raise BuildError(
                        name,
                        source_cell.line,
                        f"cell {index + 1} timed out after {timeout} s "
                        "(raise it with `execute: {timeout: N}` in the front matter)",
                    ) from None
                except DeadKernelError as error:
                    raise BuildError(
                        name, source_cell.line, f"the kernel died in cell {index + 1}: {error}"
                    ) from None
                except CellExecutionError:
                    raise _cell_error(cell, source_cell, index, name) from None
                if "raises-exception" in source_cell.tags and not _error_output(cell):
                    raise BuildError(
                        name,
                        source_cell.line,
                        f"cell {index + 1} is tagged raises-exception but raised nothing",
                    )
                cells.append(
                    {
                        "execution_count": cell.execution_count,
                        "outputs": [dict(output) for output in cell.outputs],
                        "values": _snapshot(client, name, source_cell.line),
                    }
                )
    except BuildError:
        raise
    except Exception as error:  # kernel failed to start, and the like
        raise BuildError(name, None, f"could not run the post: {type(error).__name__}: {error}") from None
    return {"cells": cells, "language_info": language_info, "seconds": time.perf_counter() - started}


def _run_hidden(client: NotebookClient, code: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(code)
    client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
    return cell


def _snapshot(client: NotebookClient, name: str, line: int) -> dict:
    cell = _run_hidden(client, "__postbuild_values__()")
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    for row in text.splitlines():
        if row.startswith(SNAPSHOT_MARK):
            return json.loads(row[len(SNAPSHOT_MARK) :])
    raise BuildError(name, line, "could not read the kernel's variables after this cell")


def _error_output(cell: nbformat.NotebookNode) -> dict | None:
    return next((o for o in cell.outputs if o.get("output_type") == "error"), None)


def _cell_error(cell, source_cell, index: int, name: str) -> BuildError:
    error = _error_output(cell) or {}
    traceback = ANSI.sub("", "\n".join(error.get("traceback", [])))
    line = source_cell.line
    # The innermost frame in this cell gives the failing line within it.
    frames = [int(n) for count, n in CELL_FRAME.findall(traceback) if int(count) == cell.execution_count]
    if frames:
        line = source_cell.line + frames[-1] - 1
    summary = f"{error.get('ename', 'Error')}: {error.get('evalue', '')}".rstrip(": ")
    unknown = MATHTEXT_UNKNOWN.search(error.get("evalue", ""))
    if unknown:
        # matplotlib's own mathtext raised: its 200-line traceback says nothing the hint does not.
        return BuildError(
            name,
            line,
            f"cell {index + 1}: matplotlib cannot draw '\\{unknown[1]}' in a figure label: figure text is "
            "typeset by matplotlib's mathtext, which does not know the site's MathJax macros; write "
            "\\mathrm{Var}, \\mathbb{E}, n_{\\mathrm{in}} ... in figure text",
        )
    return BuildError(name, line, f"cell {index + 1} raised {summary}", detail=traceback)
