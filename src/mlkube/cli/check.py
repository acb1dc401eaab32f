"""``mlkube check`` and ``mlkube explain``: will it run, where, when, and if not, why.

``check -f FILE`` reads plain manifests and mlkube workload kinds (``apiVersion:
mlkube.io/v1alpha1``, rendered with the cluster's stored platform), reads the cluster's state
and prints :func:`mlkube.platform.check.check`'s report; ``explain NAME|pod/NAME|job/NAME``
prints :func:`mlkube.platform.check.explain.explain`'s findings. The cluster and team are
selected as by every workload command (:mod:`mlkube.cli.session`: ``--kubeconfig``,
``--context``, ``-n/--team``, default the embedded local cluster). Tables by default, ``-o
json|yaml``. ``check`` exits 0 when the workload would start now, 1 otherwise (or on a user
mistake, with one line on stderr). Tests inject a cluster as ``obj={"target": ClusterAPI}``
and the time as ``obj={"now": datetime}``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mlkube.cli.session import OUTPUT, emit, fail, session, target_options, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.platform.check import CheckReport
    from mlkube.platform.check.explain import Explanation
    from mlkube.platform.target import ClusterAPI

__all__ = ["check", "connect", "explain", "render_explanation", "render_report"]

_WORKLOAD_API = "mlkube.io/v1alpha1"


def connect(
    ctx: click.Context, kubeconfig: str | None, context: str | None, team: str | None
) -> tuple[ClusterAPI, str]:
    """The cluster (injected, or the session's) and the namespace of ``team``."""
    injected = (ctx.obj or {}).get("target")
    if injected is not None:
        target: ClusterAPI = injected
        return target, team or "default"
    from mlkube.platform.target import KubeTarget

    client = session(kubeconfig, context, team).client()
    return KubeTarget(client.kube), client.namespace(team)


def _now(ctx: click.Context) -> datetime:
    """The wall clock (the served embedded cluster runs on one too); tests inject ``now``."""
    injected = (ctx.obj or {}).get("now")
    return injected if isinstance(injected, datetime) else datetime.now(UTC)


@contextmanager
def _check_errors() -> Iterator[None]:
    from mlkube.platform.check import CheckInputError
    from mlkube.platform.check.explain import ExplainError

    try:
        yield
    except (CheckInputError, ExplainError) as err:
        fail(str(err))


def _documents(filenames: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    import yaml

    from mlkube.platform.problems import Problem, SpecError

    out: list[tuple[str, dict[str, Any]]] = []
    for name in filenames:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
            docs = list(yaml.safe_load_all(text))
        except OSError as err:
            raise SpecError([Problem("-f", name, err.strerror or str(err))]) from None
        except yaml.YAMLError as err:
            raise SpecError([Problem("-f", name, f"not YAML: {err}")]) from None
        for doc in docs:
            if doc is None:
                continue
            if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                raise SpecError(
                    [Problem("-f", name, "every document needs apiVersion and kind (a manifest)")]
                )
            out.append((name, doc))
    if not out:
        raise SpecError([Problem("-f", ", ".join(filenames), "no documents found")])
    return out


def _objects(
    docs: list[tuple[str, dict[str, Any]]], target: ClusterAPI, namespace: str
) -> list[dict[str, Any]]:
    """Plain manifests as they are (namespace defaulted); workload kinds rendered."""
    import yaml

    objects: list[dict[str, Any]] = []
    platform: Any = None
    for _, doc in docs:
        if doc.get("apiVersion") == _WORKLOAD_API:
            from mlkube.platform.workloads import loads, read_platform, render

            if platform is None:
                platform = read_platform(target)
            for workload in loads(yaml.safe_dump(doc)):
                objects += render(workload, platform)
            continue
        meta = doc.setdefault("metadata", {})
        if isinstance(meta, dict) and not meta.get("namespace"):
            meta["namespace"] = namespace
        objects.append(doc)
    return objects


@click.command("check", short_help="Will it run, where, when, and if not, why (before submitting).")
@click.option(
    "-f",
    "--filename",
    "filenames",
    multiple=True,
    required=True,
    help="Manifests or mlkube workloads (YAML; - for stdin); repeatable.",
)
@target_options
@click.option("-o", "--output", type=OUTPUT, default="table", show_default=True)
@click.pass_context
def check(
    ctx: click.Context,
    filenames: tuple[str, ...],
    kubeconfig: str | None,
    context: str | None,
    team: str | None,
    output: str,
) -> None:
    """Check workloads against the cluster's live state without creating anything.

    Says which LimitRange defaults each container gets, whether ResourceQuota admits every
    pod (kube-apiserver's words), on which node each pod lands now (or the scheduler's
    FitError, per pool), whether a distributed job's pods fit at once on distinct nodes,
    whether it can ever fit, and when it would start. Exit 0: it would start now.
    """
    from mlkube.platform.check import check as run_check
    from mlkube.platform.check import read_state

    with user_errors(), _check_errors():
        docs = _documents(filenames)
        target, namespace = connect(ctx, kubeconfig, context, team)
        objects = _objects(docs, target, namespace)
        report = run_check(objects, read_state(target), now=_now(ctx))
    emit(report.to_dict(), output, lambda c: render_report(report, c))
    if not report.runs_now:
        sys.exit(1)


@click.command("explain", short_help="Why a job or pod is not running, with fixes.")
@click.argument("name")
@target_options
@click.option("-o", "--output", type=OUTPUT, default="table", show_default=True)
@click.pass_context
def explain(
    ctx: click.Context,
    name: str,
    kubeconfig: str | None,
    context: str | None,
    team: str | None,
    output: str,
) -> None:
    """Explain NAME, pod/NAME, job/NAME or deployment/NAME in the team's namespace.

    Pending pods: the scheduler's reasons now (grouped as FailedScheduling groups them) and
    per node pool which taint, which selector, how much of which resource is missing. Job
    pods refused by quota (FailedCreate events), claims not bound, containers in back-off,
    deadlines, preemptions and by whom; each with a suggested fix.
    """
    from mlkube.platform.check.explain import explain as run_explain

    with user_errors(), _check_errors():
        target, namespace = connect(ctx, kubeconfig, context, team)
        found = run_explain(target, name, namespace, now=_now(ctx))
    emit(found.to_dict(), output, lambda c: render_explanation(found, c))


# --- renderers --------------------------------------------------------------------------


def render_report(report: CheckReport, out: Console) -> None:
    """The check report as a person reads it: verdict, refusals, defaults, pods, gang, when."""
    from rich.table import Table

    if report.runs_now:
        out.print("[green]✔ it would start now[/green]")
    elif report.admitted:
        out.print("[yellow]✘ admitted, but it does not fit now[/yellow]")
    else:
        out.print("[red]✘ admission would refuse it[/red]")
    for r in report.refusals:
        times = f" ({r.count} pods)" if r.count > 1 else ""
        out.print(f"refused: {r.object}{times}\n  {r.message}")
        if r.fix:
            out.print(f"  fix: {r.fix}")
    if report.defaults:
        table = Table(
            "object", "container", "requests added", "limits added", title="LimitRange defaults"
        )
        for d in report.defaults:
            table.add_row(d.object, d.container, _pairs(d.requests), _pairs(d.limits))
        out.print(table)
    if report.placements:
        table = Table("pod", "node", "why not", title="placement now")
        for p in report.placements:
            node = p.node or "-"
            if p.node and len(p.tied) > 1:
                node += f" (or {len(p.tied) - 1} equal)"
            table.add_row(p.pod, node, p.message)
        out.print(table)
        shown: set[str] = set()
        for p in report.placements:
            if p.node is None and p.owner not in shown:
                shown.add(p.owner)
                for c in p.classes:
                    reasons = ", ".join(f"{n} {r}" for r, n in sorted(c.reasons.items()))
                    out.print(f"  {c.node_class} ({c.nodes} nodes): {reasons}")
                    if c.fix:
                        out.print(f"    fix: {c.fix}")
    if report.queued_ahead:
        out.print(
            f"note: {report.queued_ahead} pod(s) already pending at this priority or higher "
            "are ahead in the scheduler's queue and may take this room first"
        )
    if report.gang is not None:
        g = report.gang
        verdict = "fits at once" if g.feasible else "does NOT fit at once"
        nodes = ""
        if g.placed == g.size:
            nodes = ", on distinct nodes" if g.distinct else ", sharing nodes"
        out.print(f"gang {g.owner}: {g.placed}/{g.size} placed{nodes}: {verdict}")
        if g.feasible and not g.spread:
            out.print(
                "  warning: some ranks would share a node; ask for whole nodes or add pod "
                "anti-affinity on kubernetes.io/hostname to keep one rank per node"
            )
    if report.ever is not None and not report.ever.possible:
        for reason in report.ever.reasons:
            out.print(f"[red]never:[/red] {reason}")
    if report.estimated_start is not None:
        wait = report.estimated_start - report.now
        when = f"{report.estimated_start:%Y-%m-%d %H:%M:%S} UTC"
        out.print(f"estimated start: {when} (in {_duration(wait.total_seconds())})")
    elif report.start_note and (report.ever is None or report.ever.possible):
        out.print(f"estimated start: {report.start_note}")


def render_explanation(found: Explanation, out: Console) -> None:
    out.print(found.summary)
    for f in found.findings:
        times = f" (x{f.count})" if f.count > 1 else ""
        out.print(f"[bold]{f.kind}[/bold] {f.subject}{times}: {f.message}")
        for c in f.classes:
            reasons = ", ".join(f"{n} {r}" for r, n in sorted(c.reasons.items()))
            out.print(f"  {c.node_class} ({c.nodes} nodes): {reasons}")
            for resource, (want, free) in c.missing.items():
                out.print(f"    {resource}: asks {want}, at most {free} free on one node")
        if f.fix:
            out.print(f"  fix: {f.fix}")


def _pairs(values: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "-"


def _duration(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"
