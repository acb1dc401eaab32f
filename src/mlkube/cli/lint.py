"""``mlkube lint``: rules an ML platform reviewer applies, over manifests or a live namespace.

A few lines around :mod:`mlkube.platform.lint`: read the manifests (``-f`` files,
directories, ``-`` for stdin), with ``--live`` read the cluster the kubeconfig selects
(``--kubeconfig``/``--context``/``-n`` as kubectl), run the rules, and hand the findings to
the renderer ``-o`` picks (text, coloured by rich on a terminal; JSON; SARIF 2.1.0). Exit
code 1 when any finding is an error, 0 otherwise, 2 when the input cannot be read (a YAML
error names the file and line, never a traceback). Tests inject ``obj={"console": ...,
"client": ...}``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, NoReturn

import click

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.platform.lint import Finding, Manifest, Rule
    from mlkube.platform.lint.context import Cluster
    from mlkube.platform.lint.live import Lister

__all__ = ["lint"]

_SEVERITY_STYLES: Final = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_INPUT_ERROR: Final = 2


def _console(ctx: click.Context) -> Console:
    injected = (ctx.obj or {}).get("console")
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(_INPUT_ERROR)


def _client(ctx: click.Context, kubeconfig: str | None, context: str | None) -> Lister:
    injected = (ctx.obj or {}).get("client")
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    from mlkube.client import KubeClient

    return KubeClient.from_kubeconfig(kubeconfig, context=context)


def _read(paths: Sequence[str]) -> list[Manifest]:
    from mlkube.platform.lint import ManifestError, read_paths

    stdin = sys.stdin.read() if "-" in paths else None
    try:
        return read_paths(paths, stdin=stdin)
    except ManifestError as err:
        _fail(str(err))


def _live(
    ctx: click.Context, kubeconfig: str | None, context: str | None, namespace: str | None
) -> tuple[list[Manifest], Cluster, str]:
    from mlkube.client import ApiError, ConnectionFailed
    from mlkube.platform.lint import read_cluster

    try:
        client = _client(ctx, kubeconfig, context)
        ns = namespace or str(getattr(client, "namespace", "") or "default")
        state = read_cluster(client, ns)
    except (ApiError, ConnectionFailed) as err:
        _fail(getattr(err, "message", "") or str(err))
    for warning in state.warnings:
        click.echo(f"warning: {warning}", err=True)
    return state.manifests, state.cluster, ns


def _renderers(rules: Sequence[Rule]) -> dict[str, Callable[[Sequence[Finding]], str]]:
    from mlkube.platform.lint import render

    return {
        "text": render.text,
        "json": render.json_report,
        "sarif": lambda findings: render.sarif(findings, rules),
    }


def _print(console: Console, output: str, fmt: str) -> None:
    if fmt != "text":
        console.out(output, end="", highlight=False)
        return
    from rich.text import Text

    styled = Text(output, end="")
    for severity, style in _SEVERITY_STYLES.items():
        styled.highlight_regex(re.compile(rf"(?m)^  {severity}\b"), style)
    console.print(styled, soft_wrap=True, highlight=False, end="")


@click.command("lint")
@click.option(
    "-f",
    "--filename",
    "paths",
    multiple=True,
    metavar="PATH",
    help="A manifest file, a directory (recursive *.yaml, *.yml, *.json) or - for stdin.",
)
@click.option("--live", is_flag=True, help="Lint against the cluster (and its namespace).")
@click.option("-n", "--namespace", default=None, help="Namespace (default: the context's).")
@click.option("--kubeconfig", default=None, help="Path to the kubeconfig file.")
@click.option("--context", "kube_context", default=None, help="The kubeconfig context.")
@click.option("-o", "--output", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text")
@click.option("--explain", "explain_rule", metavar="RULE", help="Explain a rule (e.g. ML003).")
@click.option(
    "--min-severity",
    type=click.Choice(["info", "warning", "error"]),
    default="info",
    help="Report only findings at least this severe.",
)
@click.pass_context
def lint(
    ctx: click.Context,
    paths: tuple[str, ...],
    live: bool,
    namespace: str | None,
    kubeconfig: str | None,
    kube_context: str | None,
    fmt: str,
    explain_rule: str | None,
    min_severity: Any,
) -> None:
    """Check ML workloads for what a platform reviewer would flag.

    GPU pods without the GPU taint's toleration or a deadline, requests Kubernetes will
    refuse, quota'd namespaces without requests, shared ReadWriteOnce claims, affinity
    that matches no node, and more: each finding names its rule, a severity and the fix.
    """
    from mlkube.platform.lint import RULES, UnknownRule, at_least, render, rule
    from mlkube.platform.lint import lint as run_lint

    console = _console(ctx)
    if explain_rule is not None:
        try:
            console.out(render.explain(rule(explain_rule)), end="", highlight=False)
        except UnknownRule as err:
            raise click.BadParameter(str(err), param_hint="--explain") from None
        return
    if not paths and not live:
        raise click.UsageError("give -f PATH (files, directories or -) or --live")

    manifests = _read(paths) if paths else []
    cluster: Cluster | None = None
    ns = namespace or "default"
    if live:
        live_manifests, cluster, ns = _live(ctx, kubeconfig, kube_context, namespace)
        manifests = manifests if paths else live_manifests

    findings = [
        f for f in run_lint(manifests, cluster, namespace=ns) if at_least(f.severity, min_severity)
    ]
    _print(console, _renderers(RULES)[fmt](findings), fmt)
    if any(f.severity == "error" for f in findings):
        sys.exit(1)
