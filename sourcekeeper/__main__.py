import sys

from sourcekeeper.cli import main

sys.exit(main())
