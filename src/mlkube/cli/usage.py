"""``mlkube quota`` and ``mlkube top pools|nodes``: what the teams and pools have left.

``quota`` shows each team's ResourceQuota ``used`` against ``hard`` with bars (the quota
controller's figures, which admission charges against); ``top pools`` the requests of the
pods bound to each pool's nodes against their allocatable, GPUs first, and the free GPUs no
pending pod can use because they are split across nodes; ``top nodes`` the same per node.
Figures come from :mod:`mlkube.platform.check.usage`; the cluster is selected as by every
workload command. Tests inject a cluster as ``obj={"target": ClusterAPI}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mlkube.cli.check import connect
from mlkube.cli.session import OUTPUT, emit, target_options, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.platform.check.usage import QuotaUsage, TopReport

__all__ = ["quota", "top"]

_BAR = 10


def _bar(fraction: float) -> str:
    filled = max(0, min(_BAR, round(fraction * _BAR)))
    colour = "red" if fraction >= 1 else "yellow" if fraction >= 0.8 else "green"
    return f"[{colour}]{'█' * filled}[/{colour}]{'░' * (_BAR - filled)}"


@click.command("quota", short_help="Each team's quota: used / hard, with bars.")
@target_options
@click.option(
    "-A", "--all-namespaces", is_flag=True, help="Every ResourceQuota, not only mlkube's teams'."
)
@click.option("-o", "--output", type=OUTPUT, default="table", show_default=True)
@click.pass_context
def quota(
    ctx: click.Context,
    kubeconfig: str | None,
    context: str | None,
    team: str | None,
    all_namespaces: bool,
    output: str,
) -> None:
    """Used and hard of every team's ResourceQuota (``-n/--team`` for one team)."""
    from dataclasses import asdict

    from mlkube.platform.check import read_state
    from mlkube.platform.check.usage import quotas

    with user_errors():
        target, _ = connect(ctx, kubeconfig, context, None)
        rows = quotas(read_state(target), team=team, all_namespaces=all_namespaces)
    emit([asdict(r) for r in rows], output, lambda c: _quota_table(rows, c))


def _quota_table(rows: list[QuotaUsage], out: Console) -> None:
    from rich.table import Table

    if not rows:
        out.print("no team quotas found (mlkube platform apply creates them; -A for all)")
        return
    table = Table("team", "namespace", "resource", "used", "hard", "")
    table.columns[2].no_wrap = True
    table.columns[5].no_wrap = True
    for q in rows:
        for i, line in enumerate(q.lines):
            first = i == 0
            table.add_row(
                q.team if first else "",
                q.namespace if first else "",
                line.resource,
                line.used,
                line.hard,
                f"{_bar(line.fraction)} {line.fraction:.0%}",
            )
    out.print(table)


@click.command("top", short_help="Allocated vs allocatable per pool or node; GPU fragmentation.")
@click.argument("what", type=click.Choice(["pools", "nodes"]), default="pools")
@click.option(
    "--kubeconfig",
    type=click.Path(dir_okay=False),
    help="The kubeconfig file (default: the embedded local cluster's).",
)
@click.option("--context", help="The kubeconfig context (default: mlkube use's).")
@click.option("-o", "--output", type=OUTPUT, default="table", show_default=True)
@click.pass_context
def top(
    ctx: click.Context, what: str, kubeconfig: str | None, context: str | None, output: str
) -> None:
    """Requests of bound pods against allocatable, per pool (default) or per node."""
    from mlkube.platform.check import read_state
    from mlkube.platform.check.usage import top as run_top

    with user_errors():
        target, _ = connect(ctx, kubeconfig, context, None)
        report = run_top(read_state(target))
    data = report.to_dict()
    emit(
        data[what] if what == "nodes" else {k: data[k] for k in ("pools", "pending_gpu_requests")},
        output,
        lambda c: _top_table(report, what, c),
    )


def _cell(allocated: dict[str, str], allocatable: dict[str, str], resource: str) -> str:
    if resource not in allocatable:
        return "-"
    return f"{allocated.get(resource, '0')}/{allocatable[resource]}"


def _top_table(report: TopReport, what: str, out: Console) -> None:
    from rich.table import Table

    from mlkube.platform.check.usage import GPU

    if what == "nodes":
        table = Table("node", "pool", "gpu", "cpu", "memory", "pods")
        for n in report.nodes:
            table.add_row(
                n.name,
                n.pool,
                _cell(n.allocated, n.allocatable, GPU),
                _cell(n.allocated, n.allocatable, "cpu"),
                _cell(n.allocated, n.allocatable, "memory"),
                str(n.pods),
            )
        out.print(table)
        return
    table = Table("pool", "nodes", "gpu", "cpu", "memory", "free gpu", "stranded gpu")
    for p in report.pools:
        has_gpu = GPU in p.allocatable
        table.add_row(
            p.name,
            str(p.nodes),
            _cell(p.allocated, p.allocatable, GPU),
            _cell(p.allocated, p.allocatable, "cpu"),
            _cell(p.allocated, p.allocatable, "memory"),
            str(p.free_gpus) if has_gpu else "-",
            str(p.stranded_gpus) if has_gpu else "-",
        )
    out.print(table)
    if report.pending_gpu_requests:
        wants = sorted(set(report.pending_gpu_requests.values()))
        out.print(
            f"{len(report.pending_gpu_requests)} pending GPU pod(s) asking "
            f"{', '.join(map(str, wants))} GPU(s); stranded = free GPUs on nodes with fewer free "
            "than the smallest of those requests"
        )
