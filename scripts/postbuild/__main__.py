import sys

from .build import exit_code, main

sys.exit(exit_code(main()))
