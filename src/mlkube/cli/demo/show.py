"""What the demo prints: numbered steps, where things ran, the tables.

Rendering only: every function takes what a step found and a rich ``Console``. ``Ran`` is
one line of the final summary (what ran, for which team, on which pool and nodes, how it
ended); ``Where`` knows which pool and runtime each node belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlkube.platform.names import POOL, RUNTIME

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.sdk import TrialResult

__all__ = ["Ran", "Where", "nodes_table", "results_table", "step", "summary_table"]


@dataclass
class Ran:
    """One workload of the demo, for the summary."""

    workload: str
    team: str
    kind: str
    pools: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    outcome: str = ""
    seconds: float | None = None


class Where:
    """Node name -> (pool, runtime), read once from the cluster's nodes."""

    def __init__(self, nodes: Iterable[Mapping[str, Any]]) -> None:
        self._of: dict[str, tuple[str, str]] = {}
        for node in nodes:
            meta = node.get("metadata") or {}
            pool = str((meta.get("labels") or {}).get(POOL) or "-")
            runtime = str((meta.get("annotations") or {}).get(RUNTIME) or "simulate")
            self._of[str(meta.get("name"))] = (pool, runtime)

    def pool(self, node: str) -> str:
        return self._of.get(node, ("-", ""))[0]

    def runtime(self, node: str) -> str:
        return self._of.get(node, ("", "simulate"))[1]

    def of_pods(self, pods: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
        """The pools and nodes the pods were bound to, sorted, without repeats."""
        nodes = sorted({str((p.get("spec") or {}).get("nodeName")) for p in pods} - {"None"})
        return sorted({self.pool(n) for n in nodes}), nodes

    def sentence(self, pods: Iterable[Mapping[str, Any]]) -> str:
        """``ran on cpu-local-0, cpu-local-1 (pool cpu-local, process runtime)``."""
        pools, nodes = self.of_pods(pods)
        if not nodes:
            return "no pod was placed"
        runtimes = sorted({self.runtime(n) for n in nodes})
        how = "real local processes" if runtimes == ["process"] else "simulated pods"
        return f"ran on {', '.join(nodes)} (pool {', '.join(pools)}: {how})"


def step(console: Console, number: int, title: str) -> None:
    console.rule(f"[bold]{number}. {title}[/bold]", align="left")


def nodes_table(nodes: Sequence[Mapping[str, Any]], where: Where) -> Any:
    from rich.table import Table

    table = Table("node", "pool", "runtime", "cpu", "memory", "gpus")
    table.add_column("taints", overflow="fold")
    for node in nodes:
        name = str(node["metadata"]["name"])
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        taints = ", ".join(
            f"{t['key']}:{t['effect']}" for t in (node.get("spec") or {}).get("taints") or []
        )
        table.add_row(
            name,
            where.pool(name),
            where.runtime(name),
            str(allocatable.get("cpu", "-")),
            str(allocatable.get("memory", "-")),
            str(allocatable.get("nvidia.com/gpu", "-")),
            taints or "-",
        )
    return table


def results_table(
    results: Sequence[TrialResult],
    metric: str,
    nodes: Mapping[str, str],
    order: Sequence[str] = (),
) -> Any:
    """The sweep's trials, best first (``nodes``: pod name -> node; ``order``: the
    parameters' column order, others after them)."""
    from rich.table import Table

    seen = {k for r in results for k in r.params}
    params = [p for p in order if p in seen] + sorted(seen - set(order))
    metrics = sorted({k for r in results for k in r.metrics} - {metric})
    table = Table("rank", "trial", *params, f"{metric} ↓", *metrics, "node")
    for rank, r in enumerate(results, 1):
        style = "bold green" if rank == 1 else None
        table.add_row(
            str(rank),
            str(r.index),
            *(str(r.params.get(p, "")) for p in params),
            _number(r.metrics.get(metric)),
            *(_number(r.metrics.get(m)) for m in metrics),
            nodes.get(r.pod, "-"),
            style=style,
        )
    return table


def summary_table(ran: Sequence[Ran]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("workload", "team", "kind", "pool", "nodes"):
        table.add_column(name, no_wrap=True)
    table.add_column("outcome")
    for r in ran:
        took = f" in {r.seconds:.1f}s" if r.seconds is not None else ""
        table.add_row(
            r.workload,
            r.team,
            r.kind,
            "\n".join(r.pools) or "-",
            "\n".join(r.nodes) or "-",
            r.outcome + took,
        )
    return table


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
