"""Train a TimeGAN on daily prices: `python scripts/train.py --tickers BA CAT DIS` (see --help)."""

import sys

from timegan.cli.train import main

if __name__ == "__main__":
    sys.exit(main())
