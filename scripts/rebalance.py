import sys

from timegan.cli.rebalance import main

sys.exit(main())
