"""Re-execute posts under other seeds and report every claim that flips (see postbuild.seeds)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from postbuild.seeds import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
