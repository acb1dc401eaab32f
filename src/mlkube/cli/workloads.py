"""``mlkube train|sweep|preprocess|serve NAME [flags] -- COMMAND...`` and ``mlkube submit -f``.

Each command turns its flags into the workload's fields (the flags are named after the
YAML's: ``--gpus`` is ``resources.gpu``, ``--dataset NAME[:PATH]`` a dataset mount,
``--param lr=0.1,0.01`` a grid axis) and hands them to the SDK (:mod:`mlkube.sdk`), which
builds, renders against the cluster's platform, checks quota and creates. ``-o yaml|json``
prints the manifests instead (no cluster needed: without one the platform is unknown and
the manifests carry no placement, which the banner says); ``--check`` prints the pre-submit
check and creates nothing; ``--force`` submits what the check would refuse; ``--wait``
waits with a progress bar (``serve`` waits for the rollout unless ``--no-wait``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from mlkube.cli.session import Session, console, emit, fail, target_options, user_errors

if TYPE_CHECKING:
    from mlkube.platform.check import CheckReport
    from mlkube.platform.workloads import Workload

__all__ = ["preprocess", "serve", "submit", "sweep", "train"]

_MANIFESTS = click.Choice(["yaml", "json"])
_NO_COMMAND = (
    "no command: put the command after --, e.g. "
    "mlkube {verb} NAME --image python:3.11 -- python train.py"
)


def _options(*decorators: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def apply(f: Callable[..., Any]) -> Callable[..., Any]:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


_pod_options = _options(
    click.argument("name"),
    click.argument("command", nargs=-1, type=click.UNPROCESSED),
    click.option("--image", required=True, help="The container image."),
    click.option("--cpu", help="CPU per pod (a quantity: 4, 500m)."),
    click.option("--memory", help="Memory per pod (a quantity: 16Gi)."),
    click.option(
        "--dataset",
        "datasets",
        multiple=True,
        metavar="NAME[:PATH]",
        help="Mount a platform dataset (default path /data/NAME); repeatable.",
    ),
    click.option("--env", "env", multiple=True, metavar="K=V", help="An environment variable."),
    click.option("--priority", help="A PriorityClass of the platform (default: the profile's)."),
    click.option("--profile", help="The platform profile (default by kind)."),
)
_shell_options = _options(
    target_options,
    click.option(
        "-o", "--output", "fmt", type=_MANIFESTS, help="Print the manifests; create nothing."
    ),
    click.option(
        "--check",
        "check_only",
        is_flag=True,
        help="Print the pre-submit check (as -o yaml|json if given); create nothing.",
    ),
    click.option("--force", is_flag=True, help="Submit even if quota would refuse the pods."),
    click.option("--timeout", default="10m", show_default=True, help="How long --wait waits."),
)
_wait_option = click.option("--wait", is_flag=True, help="Wait until it completes.")
_gpu_options = _options(
    click.option("--gpus", type=click.IntRange(min=0), default=0, help="GPUs per pod."),
    click.option("--gpu-type", help="The accelerator (the pool label mlkube.io/accelerator)."),
)
_batch_options = _options(
    click.option("--deadline", help="activeDeadlineSeconds as a duration (6h)."),
    click.option("--retries", type=click.IntRange(min=0), help="backoffLimit."),
    click.option("--ttl", help="ttlSecondsAfterFinished as a duration (1h)."),
    click.option(
        "--run-for", help="Simulated nodes only: how long each pod runs (sim.mlkube.io/run-for)."
    ),
)


def _env(values: Sequence[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f'--env: "{item}" is not K=V (e.g. --env LR=0.1)')
        env[key] = value
    return env


def _command(verb: str, command: Sequence[str]) -> list[str]:
    if not command:
        fail(_NO_COMMAND.format(verb=verb))
    return list(command)


def _datasets(values: Sequence[str]) -> list[dict[str, Any]]:
    from mlkube.sdk.client import dataset_mount

    return [dataset_mount(v) for v in values]


def _fields(kw: dict[str, Any], verb: str) -> dict[str, Any]:
    """The workload fields of the flags every kind has."""
    resources: dict[str, Any] = {"gpu": kw.pop("gpus", 0)}
    for key in ("gpu_type", "cpu", "memory"):
        if (value := kw.pop(key, None)) is not None:
            resources[key] = value
    fields: dict[str, Any] = {
        "image": kw.pop("image"),
        "command": _command(verb, kw.pop("command")),
        "env": _env(kw.pop("env")),
        "resources": resources,
        "datasets": _datasets(kw.pop("datasets")),
    }
    for key, value in kw.items():
        if value is not None:
            fields[key] = value
    return fields


#: The flags about where and how to submit, not about the workload.
_SHELL_KEYS = ("kubeconfig", "context", "team", "fmt", "check_only", "force", "wait", "timeout")


def _run(kind: str, verb: str, kw: dict[str, Any]) -> None:
    """Build the workload from the flags, then print, check or submit it."""
    shell = {k: kw.pop(k) for k in _SHELL_KEYS}
    name = kw.pop("name")
    with user_errors():
        from mlkube.platform.workloads import build

        fields = _fields(kw, verb)
        team = shell["team"]
        workload = build(kind, name, **({"team": team} if team else {}), **fields)
        _act([workload], shell)


def _act(workloads: list[Workload], shell: dict[str, Any]) -> None:
    """Print, check or submit (every flag is checked before the cluster is touched)."""
    from mlkube.sdk.client import with_team
    from mlkube.sdk.duration import seconds

    shell = {**shell, "timeout": seconds(shell["timeout"], "--timeout")}
    sess = Session(shell["kubeconfig"], shell["context"], shell["team"])
    if sess.target.team:  # the -n flag, or the default team of mlkube use
        workloads = [with_team(w, sess.target.team) for w in workloads]
    if shell["fmt"] and not shell["check_only"]:
        _print_manifests(sess, workloads, shell["fmt"])
        return
    client = sess.client()
    if shell["check_only"]:
        # Several documents are checked together, as submit creates them.
        report = client.check(workloads)
        _print_check(workloads, report, shell["fmt"])
        if not report.admitted:
            fail("the pre-submit check refuses it (nothing was created; --force submits anyway)")
        return
    handles = client.submit(workloads, force=shell["force"])
    for w, handle in zip(workloads, handles, strict=True):
        where = f"team {handle.team}" if handle.team else f"namespace {handle.namespace}"
        click.echo(f"{w.kind.lower()} {w.name} created in {where}: {', '.join(handle.created)}")
    if shell["wait"]:
        from mlkube.cli.jobs import wait_with_progress

        for handle in handles:
            wait_with_progress(handle, shell["timeout"], None)


def _print_manifests(sess: Session, workloads: list[Workload], output: str) -> None:
    from mlkube.platform.workloads import render

    client = sess.offline_client()
    objects: list[dict[str, Any]] = []
    for w in workloads:
        objects.extend(client.render(w) if client is not None else render(w, None))
    if output == "json":
        click.echo(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}, indent=2))
        return
    import yaml

    click.echo(yaml.safe_dump_all(objects, sort_keys=False), nl=False)


def _print_check(workloads: list[Workload], report: CheckReport, fmt: str | None) -> None:
    """The pre-submit check: ``mlkube check``'s table, or its data with ``-o yaml|json``."""
    from mlkube.cli.check import render_report

    if fmt is not None:
        emit(report.to_dict(), fmt, lambda _: None)
        return
    out = console()
    out.print(", ".join(f"{w.kind.lower()} {w.name}" for w in workloads) + ":")
    render_report(report, out)


