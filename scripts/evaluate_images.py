import sys

from timegan.cli.evaluate_images import main

sys.exit(main())
