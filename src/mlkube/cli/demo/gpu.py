"""The demo's side show on the simulated GPU pool: placement, a quota refusal, a deadline
kill and TTL cleanup, with Kubernetes' own words.

The GPU nodes are simulated (``sim.mlkube.io/run-for`` says how long a pod runs), so these
jobs cost nothing and run alongside the real pipeline on the cluster's real clock: two
8-GPU jobs of team vision fill its 16-GPU quota; a third is refused by mlkube before it is
created (and, submitted with ``force``, its pods are refused by the API server's quota
admission, as the Job's FailedCreate event says); an ``nlp`` job that would run an hour is
failed at its 15 s deadline (DeadlineExceeded); the first two finish and are deleted 10 s
later by ``ttlSecondsAfterFinished``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from mlkube.cli.demo.show import Ran, Where
from mlkube.sdk import NotFound, QuotaRefused

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.sdk import Client, Handle

__all__ = ["GpuShow", "finish", "refuse", "start"]

IMAGE: Final = "pytorch/pytorch:2.4.0"
COMMAND: Final = ["torchrun", "train.py"]
#: The quota message admission writes (``plugin/pkg/admission/resourcequota``).
QUOTA_WORDS: Final = "exceeded quota"
_WAIT: Final = 90.0


def _poll(done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)


@dataclass
class GpuShow:
    """The GPU jobs and what was seen of them."""

    jobs: dict[str, Handle] = field(default_factory=dict)
    placed: dict[str, list[str]] = field(default_factory=dict)  # job -> nodes
    refusal: str = ""
    failed_create: str = ""


def _running(handle: Handle) -> bool:
    pods = handle.pods()
    return bool(pods) and all((p.get("status") or {}).get("phase") == "Running" for p in pods)


def start(client: Client, console: Console, where: Where) -> GpuShow:
    """Step 2: two 8-GPU jobs of team vision and a 4-GPU job of team nlp, placed."""
    from rich.table import Table

    show = GpuShow()
    for name in ("resnet", "vit"):
        show.jobs[name] = client.train(
            name,
            image=IMAGE,
            command=COMMAND,
            gpus=8,
            cpu="8",
            memory="64Gi",
            run_for="20s",
            ttl="10s",
        )
    show.jobs["runaway"] = client.train(
        "runaway",
        image=IMAGE,
        command=COMMAND,
        gpus=4,
        cpu="8",
        memory="64Gi",
        run_for="1h",
        deadline="15s",
        team="nlp",
    )
    _poll(lambda: all(_running(h) for h in show.jobs.values()), _WAIT, "the GPU jobs to run")
    table = Table("job", "team", "gpus", "pod", "node", "pool", "phase")
    for name, handle in show.jobs.items():
        for pod in handle.pods():
            node = str(pod["spec"].get("nodeName"))
            show.placed.setdefault(name, []).append(node)
            gpus = pod["spec"]["containers"][0]["resources"]["limits"].get("nvidia.com/gpu", "0")
            table.add_row(
                name,
                handle.team or "",
                gpus,
                pod["metadata"]["name"],
                node,
                where.pool(node),
                pod["status"].get("phase", ""),
            )
    console.print(table)
    console.print(
        "the training profile placed them on the GPU pool: required node affinity to "
        "gpu-a100 and the toleration of its nvidia.com/gpu taint"
    )
    return show


def refuse(client: Client, console: Console, show: GpuShow) -> None:
    """Step 3: a third 8-GPU job for team vision, whose 16-GPU quota is in use."""
    try:
        client.train(
            "bert", image=IMAGE, command=COMMAND, gpus=8, cpu="8", memory="64Gi", run_for="5s"
        )
    except QuotaRefused as err:
        show.refusal = str(err)
    console.print("mlkube train bert --gpus 8  [dim](the quota-safe check, nothing created)[/dim]")
    console.print(
        f"  {show.refusal or '(not refused: the check admitted it)'}", highlight=False, markup=False
    )
    show.jobs["bert"] = client.train(
        "bert",
        image=IMAGE,
        command=COMMAND,
        gpus=8,
        cpu="8",
        memory="64Gi",
        run_for="5s",
        force=True,
    )

    def refused_or_admitted() -> bool:
        for event in show.jobs["bert"].events(limit=50):
            if event.get("reason") == "FailedCreate" and QUOTA_WORDS in str(event.get("message")):
                show.failed_create = str(event["message"])
                return True
        return bool(show.jobs["bert"].pods())

    _poll(refused_or_admitted, _WAIT, "the quota refusal of bert's pods")
    console.print(
        "mlkube train bert --gpus 8 --force  [dim](the Job is created; its pods are "
        "refused by ResourceQuota admission)[/dim]"
    )
    if show.failed_create:
        console.print(f"  FailedCreate: {show.failed_create}", highlight=False, markup=False)
    else:  # only on a machine so slow that resnet and vit were done by now
        console.print("  (admitted: resnet and vit had already given their GPUs back)")


def _condition(handle: Handle) -> dict[str, Any] | None:
    try:
        obj = handle.object()
    except NotFound:
        return None
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return dict(c)
    return {}


def _finished_event(handle: Handle) -> str:
    """How the Job ended, from its events (they outlive the Job the TTL deleted)."""
    ends = ("Completed", "BackoffLimitExceeded", "DeadlineExceeded")
    for event in handle.kube.list("events", handle.namespace):
        involved = event.get("involvedObject") or {}
        mine = involved.get("kind") == "Job" and involved.get("name") == handle.name
        if mine and event.get("reason") in ends:
            return f"{event['reason']} ({event.get('message', '')})"
    return "finished"


def _gone(handle: Handle) -> bool:
    return _condition(handle) is None


def finish(console: Console, show: GpuShow, where: Where) -> list[Ran]:
    """Step 9: the deadline kill and the TTL deletions (waiting for them if need be)."""
    runaway = show.jobs["runaway"]
    _poll(lambda: bool(_condition(runaway)), _WAIT, "runaway's deadline")
    killed = _condition(runaway) or {}
    console.print(
        f"runaway (deadline 15s, would run 1h): {killed.get('type')} "
        f"({killed.get('reason')}): {killed.get('message')}",
        highlight=False,
    )
    _poll(
        lambda: _gone(show.jobs["resnet"]) and _gone(show.jobs["vit"]),
        _WAIT,
        "the TTL deletion of resnet and vit",
    )
    for name in ("resnet", "vit"):
        finished = _finished_event(show.jobs[name])
        console.print(
            f"{name}: {finished}, then deleted by ttlSecondsAfterFinished (10s) with its pods",
            highlight=False,
        )
    bert = _condition(show.jobs["bert"]) or {}
    bert_outcome = (
        f"{bert['type']} (ran once resnet and vit freed the quota)"
        if bert
        else "waiting: the Job controller retries the refused pods with back-off"
    )
    console.print(f"bert: {bert_outcome}")
    pools = sorted({where.pool(n) for nodes in show.placed.values() for n in nodes})
    return [
        Ran(
            "resnet",
            "vision",
            "training",
            pools,
            show.placed.get("resnet", []),
            "deleted by TTL",
        ),
        Ran(
            "vit",
            "vision",
            "training",
            pools,
            show.placed.get("vit", []),
            "deleted by TTL",
        ),
        Ran(
            "bert",
            "vision",
            "training",
            pools,
            sorted({str(p["spec"].get("nodeName")) for p in show.jobs["bert"].pods()} - {"None"}),
            f"quota-refused, then {bert.get('type', 'retrying').lower()}",
        ),
        Ran(
            "runaway",
            "nlp",
            "training",
            pools,
            show.placed.get("runaway", []),
            str(killed.get("reason") or killed.get("type")),
        ),
    ]
