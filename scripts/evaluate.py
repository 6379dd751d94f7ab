"""Evaluation report of a run: `python scripts/evaluate.py --run DIR` (see --help)."""

import sys

from evaluation.cli import main

if __name__ == "__main__":
    sys.exit(main())
