"""What the pipeline's scripts share: where a mounted volume is, and the metrics line.

These scripts run as container commands, on a real cluster or on a process-runtime node of
mlkube's embedded cluster. There a volume is a local directory whose path the kubelet
exports as ``MLKUBE_MOUNT_<VOLUME_NAME>`` (upper-cased, ``-`` and ``.`` as ``_``); on a
real cluster the volume is at its ``mountPath``. ``mounted`` picks whichever applies.
Only the standard library and numpy: the scripts import nothing from mlkube.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

__all__ = ["METRIC_PREFIX", "mount_variable", "mounted", "print_metrics"]

#: The metrics protocol: a line ``mlkube-metric: {"loss": 0.1}`` on stdout.
METRIC_PREFIX = "mlkube-metric: "


def mount_variable(volume: str) -> str:
    """The variable a process-runtime kubelet sets to the local path of ``volume``."""
    return "MLKUBE_MOUNT_" + re.sub(r"[-.]", "_", volume).upper()


def mounted(path: str | os.PathLike[str], volume: str | None) -> Path:
    """Where ``volume`` (mounted at ``path``) is on this machine."""
    local = os.environ.get(mount_variable(volume)) if volume else None
    return Path(local or path)


def print_metrics(**metrics: float) -> None:
    """Report metrics the way ``mlkube results`` reads them."""
    print(METRIC_PREFIX + json.dumps(metrics, sort_keys=True), flush=True)