@click.command("train")
@_pod_options
@_gpu_options
@_batch_options
@click.option("--nodes", type=click.IntRange(min=1), help="Nodes (distributed when > 1).")
@click.option("--nproc-per-node", type=click.IntRange(min=1), help="torchrun's processes/node.")
@_wait_option
@_shell_options
def train(**kw: Any) -> None:
    """Run a training job: NAME [flags] -- COMMAND... (one Job; distributed with --nodes)."""
    _run("TrainingJob", "train", kw)


@click.command("sweep")
@_pod_options
@_gpu_options
@_batch_options
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=V1,V2",
    help="A grid axis (or a range for --random: lr=loguniform(1e-4,1e-1)); repeatable.",
)
@click.option("--random", type=click.IntRange(min=1), help="Sample N trials instead of the grid.")
@click.option("--seed", type=int, help="The seed of --random.")
@click.option("--parallel", type=click.IntRange(min=1), help="Trials at once.")
@click.option("--metric", help="The metric results ranks by.")
@click.option("--minimize/--maximize", "minimize", default=None, help="The metric's goal.")
@click.option("--trial-retries", type=click.IntRange(min=0), help="Retries of each trial.")
@_wait_option
@_shell_options
def sweep(**kw: Any) -> None:
    """Run a hyperparameter sweep: NAME --param lr=0.1,0.01 [flags] -- COMMAND..."""
    with user_errors():
        from mlkube.platform.workloads import parse_param

        params = dict(parse_param(p) for p in kw.pop("params"))
    if not params:
        fail("--param: a sweep needs at least one parameter, e.g. --param lr=0.1,0.01")
    kw["params"] = params
    minimize = kw.pop("minimize")
    if minimize is not None:
        kw["goal"] = "minimize" if minimize else "maximize"
    _run("Sweep", "sweep", kw)


