"""Execute the posts in posts_src/ and write docs/blog/posts/ and docs/notebooks/ (see postbuild)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from postbuild.build import exit_code, main  # noqa: E402

if __name__ == "__main__":
    sys.exit(exit_code(main()))
