"""``python -m mlkube.server --state-dir DIR ...``: serve one cluster (see :mod:`.serve`)."""

from mlkube.server.serve import main

main()
