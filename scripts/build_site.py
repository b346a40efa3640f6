"""Execute the posts, build the site strictly, swap it into site/: under the build lock (postbuild.site)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from postbuild.build import exit_code  # noqa: E402
from postbuild.site import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(exit_code(main()))
