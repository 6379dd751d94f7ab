import sys

from timegan.cli.scratch_mlp import main

sys.exit(main())
