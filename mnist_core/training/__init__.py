"""The training engine: background jobs with live metrics, stop, and a cache of finished results.

A `TrainConfig` (model + hyperparameters + data slice + seed) has a stable key. `start_training(config)`
joins the job already waiting or training for that key, reuses its stored result, or puts a new job at the
end of one line, first come first served, for the one worker thread that trains jobs one after another
(`MAX_RUNNING` is 1: two TensorFlow trainings on a laptop only slow each other down). A job publishes
per-batch loss/accuracy and per-epoch test accuracy to any number of readers through immutable `Progress`
snapshots.

The line is bounded: at most `MAX_WAITING` trainings wait or train at once, and at most `MAX_PER_OWNER` of
them were asked by one owner (a browser session: the app names it, with `owner=` or `asked_by`; the CLI asks
as nobody in particular, None). The next ask is refused with a TrainingError in words until one ends. On a
public host (`host.public()`) one training's work is capped at about `PUBLIC_SECONDS` of this machine's time,
and only its owner may stop it. Finished results are pruned to a disk budget, oldest first.

The modules, each with one job: `progress` (what readers see), `run` (one training, start to finish), `job`
(one configuration's job), `line` (the line and its bounds), `results` (results on disk).
"""

from ..config import TrainConfig
from ..meta import EpochPoint
from .job import TrainingJob
from .line import (KEEP_FINISHED, MAX_PER_OWNER, MAX_RUNNING, MAX_WAITING, PUBLIC_SECONDS, active_jobs, asked_by,
                   find_job, forget_result, places, reset_registry, start_training, train_afresh)
from .progress import FINISHED, TARGET_ACCURACY, WARMUP_STEPS, BatchPoint, Progress, State
from .results import DISK_ENV, DISK_MB, LEFTOVER_SECONDS, PUBLIC_DISK_MB, disk_budget, prune_results, stored_result
from .run import detect_device, training_precision

__all__ = [
    "DISK_ENV", "DISK_MB", "FINISHED", "KEEP_FINISHED", "LEFTOVER_SECONDS", "MAX_PER_OWNER", "MAX_RUNNING",
    "MAX_WAITING", "PUBLIC_DISK_MB", "PUBLIC_SECONDS", "TARGET_ACCURACY", "WARMUP_STEPS", "BatchPoint",
    "EpochPoint", "Progress", "State", "TrainConfig", "TrainingJob", "active_jobs", "asked_by", "detect_device",
    "disk_budget", "find_job", "forget_result", "places", "prune_results", "reset_registry", "start_training",
    "stored_result", "train_afresh", "training_precision",
]
