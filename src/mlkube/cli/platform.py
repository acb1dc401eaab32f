"""``mlkube platform``: validate, apply, diff, export and show the platform spec.

Each command is a few lines around :mod:`mlkube.platform`: load the spec, validate it, talk to
the cluster the flags select (``--kubeconfig``/``--context`` as kubectl; by default the
embedded local cluster, as every mlkube command), and hand the
result to a renderer (``-o table|yaml|json``; tables through rich, imported lazily). A user
mistake (a bad spec, an unreachable cluster, a refused write) is one message per problem on
stderr and exit code 1, never a traceback. The flags and conventions are kubectl's
(``staging/src/k8s.io/kubectl/pkg/cmd/apply``, ``cmd/diff``: ``-f -`` reads stdin, ``--prune``,
``--dry-run``, a unified diff per object from live to desired). Tests inject the cluster and
the console as ``obj={"target": ..., "console": ...}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.platform.plan import Plan
    from mlkube.platform.problems import Problem
    from mlkube.platform.spec import Platform
    from mlkube.platform.target import ClusterAPI

__all__ = ["platform"]

_FORMATS = click.Choice(["table", "yaml", "json"])


def _console() -> Console:
    """The console commands write tables to: ``obj["console"]`` when given (tests), else stdout."""
    injected = (click.get_current_context().obj or {}).get("console")
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def _fail(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"error: {message}", err=True)
    sys.exit(1)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into messages and exit code 1."""
    from mlkube.client import ApiError, ConnectionFailed
    from mlkube.platform.problems import SpecError
    from mlkube.sdk.errors import MlkubeError

    try:
        yield
    except SpecError as err:
        _fail([str(p) for p in err.problems])
    except MlkubeError as err:
        _fail([str(err)])
    except ApiError as err:
        _fail([err.message or f"the server answered {err.code}"])
    except ConnectionFailed as err:
        _fail([str(err)])


def _warn(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(f"warning: {p}", err=True)


def _load(filename: str) -> Platform:
    """The spec from a file, or from stdin for ``-f -`` (as kubectl)."""
    from mlkube.platform.spec import load_file, loads

    return loads(sys.stdin.read()) if filename == "-" else load_file(filename)


def _target(ctx: click.Context, kubeconfig: str | None, context: str | None) -> ClusterAPI:
    injected = (ctx.obj or {}).get("target")
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    from mlkube.cli.session import session
    from mlkube.platform.target import KubeTarget

    # The same target as every workload command: the flags, else ``mlkube use``'s default,
    # else the embedded local cluster (started on demand), announced once on stderr.
    return KubeTarget(session(kubeconfig, context, None).client().kube)


def _emit(data: Any, output: str, table: Callable[[Console], None]) -> None:
    if output == "json":
        click.echo(json.dumps(data, indent=2))
    elif output == "yaml":
        import yaml

        click.echo(yaml.safe_dump(data, sort_keys=False), nl=False)
    else:
        table(_console())


def _file_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-f",
        "--filename",
        required=True,
        type=click.Path(dir_okay=False, allow_dash=True),
        help="The Platform spec (- reads stdin).",
    )(f)


def _kube_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--context", help="The kubeconfig context to use.")(f)
    return click.option(
        "--kubeconfig", type=click.Path(dir_okay=False), help="Path to the kubeconfig."
    )(f)


def _cluster_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = _kube_options(f)
    return click.option(
        "--embedded/--not-embedded",
        default=None,
        help="Whether the target is mlkube's embedded cluster (default: ask its /version).",
    )(f)


@click.group("platform")
def platform() -> None:
    """Describe the ML platform once (pools, teams, datasets, priorities) and apply it."""


@platform.command("validate")
@_file_option
@click.option("-o", "--output", type=_FORMATS, default="table", help="Output format.")
def validate_cmd(filename: str, output: str) -> None:
    """Check a spec without touching a cluster."""
    from mlkube.platform.validate import errors, validate

    with _user_errors():
        spec = _load(filename)
        problems = validate(spec)
    data = [
        {"severity": p.severity, "rule": p.rule, "path": p.path, "message": str(p)}
        for p in problems
    ]

    def table(console: Console) -> None:
        if not problems:
            counts = ", ".join(
                _count(len(items), word)
                for items, word in (
                    (spec.pools, "pool"),
                    (spec.teams, "team"),
                    (spec.datasets, "dataset"),
                )
            )
            console.print(f"{filename}: platform {spec.name} is valid ({counts})")

    if output != "table":
        _emit(data, output, table)
    else:
        _warn([p for p in problems if not p.is_error])
        table(_console())
    if errors(problems):
        _fail([str(p) for p in errors(problems)])


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _plan_rows(plan: Plan) -> list[dict[str, str]]:
    return [{"action": c.action, "object": c.name} for c in plan.changes]


def _plan_table(plan: Plan, *, dry_run: bool) -> Callable[[Console], None]:
    def table(console: Console) -> None:
        from rich.table import Table

        grid = Table(box=None, show_header=True, pad_edge=False)
        grid.add_column("ACTION")
        grid.add_column("OBJECT")
        for c in plan.changes:
            if c.action != "unchanged":
                grid.add_row(c.action, c.name)
        if grid.row_count:
            console.print(grid)
        counts = plan.counts()
        verb = "would write" if dry_run else "wrote"
        summary = (
            f"{verb} {len(plan.writes)}: {counts['create']} created, {counts['change']} changed, "
            f"{counts['remove']} removed; {counts['unchanged']} unchanged"
        )
        if counts["orphan"]:
            summary += f"; {counts['orphan']} no longer in the spec (kept; --prune removes them)"
        console.print(summary)

    return table


