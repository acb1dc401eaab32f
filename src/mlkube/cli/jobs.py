"""``mlkube jobs|status|logs|wait|cancel|results``: the workloads on a cluster, by name.

Thin over :class:`mlkube.sdk.Handle`: ``jobs`` lists the Jobs and Deployments labelled
``mlkube.io/workload`` (``-w`` reprints the table when it changes), ``status`` shows one
workload's conditions, pods and recent events, ``logs`` prints its pods' logs (``[index]``
before each line when there are several; ``-f`` follows until the pods finish), ``wait``
shows a progress bar (succeeded/completions) and exits 1 with the failure's reason or 2 on
timeout, as ``kubectl wait`` does, ``cancel`` deletes everything labelled with the workload,
and ``results`` ranks a sweep's trials by a metric they printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from mlkube.cli.session import OUTPUT, Session, console, emit, target_options, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.sdk.handle import Condition, Handle, Results
    from mlkube.sdk.status import WorkloadStatus

__all__ = ["cancel", "jobs", "logs", "results", "status", "wait", "wait_with_progress"]

_WATCH_SECONDS = 1.0
_FOLLOW_SECONDS = 0.5


def _jobs_table(rows: list[WorkloadStatus], now: datetime) -> Any:
    from rich.table import Table

    from mlkube.sdk.status import age

    table = Table(box=None, pad_edge=False)
    for column in ("NAME", "TEAM", "KIND", "STATUS", "PROGRESS", "AGE"):
        table.add_column(column)
    for s in rows:
        table.add_row(
            s.name, s.team or s.namespace, s.kind, s.phase, s.progress, age(s.created, now)
        )
    return table


def _printer(renderable: Any) -> Callable[[Console], None]:
    def show(c: Console) -> None:
        c.print(renderable)

    return show


@click.command("jobs")
@target_options
@click.option("-A", "--all-teams", is_flag=True, help="Every team's workloads.")
@click.option("-w", "--watch", is_flag=True, help="Reprint the table when it changes (Ctrl-C).")
@click.option("-o", "--output", type=OUTPUT, default="table", help="Output format.")
def jobs(
    kubeconfig: str | None,
    context: str | None,
    team: str | None,
    all_teams: bool,
    watch: bool,
    output: str,
) -> None:
    """List the workloads: NAME TEAM KIND STATUS PROGRESS AGE."""
    with user_errors():
        client = Session(kubeconfig, context, team).client()
        last: list[dict[str, Any]] | None = None
        while True:
            rows = client.jobs(all_teams=all_teams)
            data = [r.to_dict() for r in rows]
            if data != last:
                now = datetime.now(UTC)
                if not rows and output == "table":
                    if all_teams:
                        where = "any team"
                    elif client.team:
                        where = f"team {client.team}"
                    else:
                        where = f"namespace {client.namespace()} (-n TEAM, or -A for every team)"
                    click.echo(f"no workloads in {where}", err=True)
                else:
                    emit(data, output, _printer(_jobs_table(rows, now)))
                last = data
            if not watch:
                return
            try:
                time.sleep(_WATCH_SECONDS)
            except KeyboardInterrupt:
                return


def _status_text(c: Console, data: dict[str, Any]) -> None:
    from rich.table import Table

    c.print(f"{data['name']}  {data['kind']}  {data['object']}  namespace {data['namespace']}")
    line = f"status: {data['status']} ({data['progress']})"
    if data["reason"]:
        line += f"  {data['reason']}: {data['message']}".rstrip(": ")
    c.print(line)
    sections: list[tuple[str, list[str], list[dict[str, Any]]]] = [
        ("Conditions", ["type", "status", "reason", "message"], data["conditions"]),
        ("Pods", ["name", "index", "node", "phase"], data["pods"]),
        ("Events", ["type", "reason", "object", "count", "message"], data["events"]),
    ]
    for title, columns, items in sections:
        c.print(f"\n{title}:" if items else f"\n{title}: none")
        if items:
            grid = Table(box=None, pad_edge=False)
            for column in columns:
                grid.add_column(column.upper())
            for item in items:
                grid.add_row(*("" if item[k] is None else str(item[k]) for k in columns))
            c.print(grid)


@click.command("status")
@click.argument("name")
@target_options
@click.option("-o", "--output", type=OUTPUT, default="table", help="Output format.")
def status(
    name: str, kubeconfig: str | None, context: str | None, team: str | None, output: str
) -> None:
    """One workload: its Job/Deployment conditions, pods (node, phase) and recent events."""
    with user_errors():
        data = Session(kubeconfig, context, team).client().workload(name).describe()
    emit(data, output, lambda c: _status_text(c, data))


@click.command("logs")
@click.argument("name")
@target_options
@click.option("--index", type=click.IntRange(min=0), help="Only this completion index.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing until the pods finish.")
@click.option("--tail", type=click.IntRange(min=0), help="Only the last N lines of each pod.")
def logs(
    name: str,
    kubeconfig: str | None,
    context: str | None,
    team: str | None,
    index: int | None,
    follow: bool,
    tail: int | None,
) -> None:
    """Print the logs of a workload's pods ([index] before each line when several)."""
    from mlkube.sdk.handle import prefix

    with user_errors():
        handle = Session(kubeconfig, context, team).client().workload(name)
        handle.object()  # NotFound before anything else
        if not follow:
            click.echo(handle.logs(index, tail), nl=False)
            return
        seen: dict[str, int] = {}
        while True:
            finished = handle.status().finished
            texts = handle.pod_logs(index) if handle.pods() else {}
            for key, text in texts.items():
                new = text[seen.get(key, 0) :]
                seen[key] = len(text)
                if new:
                    click.echo(prefix(key, new) if len(texts) > 1 else new, nl=False)
            if finished:
                return
            try:
                time.sleep(_FOLLOW_SECONDS)
            except KeyboardInterrupt:
                return


