"""Where the demo keeps its cluster, and a fresh start there on every run.

The demo never touches the user's ``~/.mlkube``: it sets ``MLKUBE_HOME`` to a directory of
its own (``.demo/`` in the checkout unless ``--home`` says otherwise), so the embedded
``local`` cluster it starts, its kubeconfig and its state live there. A second run stops
the cluster left running by the first, deletes its state (objects, volumes, pod
directories) and starts it again: every run begins from an empty cluster.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mlkube.sdk import local

__all__ = ["CHECKOUT", "default_home", "fresh_cluster"]

CHECKOUT = Path(__file__).resolve().parents[4]


def default_home() -> Path:
    """``.demo/`` in the checkout (``make demo`` runs from an editable install)."""
    return CHECKOUT / ".demo"


def fresh_cluster(home: Path) -> tuple[local.Started, bool]:
    """Point ``MLKUBE_HOME`` at ``home``, reset the ``local`` cluster there, start it.

    Returns what :func:`mlkube.sdk.local.up` did and whether an earlier run was reset.
    """
    home.mkdir(parents=True, exist_ok=True)
    os.environ["MLKUBE_HOME"] = str(home)
    cdir = local.ClusterDir.of(local.DEFAULT_NAME)
    reset = cdir.root.exists()
    if reset:
        local.stop(cdir)
        shutil.rmtree(cdir.root)
    return local.up(local.DEFAULT_NAME), reset
