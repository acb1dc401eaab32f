"""Workloads for the specifications, built the way the command line builds them."""

from __future__ import annotations

from typing import Any

from mlkube.platform.workloads import Workload, build

IMAGE = "pytorch/pytorch:2.4.0"


def training(name: str = "resnet", **fields: Any) -> Workload:
    """``mlkube train NAME --team vision --image ... -- python train.py`` plus ``fields``."""
    return build(
        "TrainingJob",
        name,
        **{"team": "vision", "image": IMAGE, "command": ["python", "train.py"], **fields},
    )


def sweep(name: str = "lr-sweep", **fields: Any) -> Workload:
    defaults = {"params": {"lr": [0.1, 0.01], "l2": [0, 1]}, "metric": "loss"}
    return build(
        "Sweep",
        name,
        **{
            "team": "vision",
            "image": IMAGE,
            "command": ["python", "trial.py"],
            **defaults,
            **fields,
        },
    )


def preprocessing(name: str = "featurize", **fields: Any) -> Workload:
    defaults = {"output": "features", "resources": {"cpu": "4", "memory": "16Gi"}}
    return build(
        "PreprocessingJob",
        name,
        **{
            "team": "vision",
            "image": "python:3.11",
            "command": ["python", "prep.py"],
            **defaults,
            **fields,
        },
    )


def inference(name: str = "resnet-api", **fields: Any) -> Workload:
    return build("InferenceService", name, **{"team": "vision", "image": "acme/serve:1", **fields})
