"""Build (or find in the cache) the real control-plane binaries.

The build itself is ``tools/kubecluster/build.sh``: it compiles etcd, kube-apiserver,
kube-controller-manager, kube-scheduler and kwok from the Go modules pinned in
``tools/kubecluster/VERSION`` into ``${MLKUBE_CACHE:-~/.cache/mlkube}/kubecluster/<version>/bin``
and does nothing when that cache is current. This module only runs it and checks the result.

``MLKUBE_KUBECLUSTER_BIN`` names a directory of ready binaries and skips the build;
``MLKUBE_KUBECLUSTER_DIR`` names the ``tools/kubecluster`` directory when mlkube is not run
from its checkout.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["BINARIES", "BuildError", "build_control_plane", "kubecluster_dir", "pinned_versions"]

BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")


class BuildError(RuntimeError):
    """``build.sh`` failed or did not produce every binary."""


def kubecluster_dir() -> Path:
    """The ``tools/kubecluster`` directory (``MLKUBE_KUBECLUSTER_DIR`` or the checkout's)."""
    override = os.environ.get("MLKUBE_KUBECLUSTER_DIR")
    if override:
        return Path(override)
    # src/mlkube/testing/controlplane/build.py -> the checkout root is four levels up.
    return Path(__file__).resolve().parents[4] / "tools" / "kubecluster"


def pinned_versions(directory: Path | None = None) -> dict[str, str]:
    """The ``KEY=value`` lines of ``tools/kubecluster/VERSION`` (e.g. ``KUBERNETES_VERSION``)."""
    path = (directory or kubecluster_dir()) / "VERSION"
    versions: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            versions[key.strip()] = value.strip()
    return versions


def _check(bin_dir: Path) -> Path:
    missing = [b for b in BINARIES if not os.access(bin_dir / b, os.X_OK)]
    if missing:
        raise BuildError(f"{bin_dir} lacks {', '.join(missing)}")
    return bin_dir


def build_control_plane(*, quiet: bool = False) -> Path:
    """Run ``build.sh`` (a no-op when the cache is current) and return the bin directory.

    Progress lines of the build go to this process's stderr unless ``quiet``.
    """
    prebuilt = os.environ.get("MLKUBE_KUBECLUSTER_BIN")
    if prebuilt:
        return _check(Path(prebuilt))
    script = kubecluster_dir() / "build.sh"
    if not script.is_file():
        raise BuildError(
            f"{script} not found; set MLKUBE_KUBECLUSTER_DIR or MLKUBE_KUBECLUSTER_BIN"
        )
    result = subprocess.run(
        ["bash", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if quiet else None,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        detail = f":\n{result.stderr[-4000:]}" if quiet and result.stderr else ""
        raise BuildError(f"{script} exited {result.returncode}{detail}")
    lines = result.stdout.strip().splitlines()
    if not lines:
        raise BuildError(f"{script} printed no bin directory")
    return _check(Path(lines[-1]))
