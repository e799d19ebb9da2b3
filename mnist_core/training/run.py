"""One training run, start to finish: data, device, the fit with its live reports, the test, the saved model.

It reports through a `Reporter` (a `TrainingJob`) and knows nothing of the line jobs wait in.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, replace
from functools import lru_cache
from typing import Protocol

import numpy as np

from .. import evaluation, fitting, snapshots, store
from ..config import TrainConfig
from ..data import load_mnist
from ..errors import MnistStudioError
from ..fitting import prepared_data  # uint8 data; looked up here at each run so that tests can replace it
from ..meta import EpochPoint, ModelMeta
from ..practice_window import PracticeWindow
from .progress import BatchPoint, Progress

log = logging.getLogger(__name__)

MAX_CHART_POINTS = 1000  # per-batch points kept for the live chart


class Reporter(Protocol):
    """What a run tells its job, and asks it: the job's side of the training loop."""

    config: TrainConfig

    @property
    def stop_requested(self) -> bool: ...
    def snapshot(self) -> Progress: ...
    def record_device(self, device: str) -> None: ...
    def record_batch(self, step: int, elapsed: float, point: BatchPoint | None) -> None: ...
    def record_epoch(self, point: EpochPoint) -> None: ...
    def show_learning(self, learning: snapshots.Snapshot) -> None: ...
    def record_training_time(self, seconds: float) -> None: ...


def train(job: Reporter) -> store.StoredModel:
    """Train `job.config` in the calling thread and save the model with its sidecar and learning snapshots."""
    config = job.config
    data = prepared_data(config.limit)  # uint8: floats are made a batch at a time (fitting.py)
    device = detect_device()
    job.record_device(device)
    # Weights and order seeded by config.seed alone; the process-wide generators are never touched.
    plan = fitting.plan(config, data, device, dtype=training_precision(device))
    model, per_epoch, x_train = plan.model, plan.per_epoch, plan.x_train
    # The untrained network's snapshot (and the tracing of the snapshots' forward pass) come before the clock.
    recorder = snapshots.Recorder(config.total_steps, per_epoch)
    job.show_learning(recorder.start(model))
    started = time.perf_counter()
    # The test set is checked after every epoch but the last (by the publisher, and never after a stop),
    # whose check is the final evaluation below: training time then counts training only, as the
    # published recipes' times do.
    plan.fit(callbacks=[_publisher(job, started, per_epoch, recorder, plan.test)])
    train_seconds = time.perf_counter() - started
    # A Stop that came during the last batch changed nothing: the run is complete and filed as finished.
    stopped = job.stop_requested and job.snapshot().step < config.total_steps
    job.show_learning(recorder.finish(model, job.snapshot().step, train_seconds))
    # For the mlp, fit() has swapped in the moving-average weights by now: we evaluate those.
    # The held-out training images fit the confidence temperature; the test set is only measured.
    calibrated = evaluation.calibrate(model)
    test_accuracy = calibrated["calibration"]["test"]["accuracy"]
    # A stopped run's test point sits where it stopped (e.g. at 0.33 of an epoch).
    epochs_done = config.epochs if not stopped else round(job.snapshot().step / per_epoch, 2)
    job.record_epoch(EpochPoint(epoch=epochs_done, test_accuracy=test_accuracy, elapsed=round(train_seconds, 3)))
    snapshot = job.snapshot()
    meta = replace(
        ModelMeta.from_dict(calibrated),  # the temperature and its calibration record
        model=config.model, config=asdict(config), key=config.key, test_accuracy=test_accuracy,
        train_seconds=round(train_seconds, 3), device=device, stopped=stopped, steps=snapshot.step,
        epochs=snapshot.epochs, images_per_second=round(snapshot.step * config.batch_size / train_seconds, 1),
        seconds_to_99=snapshot.seconds_to_target, data_source=load_mnist().source, params=model.count_params(),
        precision=model.dtype_policy.name, train_images=len(x_train), epochs_done=epochs_done)
    stored = store.save_model(model, config.model_path(stopped=stopped), meta)
    recording = recorder.recording(
        config.epochs, curve=[(p.step, p.epoch, p.loss, p.accuracy) for p in snapshot.batches],
        tests=[(p.epoch, p.test_accuracy, p.elapsed) for p in snapshot.epochs])
    try:
        snapshots.save(stored.path, recording, stored.meta.sha256)
    except MnistStudioError as exc:  # the model is saved and sound; only its replay is missing
        log.warning("The learning snapshots of %s were not kept: %s", stored.path.name, exc)
    job.record_training_time(train_seconds)
    return stored


def _publisher(job: Reporter, started: float, per_epoch: int, recorder: snapshots.Recorder,
               test: tuple[np.ndarray, np.ndarray]):
    """A Keras callback that turns fit()'s progress into snapshots, tests between epochs and honours stop()."""
    import keras

    every = max(1, job.config.total_steps // MAX_CHART_POINTS)
    window = PracticeWindow()  # the chart's line: the last few hundred images, across passes
    batch_size, images = job.config.batch_size, job.config.num_images

    class Publisher(keras.callbacks.Callback):
        epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            step = self.epoch * per_epoch + batch + 1
            window.add_pass_average(min((batch + 1) * batch_size, images), float(logs["accuracy"]),
                                   float(logs["loss"]))
            point = None
            if step % every == 0 or batch + 1 == per_epoch:
                point = BatchPoint(step=step, epoch=round(step / per_epoch, 4), loss=window.loss,
                                   accuracy=window.accuracy)
            elapsed = time.perf_counter() - started
            job.record_batch(step, elapsed, point)
            learned = recorder.at_step(self.model, step, elapsed)
            if learned is not None:
                job.show_learning(learned)
            if job.stop_requested:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            # Keras' own validation would run even after a stop mid-epoch (and be drawn at the epoch's end).
            if epoch + 1 < job.config.epochs and not job.stop_requested:
                tested = self.model.evaluate(*test, verbose=0, return_dict=True)  # batched by fitting.test_batches
                job.record_epoch(EpochPoint(epoch=epoch + 1, test_accuracy=float(tested["accuracy"]),
                                            elapsed=round(time.perf_counter() - started, 3)))

    return Publisher()


def training_precision(device: str) -> str:
    """Mixed float16 on a GPU, float32 on a CPU.

    bfloat16 gave the final `fast` preset no gain even on a CPU with native support (AVX512_BF16), and it is
    far slower on the many laptops and cloud CPUs without it (docs/benchmarks.md), so CPUs keep float32.
    """
    return "mixed_float16" if device == "GPU" else "float32"


@lru_cache(maxsize=1)
def detect_device() -> str:
    """"GPU" when TensorFlow sees one, else "CPU"."""
    import tensorflow as tf

    return "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
