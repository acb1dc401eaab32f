"""The demo's real ML pipeline, on the process-runtime pool: preprocess, sweep, results,
final training, inference.

Each step submits one workload through the SDK exactly as ``mlkube preprocess|sweep|train|
serve`` would, waits for it, and prints what ran where. The commands are the scripts of
``examples/pipeline/`` run by this Python (the image is recorded, never pulled, on process
nodes); they find their volumes through ``MLKUBE_MOUNT_<VOLUME>``, so the dataset
``synthetic`` written by preprocessing is what the trials read and the model the final
training writes to ``models`` is what the inference service loads.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from mlkube.cli.demo.home import CHECKOUT
from mlkube.cli.demo.show import Ran, Where, results_table
from mlkube.platform.workloads.pod import dataset_volume_name

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.sdk import Client, Handle, TrialResult

__all__ = [
    "DATASET",
    "GRID",
    "IMAGE",
    "METRIC",
    "MODELS",
    "PIPELINE",
    "TEAM",
    "Best",
    "best_of",
    "final_training",
    "inference",
    "preprocess",
    "sweep",
]

PIPELINE: Final = CHECKOUT / "examples" / "pipeline"
TEAM: Final = "vision"
#: What a real cluster would pull; process nodes record it and run the command here.
IMAGE: Final = "python:3.11-slim"
DATASET: Final = "synthetic"
MODELS: Final = "models"
#: The sweep: 4 learning rates x 2 L2 penalties = 8 trials.
GRID: Final[dict[str, list[float]]] = {"lr": [0.03, 0.1, 0.3, 1.0], "l2": [0.0, 0.01]}
PARALLEL: Final = 2
EPOCHS: Final = "150"
METRIC: Final = "loss"
#: Where the process nodes' profile sends CPU training (examples/demo-platform.yaml).
CPU_PROFILE: Final = "cpu-training"
_TIMEOUT: Final = 120.0


def _script(name: str, *args: str) -> list[str]:
    return [sys.executable, str(PIPELINE / name), *args]


def _data_args(dataset: str, flag: str, volume_flag: str) -> list[str]:
    return [flag, f"/data/{dataset}", volume_flag, dataset_volume_name(dataset)]


def _wait(handle: Handle, console: Console, what: str, **kw: Any) -> float:
    start = time.monotonic()
    with console.status(f"waiting for {what}..."):
        handle.wait(timeout=_TIMEOUT, **kw)
    return time.monotonic() - start


def _ran(handle: Handle, kind: str, where: Where, outcome: str, seconds: float) -> Ran:
    pools, nodes = where.of_pods(handle.pods())
    return Ran(handle.name, handle.team or TEAM, kind, pools, nodes, outcome, seconds)


def _tail(console: Console, text: str, lines: int = 3) -> None:
    """The last lines of a log, quoted."""
    from rich.text import Text

    for line in text.strip().splitlines()[-lines:]:
        console.print(Text.assemble(("  │ ", "dim"), line))


def preprocess(client: Client, console: Console, where: Where) -> Ran:
    """A PreprocessingJob writes the synthetic dataset into the ReadWriteMany claim."""
    handle = client.preprocess(
        "prepare",
        image=IMAGE,
        command=_script("preprocess.py", *_data_args(DATASET, "--out", "--volume")),
        output=DATASET,
    )
    seconds = _wait(handle, console, "preprocessing")
    console.print(f"prepare: Complete in {seconds:.1f} s, {where.sentence(handle.pods())}")
    _tail(console, handle.logs(), 1)
    return _ran(handle, "preprocessing", where, "Complete", seconds)


@dataclass(frozen=True)
class Best:
    """The sweep's best trial."""

    index: int
    params: dict[str, Any]
    metrics: dict[str, float]


