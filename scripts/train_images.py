import sys

from timegan.cli.train_images import main

sys.exit(main())
