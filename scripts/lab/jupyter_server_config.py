"""JupyterLab for posts (`make lab`): posts open as notebooks and render as on the site.

Posts (posts_src/*.md) open as notebooks through jupytext; the contents manager below
adds the site's macros, equation numbers and last computed values when a post is opened,
and removes them when it is saved (scripts/postbuild/preview.py), so the file on disk
changes only where the contributor edited it.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager  # noqa: E402
from jupytext import build_async_jupytext_contents_manager_class  # noqa: E402

from postbuild.cache import Cache, cache_key  # noqa: E402
from postbuild.errors import BuildError  # noqa: E402
from postbuild.frontmatter import timeout_of  # noqa: E402
from postbuild.preview import add_preview, macros_of, remove_preview  # noqa: E402
from postbuild.source import read_post  # noqa: E402

SOURCES = ROOT / "posts_src"
MACROS = macros_of(ROOT / "docs" / "javascripts" / "mathjax-config.js")
JupytextManager = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)


def computed_values(path: Path) -> list[dict] | None:
    """The values of the last build of this post's current code, per code cell (None: not built)."""
    try:
        post = read_post(path)
        key, _ = cache_key(post, timeout_of(post), ROOT / "requirements.txt")
    except (BuildError, OSError):
        return None
    entry = Cache(ROOT / ".cache" / "posts").load(post.slug, key)
    return [cell["values"] for cell in entry["cells"]] if entry else None


class PostContentsManager(JupytextManager):
    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        file = Path(self.root_dir) / path.strip("/")
        if content and model.get("type") == "notebook" and file.parent.resolve() == SOURCES.resolve():
            add_preview(model["content"], MACROS, computed_values(file))
        return model

    async def save(self, model, path=""):
        if model.get("type") == "notebook" and model.get("content"):
            remove_preview(model["content"])
        file = Path(self.root_dir) / path.strip("/")
        before = file.read_text(encoding="utf-8") if file.suffix == ".md" and file.is_file() else None
        saved = await super().save(model, path)
        if before is not None:
            keep_front_matter(file, before)
        return saved


def front_matter(text: str) -> tuple[str, str]:
    """(front matter block, rest) of a post's text."""
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        return "", text
    end = text.index("\n---\n", 4) + len("\n---\n")
    return text[:end], text[end:]


def keep_front_matter(file: Path, before: str) -> None:
    """Jupytext rewrites the YAML header in its own style and adds its version: if nothing in
    the header changed but that, put the contributor's header back (a clean diff)."""
    import yaml

    old_header, _ = front_matter(before)
    new_header, body = front_matter(file.read_text(encoding="utf-8"))

    def meaning(header: str) -> dict:
        data = yaml.safe_load(header.strip("-\n")) or {}
        data.get("jupyter", {}).pop("jupytext", None)
        if data.get("jupyter") == {}:
            data.pop("jupyter")
        return data

    if old_header and new_header and meaning(old_header) == meaning(new_header):
        file.write_text(old_header + body, encoding="utf-8")


c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)
c.ServerApp.contents_manager_class = PostContentsManager
c.ServerApp.root_dir = str(SOURCES)
c.ServerApp.open_browser = False
# Posts are Markdown files: open them as notebooks, not as text.
c.ContentsManager.preferred_dir = ""
c.ServerApp.allow_root = True  # containers and CI run as root; Lab serves on localhost only