@click.command("preprocess")
@_pod_options
@_batch_options
@click.option(
    "--output-dataset",
    "output_dataset",
    required=True,
    metavar="NAME[:PATH]",
    help="The ReadWriteMany dataset written (mounted read-write).",
)
@click.option("--parallel", type=click.IntRange(min=1), help="Pods at once.")
@click.option("--completions", type=click.IntRange(min=1), help="Indexed when > 1.")
@_wait_option
@_shell_options
def preprocess(**kw: Any) -> None:
    """Run a preprocessing job writing a ReadWriteMany dataset: NAME [flags] -- COMMAND..."""
    from mlkube.sdk.client import dataset_mount

    kw["output"] = dataset_mount(kw.pop("output_dataset"))
    _run("PreprocessingJob", "preprocess", kw)


@click.command("serve")
@_pod_options
@_gpu_options
@click.option("--replicas", type=click.IntRange(min=0), help="Replicas (a PDB when > 1).")
@click.option("--port", type=click.IntRange(1, 65535), help="The port served (default 8080).")
@click.option("--readiness-path", help="The readiness probe's HTTP path (default /healthz).")
@click.option(
    "--wait/--no-wait", default=True, show_default=True, help="Wait for the rollout (ready)."
)
@_shell_options
def serve(**kw: Any) -> None:
    """Run an inference service (Deployment + Service): NAME [flags] -- COMMAND..."""
    path = kw.pop("readiness_path")
    if path is not None:
        kw["readiness"] = {"path": path}
    _run("InferenceService", "serve", kw)


@click.command("submit")
@click.option(
    "-f",
    "--filename",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Workload YAML (one or more documents; - reads stdin).",
)
@target_options
@click.option("-o", "--output", "fmt", type=_MANIFESTS, help="Print the manifests; create nothing.")
@click.option("--check", "check_only", is_flag=True, help="Print the pre-submit check only.")
@click.option("--force", is_flag=True, help="Submit even if quota would refuse the pods.")
@click.option("--wait", is_flag=True, help="Wait until every workload completes.")
@click.option("--timeout", default="10m", show_default=True, help="How long --wait waits.")
def submit(filename: str, **shell: Any) -> None:
    """Submit workloads written as YAML (kind TrainingJob, Sweep, PreprocessingJob,
    InferenceService)."""
    import sys

    import msgspec

    with user_errors():
        from mlkube.platform.workloads import load_file, loads

        workloads = loads(sys.stdin.read()) if filename == "-" else load_file(filename)
        team = shell["team"]
        if team:
            for i, w in enumerate(workloads):
                if w.metadata.team and w.metadata.team != team:
                    fail(
                        f"{filename}: metadata.team of {w.name} is {w.metadata.team}, "
                        f"not --team {team}; drop one of them"
                    )
                meta = msgspec.structs.replace(w.metadata, team=team)
                workloads[i] = msgspec.structs.replace(w, metadata=meta)
        _act(workloads, shell)
