"""Differential scheduling: random clusters and pods from seeds, on both clusters.

``make e2e`` runs 200 cases; ``make e2e-long`` sets ``MLKUBE_DIFF_CASES=2000``;
``MLKUBE_DIFF_SEEDS=119,191`` (or ``100-199``) runs just those seeds. A case passes when,
pod by pod, both clusters agree on feasibility, on the FailedScheduling words, and on the
node (or both chose among their top-scored nodes where scores tie); see
:mod:`mlkube.testing.differential`, which also waits on the real side for the conditions
that make its asynchrony irrelevant (no pending pod left by an earlier case, and
kube-scheduler's cache holding exactly the case's nodes). The session summary prints the
agreement rate.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mlkube.client import KubeClient
from mlkube.testing.controlplane import RealCluster
from mlkube.testing.differential import compare, generate, run_embedded, run_real

from .conftest import DIFFERENTIAL


def _seeds() -> list[int]:
    """``MLKUBE_DIFF_SEEDS`` (``119,191`` or ``100-199``), else ``range(MLKUBE_DIFF_CASES)``."""
    chosen = os.environ.get("MLKUBE_DIFF_SEEDS", "").strip()
    if not chosen:
        return list(range(int(os.environ.get("MLKUBE_DIFF_CASES", "200"))))
    seeds: list[int] = []
    for part in chosen.split(","):
        first, _, last = part.strip().partition("-")
        try:
            seeds += range(int(first), int(last or first) + 1)
        except ValueError:
            pytest.exit(
                f"MLKUBE_DIFF_SEEDS={chosen!r}: use seeds and ranges like 119,191 or 100-199",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )
    return seeds


@pytest.fixture(scope="module")
def client(real_cluster: RealCluster) -> Iterator[KubeClient]:
    kube = KubeClient.from_kubeconfig(real_cluster.kubeconfig)
    yield kube
    kube.close()


@pytest.mark.parametrize("seed", _seeds())
def test_random_case_gets_the_same_decisions(seed: int, client: KubeClient) -> None:
    case = generate(seed, f"diff{seed}")
    embedded = run_embedded(case, f"diff-{seed}")
    real = run_real(case, f"diff-{seed}", client)
    problems = compare(embedded, real)
    DIFFERENTIAL.append((seed, not problems, sum(d.node is not None for d in real), len(real)))
    assert problems == [], f"seed {seed}:\n  " + "\n  ".join(problems)
