"""Run a post's code cells in a fresh Jupyter kernel and capture what they produce.

Besides each cell's outputs, a snapshot of the kernel's scalar variables is taken
after every code cell, so prose can quote `{{ name }}` as it stood at that point.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import tempfile
import time
from typing import TYPE_CHECKING

import nbformat

from .errors import BuildError, raise_all
from .frontmatter import Limits, human_size, limits_of
from .source import Post

if TYPE_CHECKING:
    from nbclient import NotebookClient

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")
MATHTEXT_UNKNOWN = re.compile(r"ParseFatalException: Unknown symbol: \\(\w+)")
SNAPSHOT_MARK = "__postbuild_values__:"
FIGURE_MIMES = ("image/svg+xml", "image/png")

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
        # Only integer seeds are the post's choice; a Generator or SeedSequence passed on
        # (scipy does, at import) is left alone.
        if isinstance(seed, bool) or not isinstance(seed, (int, numpy.integer)):
            return seed
        return (int(seed) * 1_000_003 + offset * 7_919_609) % 2**31

    class Generator(torch.Generator):
        def manual_seed(self, seed):
            return super().manual_seed(remap(seed))

    torch.Generator = Generator
    manual_seed = torch.manual_seed
    torch.manual_seed = lambda seed: manual_seed(remap(seed))
    numpy_seed, default_rng, random_seed = numpy.random.seed, numpy.random.default_rng, random.seed
    numpy.random.seed = lambda seed=None: numpy_seed(remap(seed))
    numpy.random.default_rng = lambda seed=None: default_rng(remap(seed))
    random.seed = lambda seed=None, *args, **kwargs: random_seed(remap(seed), *args, **kwargs)
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

    limits = limits_of(post)
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
        shutdown_kernel="immediate",  # a finished or failed post's kernel has nothing left to say
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],  # no transport warnings in the build log
    )
    # POSTBUILD_* variables come only from `extra_env`: a stray one in the shell must not
    # change what a normal (cached) build executes.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("POSTBUILD_")}
    env = {**inherited, **KERNEL_ENV, **(extra_env or {})}
    started = time.perf_counter()
    cells = []
    # The kernel's own stdout/stderr (not the cells'): kept out of the build log, and its
    # last lines explain a crash.
    kernel_log = tempfile.TemporaryFile()
    try:
        with _kernel(client, cwd=str(post.path.parent), env=env, stdout=kernel_log, stderr=kernel_log):
            info = client.wait_for_reply(client.kc.kernel_info())
            language_info = info["content"]["language_info"] if info else {}
            _run_hidden(client, SETUP_CODE + memory_limit_code(limits.max_memory))
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
                except DeadKernelError:
                    raise BuildError(
                        name,
                        source_cell.line,
                        f"the kernel died in cell {index + 1}: {_death(client, kernel_log)}",
                    ) from None
                except CellExecutionError:
                    raise _cell_error(cell, source_cell, index, name, client, limits) from None
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
                raise_all(check_limits(cells, post, name, limits))
    except BuildError:
        raise
    except Exception as error:  # kernel failed to start, and the like
        raise BuildError(
            name,
            None,
            f"could not run the post: {type(error).__name__}: {error} ({_death(client, kernel_log)})",
        ) from None
    finally:
        _current_kernel.clear()
        kernel_log.close()
    return {"cells": cells, "language_info": language_info, "seconds": time.perf_counter() - started}


def memory_limit_code(limit: int) -> str:
    """Kernel code that caps its address space: an allocation past `limit` raises MemoryError."""
    return (
        "\nimport resource as _resource\n"
        f"_resource.setrlimit(_resource.RLIMIT_AS, ({limit}, {limit}))\n"
        "del _resource\n"
    )


def _text_size(output: dict) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    if output.get("output_type") == "error":
        return sum(len(row) for row in output.get("traceback", []))
    data = output.get("data", {})
    if any(mime in data for mime in FIGURE_MIMES):
        return 0
    return max((len(value) for mime, value in data.items() if mime.startswith("text/")), default=0)


def _figure_size(output: dict) -> int | None:
    data = output.get("data", {})
    if "image/svg+xml" in data:
        return len(data["image/svg+xml"])
    if "image/png" in data:
        return len(data["image/png"]) * 3 // 4  # base64
    return None


def check_limits(cells: list[dict], post: Post, name: str, limits: Limits) -> list[BuildError]:
    """The limits `cells` (a post's executed cells so far) exceed, each at the cell that crossed it."""
    errors = []
    text = figures = 0

    def over(cell: int, line: int, what: str, advice: str, key: str, value: str) -> None:
        errors.append(
            BuildError(
                name,
                line,
                f"cell {cell} {what}; {advice}, or raise the limit in the front matter: "
                f"`execute: {{{key}: {value}}}`",
            )
        )

    for index, (executed, source_cell) in enumerate(zip(cells, post.code_cells, strict=False)):
        text_before, figures_before = text, figures
        for output in executed["outputs"]:
            text += _text_size(output)
            size = _figure_size(output)
            if size is None:
                continue
            figures += 1
            if size > limits.max_figure_size:
                over(
                    index + 1,
                    source_cell.line,
                    f"shows a figure of {human_size(size)}: over the limit of "
                    f"{human_size(limits.max_figure_size)} per figure",
                    "plot fewer points or rasterize them",
                    "max_figure_size",
                    "'8 MB'",
                )
        if figures_before <= limits.max_figures < figures:
            over(
                index + 1,
                source_cell.line,
                f"brings the post to {figures} figures: over the limit of {limits.max_figures} per post",
                "show fewer",
                "max_figures",
                str(figures),
            )
        if text_before <= limits.max_output < text:
            over(
                index + 1,
                source_cell.line,
                f"brings the post's text output to {human_size(text)}: over the limit of "
                f"{human_size(limits.max_output)} per post",
                "print less (or a summary)",
                "max_output",
                "'8 MB'",
            )
    return errors


# The running kernel's process group: what a worker kills when the build is interrupted.
_current_kernel: dict = {}


@contextlib.contextmanager
def _kernel(client: NotebookClient, **kwargs):
    """nbclient's setup_kernel, but the kernel is known (to be stopped on Ctrl-C) as soon as it starts."""
    client.km = client.create_kernel_manager()
    with tempfile.TemporaryDirectory(prefix="postbuild-kernel-") as sockets:
        if os.name == "posix":
            # Unix sockets in a directory of its own: TCP ports are picked free and then
            # bound by the kernel, and a kernel started at the same moment elsewhere can take
            # one in between ("Kernel died before replying to kernel_info").
            client.km.transport = "ipc"
            client.km.ip = os.path.join(sockets, "kernel")
        client.start_new_kernel(**kwargs)
        _track_kernel(client)
        try:
            client.start_new_kernel_client()
            yield
        finally:
            if client.km is not None:  # a failed client start has already cleaned up
                client._cleanup_kernel()


def _track_kernel(client: NotebookClient) -> None:
    provisioner = getattr(client.km, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    if pid:
        _current_kernel.update(pid=pid, pgid=getattr(provisioner, "pgid", None) or pid)
        _current_kernel["connection_file"] = getattr(client.km, "connection_file", None)


def stop_current_kernel() -> None:
    """Kill this process's kernel (and whatever it started) at once: the build was interrupted."""
    if not _current_kernel:
        return
    try:
        os.killpg(_current_kernel["pgid"], signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    connection_file = _current_kernel.get("connection_file")
    if connection_file:
        with contextlib.suppress(OSError):
            os.unlink(connection_file)
    _current_kernel.clear()


def worker_init() -> None:
    """Pool workers: Ctrl-C is the main process's to handle; SIGTERM stops the kernel and exits."""

    def on_term(signum, frame):
        stop_current_kernel()
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_term)
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent while it forked us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def _death(client: NotebookClient, kernel_log) -> str:
    """How the kernel ended: its exit status or signal, and the last line it wrote, if any."""
    process = getattr(getattr(client.km, "provisioner", None), "process", None)
    status = process.poll() if process is not None else None
    if process is None:
        text = "no kernel process is left"
    elif status is None:
        text = "it stopped answering"
    elif status < 0:
        try:
            signame = signal.Signals(-status).name
        except ValueError:
            signame = f"signal {-status}"
        text = f"killed by {signame}"
        if -status == signal.SIGKILL:
            text += " (often the out-of-memory killer, or `kill -9`)"
    else:
        text = f"it exited with status {status}"
    kernel_log.seek(0)
    rows = [row.strip() for row in kernel_log.read().decode("utf-8", "replace").splitlines() if row.strip()]
    if rows:
        text += f"; its last words: {rows[-1][:200]}"
    return text


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


PEAK_CODE = (
    "print('__peak__', [r for r in open('/proc/self/status') if r.startswith('VmPeak')][0].split()[1])"  # noqa: E501
)
MEMORY_ERRORS = re.compile(r"MemoryError|can't allocate memory|Unable to allocate|std::bad_alloc")
TRIED = re.compile(r"you tried to allocate (\d+) bytes|Unable to allocate ([\d.]+) ([KMGT]i?B)")


def _cell_error(
    cell, source_cell, index: int, name: str, client=None, limits: Limits | None = None
) -> BuildError:
    error = _error_output(cell) or {}
    traceback = ANSI.sub("", "\n".join(error.get("traceback", [])))
    line = source_cell.line
    # The innermost frame in this cell gives the failing line within it.
    frames = [int(n) for count, n in CELL_FRAME.findall(traceback) if int(count) == cell.execution_count]
    if frames:
        line = source_cell.line + frames[-1] - 1
    summary = f"{error.get('ename', 'Error')}: {error.get('evalue', '')}".rstrip(": ")
    if limits is not None and MEMORY_ERRORS.search(summary):
        return BuildError(name, line, _memory_message(index, summary, client, limits))
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


def _memory_message(index: int, summary: str, client, limits: Limits) -> str:
    """Out of memory under the post's limit: what was asked for and what the kernel holds."""
    measured = []
    tried = TRIED.search(summary)
    if tried and tried[1]:
        measured.append(f"it tried to allocate {human_size(int(tried[1]))}")
    elif tried:
        measured.append(f"it tried to allocate {tried[2]} {tried[3]}")
    try:
        cell = _run_hidden(client, PEAK_CODE)
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        peak = int(text.split("__peak__", 1)[1].split()[0]) * 1024
        measured.append(f"the allocation failed with {human_size(peak)} of it in use")
    except Exception:
        pass
    detail = f" ({'; '.join(measured)})" if measured else ""
    return (
        f"cell {index + 1} ran out of memory: the limit is {human_size(limits.max_memory)} per post{detail}; "
        "use less, or raise it with `execute: {max_memory: '8 GB'}` in the front matter"
    )