@platform.command("apply", short_help="Make the cluster match the spec.")
@_file_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--prune", is_flag=True, help="Remove mlkube-managed objects no longer in the spec.")
@_cluster_options
@click.option("-o", "--output", type=_FORMATS, default="table", help="Output format.")
@click.pass_context
def apply_cmd(
    ctx: click.Context,
    filename: str,
    dry_run: bool,
    prune: bool,
    embedded: bool | None,
    kubeconfig: str | None,
    context: str | None,
    output: str,
) -> None:
    """Make the cluster match the spec (server-side apply, field manager mlkube)."""
    from mlkube.platform.apply import apply

    with _user_errors():
        spec = _load(filename)
        outcome = apply(
            spec, _target(ctx, kubeconfig, context), embedded=embedded, dry_run=dry_run, prune=prune
        )
    _warn(outcome.warnings)
    _emit(_plan_rows(outcome.plan), output, _plan_table(outcome.plan, dry_run=dry_run))


@platform.command("diff", short_help="Show what apply would change, as diffs.")
@_file_option
@click.option("--prune", is_flag=True, help="Show removals as apply --prune would make them.")
@_cluster_options
@click.pass_context
def diff_cmd(
    ctx: click.Context,
    filename: str,
    prune: bool,
    embedded: bool | None,
    kubeconfig: str | None,
    context: str | None,
) -> None:
    """What apply would create, change or remove, as a unified diff per object."""
    from mlkube.platform.apply import plan
    from mlkube.platform.target import is_embedded
    from mlkube.platform.validate import errors, validate

    with _user_errors():
        spec = _load(filename)
        if errs := errors(validate(spec)):
            _fail([str(p) for p in errs])
        target = _target(ctx, kubeconfig, context)
        if embedded is None:
            embedded = is_embedded(target.version())
        result = plan(spec, target, embedded=embedded, prune=prune)
    for change in result.changes:
        if change.action == "orphan":
            click.echo(
                f"kept: {change.name} is no longer in the spec (--prune removes it)", err=True
            )
        elif change.action != "unchanged":
            click.echo(change.diff(), nl=False)


@platform.command("export", short_help="Print the plain manifests (GitOps).")
@_file_option
@click.option("-o", "--output", type=click.Choice(["yaml", "json"]), default="yaml")
def export_cmd(filename: str, output: str) -> None:
    """The plain manifests (kubectl apply -f, kustomize), without node labels and taints."""
    from mlkube.platform.render import render
    from mlkube.platform.validate import errors, validate

    with _user_errors():
        spec = _load(filename)
        if errs := errors(validate(spec)):
            _fail([str(p) for p in errs])
    objects = render(spec)
    if output == "json":
        click.echo(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}, indent=2))
        return
    import yaml

    click.echo(yaml.safe_dump_all(objects, sort_keys=False), nl=False)


def _show_table(data: dict[str, Any]) -> Callable[[Console], None]:
    def table(console: Console) -> None:
        from rich.table import Table

        def resources(values: dict[str, str]) -> str:
            return ", ".join(f"{k}={v}" for k, v in values.items()) or "-"

        pools = Table("POOL", "NODES", "ALLOCATABLE", "ALLOCATED", box=None, pad_edge=False)
        for p in data["pools"]:
            pools.add_row(
                p["name"],
                str(len(p["nodes"])),
                resources(p["allocatable"]),
                resources(p["allocated"]),
            )
        teams = Table("TEAM", "NAMESPACE", "QUOTA (USED/HARD)", box=None, pad_edge=False)
        for t in data["teams"]:
            used = ", ".join(
                f"{k}={t['used'].get(k, '?')}/{v}" for k, v in sorted(t["hard"].items())
            )
            teams.add_row(t["name"], t["namespace"], used or "-")
        datasets = Table("DATASET", "TEAM", "CLAIM", "VOLUME", "BOUND", box=None, pad_edge=False)
        for d in data["datasets"]:
            datasets.add_row(
                d["name"],
                d["team"],
                f"{d['namespace']}/{d['claim']}",
                d["volume"] or "-",
                "yes" if d["bound"] else f"no ({d['phase']})",
            )
        for grid in (pools, teams, datasets):
            console.print(grid)
            console.print()

    return table


@platform.command("show", short_help="Show the live pools, teams and datasets.")
@click.option("--platform", "name", help="Only this platform (by metadata.name).")
@_kube_options
@click.option("-o", "--output", type=_FORMATS, default="table", help="Output format.")
@click.pass_context
def show_cmd(
    ctx: click.Context,
    name: str | None,
    kubeconfig: str | None,
    context: str | None,
    output: str,
) -> None:
    """Pools (nodes, allocatable, allocated), teams (quota used/hard), datasets (bound?)."""
    from mlkube.platform.show import status

    with _user_errors():
        data = status(_target(ctx, kubeconfig, context), name).to_dict()
    _emit(data, output, _show_table(data))
