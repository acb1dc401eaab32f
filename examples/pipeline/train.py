"""Train: logistic regression by gradient descent on the preprocessed dataset, in numpy.

Hyperparameters (``lr``, ``l2``, ``epochs``) come from the sweep's params file (the JSON
object at ``$MLKUBE_PARAMS_FILE`` or ``--params``, in the volume ``params`` the sweep
mounts), and flags override them. It prints its
progress, then the metrics line of the metrics protocol (``mlkube-metric: {...}``): the
validation log-loss ``loss``, ``accuracy`` and the final ``train_loss``. With
``--results`` (default ``$MLKUBE_RESULTS_DIR``) it writes ``trial-<index>.json`` there
(index ``$MLKUBE_TRIAL_INDEX``, else ``$JOB_COMPLETION_INDEX``); with ``--model-out`` it
saves the model as ``model.json`` for serving.

    python train.py --data /data/demo --data-volume demo [--lr 0.3 --l2 0.01 --epochs 150]
                    [--model-out /models --model-volume models]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
from common import mounted, print_metrics

DEFAULTS: dict[str, float] = {"lr": 0.1, "l2": 0.0, "epochs": 150}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return out


def log_loss(w: np.ndarray, b: float, x: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(_sigmoid(x @ w + b), 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def fit(
    x: np.ndarray, y: np.ndarray, *, lr: float, l2: float, epochs: int, report: int = 0
) -> tuple[np.ndarray, float]:
    """Full-batch gradient descent on the L2-regularised log-loss."""
    w, b = np.zeros(x.shape[1]), 0.0
    for epoch in range(1, epochs + 1):
        error = _sigmoid(x @ w + b) - y
        w -= lr * (x.T @ error / len(y) + l2 * w)
        b -= lr * float(error.mean())
        if report and (epoch % report == 0 or epoch == epochs):
            print(f"epoch {epoch}/{epochs} train_loss {log_loss(w, b, x, y):.4f}", flush=True)
    return w, b


def _params(args: argparse.Namespace) -> dict[str, float]:
    params = dict(DEFAULTS)
    source = args.params or os.environ.get("MLKUBE_PARAMS_FILE")
    if source:
        # The sweep's file is in its params volume (a ConfigMap): find that volume here.
        path = mounted(Path(source).parent, args.params_volume) / Path(source).name
        loaded: dict[str, Any] = json.loads(path.read_text())
        unknown = sorted(set(loaded) - set(DEFAULTS))
        if unknown:
            raise SystemExit(f"{source}: unknown parameter(s) {unknown}; known: {sorted(DEFAULTS)}")
        params.update({k: float(v) for k, v in loaded.items()})
    for name in DEFAULTS:
        if getattr(args, name) is not None:
            params[name] = float(getattr(args, name))
    if params["lr"] <= 0 or params["l2"] < 0 or params["epochs"] < 1:
        raise SystemExit(f"need lr > 0, l2 >= 0 and epochs >= 1, got {params}")
    return params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="the dataset volume's mountPath")
    parser.add_argument("--data-volume", default=None, help="the dataset volume's name")
    parser.add_argument("--params", default=None, help="a JSON object of hyperparameters")
    parser.add_argument("--params-volume", default="params", help="the params volume's name")
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--l2", type=float, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--results", default=os.environ.get("MLKUBE_RESULTS_DIR"))
    parser.add_argument("--results-volume", default="results")
    parser.add_argument("--model-out", default=None, help="where to save model.json")
    parser.add_argument("--model-volume", default=None)
    args = parser.parse_args(argv)
    params = _params(args)

    data = mounted(args.data, args.data_volume)
    meta = json.loads((data / "meta.json").read_text())
    x, y = np.load(data / "train_x.npy"), np.load(data / "train_y.npy")
    vx, vy = np.load(data / "val_x.npy"), np.load(data / "val_y.npy")
    epochs = int(params["epochs"])
    print(f"training on {len(y)} rows with {json.dumps(params, sort_keys=True)}", flush=True)
    w, b = fit(x, y, lr=params["lr"], l2=params["l2"], epochs=epochs, report=max(1, epochs // 3))

    loss = log_loss(w, b, vx, vy)
    metrics = {
        "loss": round(loss, 6) if math.isfinite(loss) else 1e9,
        "accuracy": round(float(np.mean((_sigmoid(vx @ w + b) > 0.5) == vy)), 6),
        "train_loss": round(log_loss(w, b, x, y), 6),
    }
    print_metrics(**metrics)

    if args.results:
        index = os.environ.get("MLKUBE_TRIAL_INDEX") or os.environ.get("JOB_COMPLETION_INDEX", "0")
        results = mounted(args.results, args.results_volume)
        results.mkdir(parents=True, exist_ok=True)
        record = {"index": int(index), "params": params, "metrics": metrics}
        (results / f"trial-{index}.json").write_text(json.dumps(record, sort_keys=True))
    if args.model_out:
        out = mounted(args.model_out, args.model_volume)
        out.mkdir(parents=True, exist_ok=True)
        model = {
            "weights": w.tolist(),
            "bias": b,
            "mean": meta["mean"],
            "scale": meta["scale"],
            "params": params,
            "metrics": metrics,
        }
        (out / "model.json").write_text(json.dumps(model, indent=2))
        print(f"saved the model to {out / 'model.json'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
