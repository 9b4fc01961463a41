"""``python -m ttx``: the ttx command."""

import sys

from ttx.cli import main

sys.exit(main())
