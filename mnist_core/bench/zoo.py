"""Each tutorial model trained as published: reproduced vs. reported accuracy."""

from __future__ import annotations

from typing import Any

from ..models import get_spec
from ..training import TrainConfig, start_training
from .inputs import Say

TUTORIALS = ("softmax", "mlp", "deepnn", "keras_cnn")


def zoo(names: list[str], limit: int | None, say: Say) -> list[dict[str, Any]]:
    """Each tutorial as published: reproduced vs. reported accuracy (cached results are reused)."""
    rows = []
    for name in names:
        spec = get_spec(name)
        say(f"Training {name} as published ({spec.published_recipe}) ...")
        progress = start_training(TrainConfig.for_model(name, limit=limit)).wait()
        if progress.state != "done":
            raise RuntimeError(progress.error or f"training {name} ended {progress.state}")
        meta = progress.result.meta
        rows.append({"model": name, "reported_accuracy": spec.reported_accuracy,
                     "test_accuracy": meta.test_accuracy, "train_seconds": meta.train_seconds,
                     "recipe": spec.published_recipe, "cached": progress.cached})
        say(f"  {name}: {meta.test_accuracy:.2%} (published {spec.reported_accuracy:.1%}) "
            f"in {meta.train_seconds:.0f} s{' (cached)' if progress.cached else ''}")
    return rows