def sweep(client: Client, console: Console, where: Where) -> tuple[Ran, list[TrialResult]]:
    """A Sweep of 8 trials, 2 at a time, each training on the dataset and printing its
    metrics; ``results`` ranks them."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    handle = client.sweep(
        "sweep",
        image=IMAGE,
        command=_script(
            "train.py", *_data_args(DATASET, "--data", "--data-volume"), "--epochs", EPOCHS
        ),
        params=GRID,
        parallel=PARALLEL,
        metric=METRIC,
        datasets=[DATASET],
        profile=CPU_PROFILE,
    )
    total = len(GRID["lr"]) * len(GRID["l2"])
    console.print(f"sweep: {total} trials (lr x l2), {PARALLEL} at a time, ranked by {METRIC}")
    start = time.monotonic()
    columns = (
        TextColumn("  trials"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("trials", total=total, note="")

        def progress(status: Any) -> None:
            bar.update(task, completed=status.done, note=f"{status.active} running")

        handle.wait(timeout=_TIMEOUT, on_progress=progress)
    seconds = time.monotonic() - start
    results = handle.results(metric=METRIC).trials
    nodes = {str(p["metadata"]["name"]): str(p["spec"].get("nodeName")) for p in handle.pods()}
    console.print(f"sweep: Complete in {seconds:.1f} s, {where.sentence(handle.pods())}")
    console.print(results_table(results, METRIC, nodes, order=list(GRID)))
    return _ran(handle, "sweep", where, f"{total} trials", seconds), results


def best_of(results: list[TrialResult]) -> Best:
    """The first of the ranked results (``mlkube results`` ranks best first)."""
    top = results[0]
    return Best(top.index, dict(top.params), dict(top.metrics))


def final_training(client: Client, console: Console, where: Where, best: Best) -> Ran:
    """A TrainingJob with the best trial's parameters saves the model for serving."""
    flags = [f"--{name}={value}" for name, value in sorted(best.params.items())]
    handle = client.train(
        "train",
        image=IMAGE,
        command=_script(
            "train.py",
            *_data_args(DATASET, "--data", "--data-volume"),
            "--epochs",
            EPOCHS,
            *flags,
            *_data_args(MODELS, "--model-out", "--model-volume"),
        ),
        datasets=[DATASET, {"name": MODELS, "read_only": False}],
        profile=CPU_PROFILE,
    )
    seconds = _wait(handle, console, "the final training")
    console.print(f"train: Complete in {seconds:.1f} s with {' '.join(flags)},")
    console.print(f"  {where.sentence(handle.pods())}")
    _tail(console, handle.logs(), 2)
    return _ran(handle, "training", where, "Complete", seconds)


#: A request for the inference service (raw features, as a client would send them).
EXAMPLE: Final = {"features": [1.2, -0.4, 2.5, 0.3, -1.8, 0.9, 3.1, -0.6]}


def _predict(port: int) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/predict",
        data=json.dumps(EXAMPLE).encode(),
        headers={"Content-Type": "application/json"},
    )
    last: Exception | None = None
    for _ in range(20):
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                loaded: dict[str, Any] = json.loads(answer.read())
                return loaded
        except (urllib.error.URLError, OSError) as err:
            last = err
            time.sleep(0.25)
    raise RuntimeError(f"the inference service on port {port} did not answer: {last}")


def inference(
    client: Client, console: Console, where: Where, port: int
) -> tuple[Ran, dict[str, Any]]:
    """An InferenceService loads the model; once its readiness probe passes it answers a
    prediction over HTTP on this machine."""
    handle = client.serve(
        "predict",
        image=IMAGE,
        command=_script(
            "serve.py",
            *_data_args(MODELS, "--model", "--model-volume"),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ),
        port=port,
        datasets=[MODELS],
    )
    seconds = _wait(handle, console, "the inference service to be ready")
    console.print(
        f"predict: Ready in {seconds:.1f} s (readiness probe GET /healthz), "
        f"{where.sentence(handle.pods())}"
    )
    answer = _predict(port)
    console.print(f"POST http://127.0.0.1:{port}/predict {json.dumps(EXAMPLE)}")
    prediction = answer["predictions"][0]
    console.print(
        f"  -> class {prediction['class']} with probability {prediction['probability']:.3f}",
        highlight=False,
    )
    return _ran(handle, "inference", where, "answered", seconds), answer
