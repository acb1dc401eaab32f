"""The real control plane for the e2e suite: built once (cached), started once per session.

Every test under ``tests/e2e`` is marked ``e2e``: ``make test`` deselects them and
``python -m pytest -m e2e tests/e2e`` (``make e2e``) runs them against a real
kube-apiserver, kube-controller-manager, kube-scheduler, etcd and kwok
(``mlkube.testing.controlplane``). When a test fails the cluster's work directory is kept
and the tail of every component's log is printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkube.client import ApiError, KubeClient
from mlkube.testing.controlplane import RealCluster
from mlkube.testing.scenarios import Outcome
from tests.e2e.targets import Target, both_clusters

_HERE = Path(__file__).resolve().parent

#: Every scenario outcome of the session, per target (filled by test_conformance.py).
OUTCOMES: list[Outcome] = []
#: (seed, agreed, pods scheduled, pods) per differential case (test_differential.py).
DIFFERENTIAL: list[tuple[int, bool, int, int]] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Scenarios passed per target and the agreement rates (issue 7's summary)."""
    if DIFFERENTIAL:
        terminalreporter.section("differential scheduling")
        agreed = sum(1 for _, ok, _, _ in DIFFERENTIAL if ok)
        pods = sum(n for *_, n in DIFFERENTIAL)
        placed = sum(p for _, _, p, _ in DIFFERENTIAL)
        rate = 100.0 * agreed / len(DIFFERENTIAL)
        terminalreporter.write_line(
            f"agreement: {agreed}/{len(DIFFERENTIAL)} random cases ({rate:.1f}%), "
            f"{pods} pods of which {placed} scheduled on the real cluster"
        )
    if not OUTCOMES:
        return
    by_target: dict[str, dict[str, bool]] = {}
    for outcome in OUTCOMES:
        by_target.setdefault(outcome.target, {})[outcome.scenario] = outcome.passed
    terminalreporter.section("conformance")
    for name, results in sorted(by_target.items()):
        passed = sum(results.values())
        terminalreporter.write_line(f"{name}: {passed}/{len(results)} scenarios passed")
    embedded, real = by_target.get("embedded", {}), by_target.get("real", {})
    shared = sorted(set(embedded) & set(real))
    if shared:
        agree = sum(1 for s in shared if embedded[s] and real[s])
        rate = 100.0 * agree / len(shared)
        terminalreporter.write_line(
            f"agreement: {agree}/{len(shared)} shared scenarios hold on both ({rate:.1f}%)"
        )


#: What e2e modules create on the shared real cluster, in deletion order (owners before
#: what they own, pods before their nodes, namespaces last).
_CLEANED = (
    "cronjobs",
    "jobs",
    "deployments",
    "statefulsets",
    "replicasets",
    "services",
    "poddisruptionbudgets",
    "resourcequotas",
    "persistentvolumeclaims",
    "pods",
    "persistentvolumes",
    "nodes",
    "namespaces",
)


def _uids(kube: KubeClient) -> set[str]:
    return {
        obj["metadata"]["uid"]
        for resource in _CLEANED
        for obj in kube.list(resource, all_namespaces=True)
    }


@pytest.fixture(scope="module")
def targets(
    real_cluster: RealCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Target]]:
    """``[real, embedded]`` for a module that asks both the same questions
    (:func:`tests.e2e.targets.both_clusters`)."""
    with both_clusters(real_cluster, tmp_path_factory.mktemp("embedded")) as found:
        yield found


@pytest.fixture(scope="module", autouse=True)
def leave_the_real_cluster_as_found(real_cluster: RealCluster) -> Iterator[None]:
    """The session shares one real cluster: after each module, everything it created there
    is deleted (pods at once), so that no module sees another's nodes or pods (the
    differential cases require kube-scheduler's cache to hold exactly their nodes)."""
    with KubeClient.from_kubeconfig(real_cluster.kubeconfig) as kube:
        before = _uids(kube)
    yield
    with KubeClient.from_kubeconfig(real_cluster.kubeconfig) as kube:
        for resource in _CLEANED:
            for obj in kube.list(resource, all_namespaces=True):
                meta = obj["metadata"]
                if meta["uid"] in before or meta.get("deletionTimestamp"):
                    continue
                try:
                    kube.delete(
                        resource,
                        meta["name"],
                        meta.get("namespace"),
                        propagation_policy="Background",
                        grace_period_seconds=0 if resource == "pods" else None,
                    )
                except ApiError:
                    continue  # gone already, or deleted by its owner meanwhile


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def real_cluster(request: pytest.FixtureRequest) -> Iterator[RealCluster]:
    """A started :class:`RealCluster`: ``.kubeconfig`` (a path), ``.server`` (an https URL)."""
    cluster = RealCluster()
    cluster.start()
    failed_before = request.session.testsfailed
    try:
        yield cluster
    finally:
        if request.session.testsfailed > failed_before:
            cluster.mark_failed()
            reporter = request.config.pluginmanager.get_plugin("terminalreporter")
            text = f"real_cluster: a test failed; component logs:\n{cluster.log_tails()}"
            if reporter is not None:
                reporter.write_line(text)
            else:
                print(text)
        cluster.stop()
