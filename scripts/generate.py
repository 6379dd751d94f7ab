"""Generate price paths from a trained run: `python scripts/generate.py --run runs/X --n-paths 1000` (see --help)."""

import sys

from timegan.cli.generate import main

if __name__ == "__main__":
    sys.exit(main())
