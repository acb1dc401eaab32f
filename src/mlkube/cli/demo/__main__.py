"""``python -m mlkube.cli.demo`` (what ``make demo`` runs)."""

import sys

from mlkube.cli.demo import main

sys.exit(main())