def wait_with_progress(handle: Handle, timeout: float, until: Condition | None) -> WorkloadStatus:
    """:meth:`Handle.wait` with a rich progress bar (succeeded/completions)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    out = console()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[phase]}"),
        TimeElapsedColumn(),
        console=out,
        transient=False,
    ) as bar:
        task = bar.add_task(handle.name, total=None, phase="")

        def progress(s: WorkloadStatus) -> None:
            bar.update(task, total=max(s.total, 1), completed=s.done, phase=s.phase)

        final = handle.wait(timeout, until=until, on_progress=progress)
    out.print(f"{handle.name}: {final.phase} ({final.progress})")
    return final


@click.command("wait")
@click.argument("name")
@target_options
@click.option("--timeout", default="10m", show_default=True, help="How long to wait.")
@click.option(
    "--for",
    "until",
    type=click.Choice(["complete", "ready"]),
    help="complete (Jobs, the default) or ready (services, the default for them).",
)
@click.option(
    "-o",
    "--output",
    type=OUTPUT,
    default="table",
    help="Output format: yaml|json print the final status instead of a progress bar.",
)
def wait(
    name: str,
    kubeconfig: str | None,
    context: str | None,
    team: str | None,
    timeout: str,
    until: Condition | None,
    output: str,
) -> None:
    """Wait for a workload: exit 0 when done, 1 when it failed (with why), 2 on timeout."""
    from mlkube.sdk.duration import seconds

    with user_errors():
        limit = seconds(timeout, "--timeout")
        handle = Session(kubeconfig, context, team).client().workload(name)
        handle.object()
        if output == "table":
            wait_with_progress(handle, limit, until)
            return
        final = handle.wait(limit, until=until)
    emit(final.to_dict(), output, lambda _: None)


@click.command("cancel")
@click.argument("name")
@target_options
@click.option(
    "-o", "--output", type=OUTPUT, default="table", help="yaml|json: the deleted objects as a list."
)
def cancel(
    name: str, kubeconfig: str | None, context: str | None, team: str | None, output: str
) -> None:
    """Delete a workload and everything labelled with it (its pods go in the background)."""
    with user_errors():
        deleted = Session(kubeconfig, context, team).client().workload(name).cancel()
    emit(
        {"workload": name, "deleted": list(deleted)},
        output,
        lambda _: click.echo(f"workload {name} cancelled: deleted {', '.join(deleted)}"),
    )


def _results_table(found: Results) -> Any:
    from rich.table import Table

    rows, metric = found.trials, found.metric
    params = list(dict.fromkeys(k for r in rows for k in r.params))
    metrics = list(dict.fromkeys(k for r in rows for k in r.metrics))
    if metric in metrics:
        metrics.remove(metric)
        metrics.insert(0, str(metric))
    table = Table(box=None, pad_edge=False)
    for column in ["RANK", "INDEX", *params, *metrics, "STATUS"]:
        table.add_column(column.upper() if column in ("RANK", "INDEX", "STATUS") else column)
    for rank, r in enumerate(rows, 1):
        table.add_row(
            str(rank) if metric in r.metrics else "-",
            str(r.index),
            *(str(r.params.get(p, "")) for p in params),
            *(f"{r.metrics[m]:.6g}" if m in r.metrics else "" for m in metrics),
            r.phase,
        )
    return table


@click.command("results")
@click.argument("name")
@target_options
@click.option("--metric", help="Rank by this metric (default: the sweep's).")
@click.option("--maximize/--minimize", default=None, help="The goal (default: the sweep's).")
@click.option("-o", "--output", type=OUTPUT, default="table", help="Output format.")
def results(
    name: str,
    kubeconfig: str | None,
    context: str | None,
    team: str | None,
    metric: str | None,
    maximize: bool | None,
    output: str,
) -> None:
    """A sweep's trials: parameters and metrics per index, best first."""
    with user_errors():
        handle = Session(kubeconfig, context, team).client().workload(name)
        found = handle.results(metric=metric, maximize=maximize)
    emit(found.to_dict(), output, _printer(_results_table(found)))
