"""Preprocess: write a synthetic binary classification dataset into the output volume.

The data are drawn from a fixed seed, so every run writes the same files: two Gaussian
classes in ``--features`` dimensions with a linear boundary and label noise, split into
train and validation sets, standardised with the training set's mean and scale (kept in
``meta.json`` so serving standardises a request the same way).

    python preprocess.py --out /data/demo --volume demo [--rows 4000 --features 8 --seed 7]
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
from common import mounted


def make_dataset(rows: int, features: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (0/1) and the true weights of the boundary."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=features)
    x = rng.normal(size=(rows, features)) * rng.uniform(0.5, 3.0, size=features)
    logits = x @ weights + 0.5
    y = (logits + rng.normal(scale=1.0, size=rows) > 0).astype(np.int64)
    return x, y, weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the output volume's mountPath")
    parser.add_argument("--volume", default=None, help="the output volume's name")
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--validation", type=float, default=0.25, help="share held out")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.rows < 8 or args.features < 1 or not 0 < args.validation < 1:
        parser.error("--rows must be >= 8, --features >= 1 and 0 < --validation < 1")

    out = mounted(args.out, args.volume)
    out.mkdir(parents=True, exist_ok=True)
    x, y, _ = make_dataset(args.rows, args.features, args.seed)
    split = int(args.rows * (1 - args.validation))
    mean, scale = x[:split].mean(axis=0), x[:split].std(axis=0)
    scale[scale == 0] = 1.0
    x = (x - mean) / scale
    np.save(out / "train_x.npy", x[:split])
    np.save(out / "train_y.npy", y[:split])
    np.save(out / "val_x.npy", x[split:])
    np.save(out / "val_y.npy", y[split:])
    meta = {
        "rows": args.rows,
        "features": args.features,
        "train": split,
        "validation": args.rows - split,
        "seed": args.seed,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "positive_share": float(y.mean()),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2))
    print(
        f"wrote {split} training and {args.rows - split} validation rows "
        f"with {args.features} features to {out}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
