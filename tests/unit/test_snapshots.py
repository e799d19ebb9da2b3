"""Learning snapshots: the strip, the schedule, the pictures of each kind of network, and the file beside a model."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_core import snapshots
from mnist_core.practice_window import WINDOW_IMAGES, PracticeWindow
from mnist_core.models import ZOO, BuildOptions

OPTIONS = BuildOptions(learning_rate=0.1, steps_per_epoch=10, total_steps=10, jit_compile=False)


def build(name: str):
    return ZOO[name].build(OPTIONS)


def test_the_strip_holds_two_test_digits_of_each_class_in_order():
    images, labels = snapshots.strip()
    assert images.shape == (snapshots.STRIP_SIZE, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == list(range(10)) * 2
    assert len(set(snapshots.strip_indices().tolist())) == snapshots.STRIP_SIZE


@pytest.mark.parametrize("total", [1, 7, 469, 20_400])
def test_steps_start_at_zero_end_at_the_last_and_crowd_the_beginning(total):
    steps = snapshots.snapshot_steps(total)
    assert steps[0] == 0 and steps[-1] == total
    assert np.all(np.diff(steps) > 0)
    assert len(steps) <= snapshots.MAX_SNAPSHOTS
    if total > 100:  # the first tenth of the run gets more snapshots than an even spacing would give it
        assert (steps <= total / 10).sum() > len(steps) / 10 + 3


def test_softmax_pictures_are_its_ten_digit_templates():
    model = build("softmax")
    model.get_layer("logits").kernel.assign(np.arange(784 * 10, dtype=np.float32).reshape(784, 10))
    kind, drawn = snapshots.pictures(model)
    assert kind == "templates" and drawn.shape == (10, 28, 28)
    # Template 3 is the weight every pixel gives the digit 3's score, laid out as the image.
    assert drawn[3, 0, 1] == 1 * 10 + 3


def test_mlp_templates_combine_both_weight_layers():
    model = build("mlp")
    kind, drawn = snapshots.pictures(model)
    hidden = np.asarray(model.get_layer("hidden").kernel)
    logits = np.asarray(model.get_layer("logits").kernel)
    assert kind == "templates" and drawn.shape == (10, 28, 28)
    np.testing.assert_allclose(drawn.reshape(10, 784), (hidden @ logits).T, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name, side", [("fast", 5), ("deepnn", 5), ("keras_cnn", 3), ("best", 3)])
def test_conv_pictures_are_the_first_layers_filters(name, side):
    kind, drawn = snapshots.pictures(build(name))
    assert kind == "filters" and drawn.shape == (32, side, side)


def test_recorder_takes_the_scheduled_steps_and_the_final_state():
    model = build("softmax")
    recorder = snapshots.Recorder(total_steps=50, steps_per_epoch=25)
    first = recorder.start(model)
    assert first.step == 0 and first.kind == "templates"
    assert np.all(first.predictions == 0), "a zero-initialised softmax answers 0 for everything"
    taken = [step for step in range(1, 51) if recorder.at_step(model, step, elapsed=step * 0.1)]
    assert taken == [int(step) for step in snapshots.snapshot_steps(50) if step > 0]
    last = recorder.finish(model, 50, elapsed=5.0)
    assert last.epoch == 2.0
    assert [s.step for s in recorder.snapshots].count(50) == 1, "the final state replaces the scheduled one"


def recording_of(model, stopped_at: int | None = None) -> snapshots.Recording:
    recorder = snapshots.Recorder(total_steps=20, steps_per_epoch=10)
    recorder.start(model)
    for step in range(1, (stopped_at or 20) + 1):
        recorder.at_step(model, step, elapsed=step / 10)
    recorder.finish(model, stopped_at or 20, elapsed=(stopped_at or 20) / 10)
    curve = np.array([[step, step / 10, 1 / step, 0.5] for step in range(1, 21)])
    return recorder.recording(epochs=2, curve=curve, tests=np.array([[1.0, 0.9, 1.5]]))


def test_a_recording_survives_the_round_trip_beside_its_model(tmp_path):
    model_path = tmp_path / "fast-abc.keras"
    recording = recording_of(build("fast"), stopped_at=7)
    written = snapshots.save(model_path, recording, model_sha256="f00d")
    assert written == tmp_path / "fast-abc.snapshots.npz"
    loaded = snapshots.load(model_path, "f00d")
    assert loaded is not None and loaded.kind == "filters" and loaded.epochs == 2
    assert [s.step for s in loaded.snapshots] == [s.step for s in recording.snapshots]
    assert loaded.snapshots[-1].step == 7 and loaded.snapshots[-1].epoch == 0.7
    np.testing.assert_allclose(loaded.snapshots[-1].pictures, recording.snapshots[-1].pictures, atol=1e-3, rtol=1e-2)
    assert np.array_equal(loaded.snapshots[3].predictions, recording.snapshots[3].predictions)
    assert loaded.curve.shape == (20, 4) and loaded.tests.tolist() == [[1.0, pytest.approx(0.9), 1.5]]


def test_a_recording_of_another_file_or_a_damaged_one_is_not_used(tmp_path):
    model_path = tmp_path / "softmax-abc.keras"
    assert snapshots.load(model_path, "f00d") is None, "nothing recorded"
    snapshots.save(model_path, recording_of(build("softmax")), model_sha256="f00d")
    assert snapshots.load(model_path, "beef") is None, "the model file was replaced since"
    snapshots.path_for(model_path).write_bytes(b"not a zip")
    assert snapshots.load(model_path, "f00d") is None


def test_a_replay_gives_each_snapshot_the_same_share_of_time():
    recording = recording_of(build("softmax"))
    count = len(recording.snapshots)
    assert snapshots.at_fraction(recording, 0.0) == 0
    assert snapshots.at_fraction(recording, 0.5) == count // 2
    assert snapshots.at_fraction(recording, 1.0) == count - 1


def taken_at(steps) -> list[snapshots.Snapshot]:
    """Snapshots at `steps`, as a job takes them (pictures and answers do not matter for the pacing)."""
    return [snapshots.Snapshot(step=int(step), epoch=0.0, elapsed=0.0, kind="templates",
                               pictures=np.zeros((10, 28, 28), np.float32),
                               predictions=np.zeros(snapshots.STRIP_SIZE, np.int64)) for step in steps]


@pytest.mark.parametrize("total", [10, 469, 20_400])
def test_slow_motion_gives_each_planned_snapshot_the_same_share_of_time(total):
    planned = snapshots.snapshot_steps(total)
    share = 15.0 / len(planned)
    assert snapshots.paced_step(total, 0.0, 15.0) == 0
    for index, step in enumerate(planned):
        assert snapshots.paced_step(total, (index + 0.5) * share, 15.0) == step
    assert snapshots.paced_step(total, 15.0 - share / 2, 15.0) == total, "the last one before the time is up"
    assert snapshots.paced_step(total, 60.0, 15.0) == total


def test_slow_motion_never_shows_more_than_the_real_training_has_learned():
    total = 469
    planned = snapshots.snapshot_steps(total)
    done_so_far = taken_at(planned[:5])  # the real run is at its fifth snapshot
    # Early on, the paced step is behind the real run: it is shown, one planned snapshot after another.
    assert snapshots.paced(done_so_far, total, 0.0, 15.0).step == 0
    assert snapshots.paced(done_so_far, total, 1.5 * 15.0 / len(planned), 15.0).step == planned[1]
    # Later, the real run is behind: its newest snapshot is shown, however late it is.
    assert snapshots.paced(done_so_far, total, 10.0, 15.0).step == planned[4]
    # A stopped run's last snapshot lies between two planned ones: it comes once the pace passes its step.
    stopped = taken_at([*planned[:8], planned[8] - 1])
    assert snapshots.paced(stopped, total, 14.0, 15.0).step == planned[8] - 1
    with pytest.raises(ValueError):
        snapshots.paced([], total, 1.0, 15.0)


def test_a_live_view_and_the_recording_show_the_same_snapshot_at_the_same_moment():
    """Slow motion goes on from the running job's snapshots to the finished run's recording without a jump."""
    total = 469
    planned = snapshots.snapshot_steps(total)
    live, recorded = taken_at(planned[:12]), taken_at(planned)
    for seconds in np.linspace(0, 12 * 15.0 / len(planned) - 0.01, 30):
        assert snapshots.paced(live, total, seconds, 15.0).step == snapshots.paced(recorded, total, seconds, 15.0).step


def test_the_examples_shown_before_a_run_are_the_first_training_digits():
    images, labels = snapshots.examples()
    assert images.shape == (snapshots.EXAMPLES, 28, 28) and images.dtype == np.uint8
    assert labels.tolist()[:5] == [5, 0, 4, 1, 9], "MNIST's first training digits"


# Through the training engine: what a job records, keeps and says when stopped.

def test_a_training_job_keeps_its_snapshots_beside_the_model_and_they_show_learning(monkeypatch):
    from mnist_core import training

    monkeypatch.setattr(training.line, "_registry", training.line._Registry())
    config = training.TrainConfig.for_model("softmax", epochs=1, limit=2000, seed=21)
    job = training.start_training(config)
    seen = set()
    while not job.snapshot().finished:
        learning = job.wait(timeout=0.02).learning
        if learning is not None:
            seen.add(learning.step)
    progress = job.snapshot()
    assert progress.state == "done", progress.error
    assert progress.learning is not None and progress.learning.step == config.total_steps
    steps = [snapshot.step for snapshot in progress.learned]
    assert steps == sorted(set(steps)) and steps[0] == 0, "every snapshot taken, once per step, in order"
    assert len(seen) >= 2, "readers see the snapshots change while it trains"
    recording = snapshots.load(progress.result.path, progress.result.meta.sha256)
    assert recording is not None and recording.kind == "templates"
    assert recording.snapshots[0].step == 0 and recording.snapshots[-1].step == config.total_steps
    _, labels = snapshots.strip()
    first, last = recording.snapshots[0].correct(labels), recording.snapshots[-1].correct(labels)
    assert first <= 2 and last >= 14, f"the strip should turn from wrong to right ({first} -> {last} of 20)"
    assert len(recording.curve) >= 10 and recording.tests[-1][0] == 1.0


def test_a_stopped_job_has_its_test_point_where_it_stopped_and_shows_stopping_at_once(monkeypatch):
    from mnist_core import training

    monkeypatch.setattr(training.line, "_registry", training.line._Registry())
    config = training.TrainConfig.for_model("softmax", epochs=3, limit=5000, seed=22)
    job = training.start_training(config)
    while job.snapshot().step < 20 and not job.snapshot().finished:
        job.wait(timeout=0.01)
    job.stop()
    assert job.snapshot().stopping or job.snapshot().finished, "readers see the stop at once"
    progress = job.wait(timeout=120)
    assert progress.state == "stopped"
    stopped_at = progress.step / (config.total_steps / config.epochs)
    assert stopped_at < 3
    assert [point.epoch for point in progress.epochs][-1] == pytest.approx(stopped_at, abs=0.01)
    assert all(point.epoch <= stopped_at + 0.01 for point in progress.epochs), "no test point after the stop"
    assert progress.result.meta.epochs_done == pytest.approx(stopped_at, abs=0.01)
    recording = snapshots.load(progress.result.path, progress.result.meta.sha256)
    assert recording.snapshots[-1].step == progress.step


def test_no_time_estimate_until_the_pace_is_measured():
    from mnist_core.training import WARMUP_STEPS, Progress, TrainConfig

    config = TrainConfig.for_model("softmax", epochs=1, limit=2000)
    start = Progress(config=config, state="running", step=2, total_steps=20, elapsed=5.0)
    assert start.eta_seconds is None, "the first steps include building the model: no pace yet"
    warm = Progress(config=config, state="running", step=WARMUP_STEPS + 2, total_steps=20, elapsed=5.5,
                    pace_from=(WARMUP_STEPS, 5.0))
    assert warm.eta_seconds is None, "two steps after warm-up are too few to go by"
    paced = Progress(config=config, state="running", step=WARMUP_STEPS + 10, total_steps=20, elapsed=7.0,
                     pace_from=(WARMUP_STEPS, 5.0))
    assert paced.eta_seconds == pytest.approx(0.2 * (20 - WARMUP_STEPS - 10))


# The live chart's line: the practice window, not Keras' average since the pass began.

BATCH, PER_PASS, PASSES = 50, 40, 3  # 2,000 images a pass


def right_per_batch() -> list[int]:
    """A network that learns during the first 10 batches, then reads 48 of every 50 right (96%) ever after."""
    climbing = [5 + 4 * k for k in range(10)]  # 5, 9, ..., 41 of 50
    return (climbing + [48] * (PER_PASS - 10)) + [48] * PER_PASS * (PASSES - 1)


def loss_per_batch() -> list[float]:
    return [2.3 - 0.2 * k for k in range(10)] + [0.125] * (PER_PASS * PASSES - 10)


def keras_logs():
    """What Keras hands a callback after each batch: float32 averages since the current pass began."""
    right, loss = right_per_batch(), loss_per_batch()
    for step in range(PER_PASS * PASSES):
        if step % PER_PASS == 0:
            total_right, total_loss, count = np.float32(0), np.float32(0), np.float32(0)
        total_right += np.float32(right[step])
        total_loss += np.float32(loss[step] * BATCH)
        count += np.float32(BATCH)
        yield step // PER_PASS, step % PER_PASS, {"accuracy": float(total_right / count),
                                                  "loss": float(total_loss / count)}


def test_the_practice_window_is_exact_over_its_last_images_across_passes():
    window = PracticeWindow(size=120)  # two and a bit batches: the oldest one counts in part
    seen_right = []
    for (_, batch, logs), r in zip(keras_logs(), right_per_batch()):
        window.add_pass_average((batch + 1) * BATCH, logs["accuracy"], logs["loss"])
        seen_right.append(r)
        images = min(120, BATCH * len(seen_right))
        # As if each batch's right answers were spread evenly over its images.
        per_image = np.repeat(np.array(seen_right) / BATCH, BATCH)[-images:]
        assert window.accuracy == pytest.approx(per_image.mean(), abs=1e-9)
    assert window.loss == pytest.approx(0.125, abs=1e-6)


def test_the_recorded_curve_has_no_jump_at_a_pass_boundary():
    """A network as good after a pass as before it: the line stays flat there. Keras' own averages restart at
    each pass and jumped from 83% to 96% at 1.0 passes; the engine must not draw that."""
    from mnist_core import training

    config = training.TrainConfig.for_model("softmax", epochs=PASSES, batch_size=BATCH, limit=BATCH * PER_PASS)
    job = training.TrainingJob(config)

    class NoSnapshots:
        def at_step(self, model, step, elapsed):
            return None

    publisher = training.run._publisher(job, 0.0, PER_PASS, NoSnapshots(), test=())
    for epoch, batch, logs in keras_logs():
        if batch == 0:
            publisher.on_epoch_begin(epoch)
        publisher.on_train_batch_end(batch, logs)
    points = job.snapshot().batches
    assert [p.step for p in points] == list(range(1, PER_PASS * PASSES + 1))
    accuracy = {p.step: p.accuracy for p in points}
    loss = {p.step: p.loss for p in points}
    for boundary in (PER_PASS, 2 * PER_PASS):
        assert accuracy[boundary] == pytest.approx(0.96) and accuracy[boundary + 1] == pytest.approx(0.96)
        assert loss[boundary] == pytest.approx(0.125) and loss[boundary + 1] == pytest.approx(0.125)
    assert accuracy[1] == pytest.approx(5 / 50), "the first point: the only batch seen so far"
    steps = np.diff([p.accuracy for p in points])
    assert np.all(steps >= -1e-9), "a network that only improves draws a line that never drops"


def test_an_old_recording_replays_with_the_window_curve_or_as_it_was(tmp_path):
    """Format-1 files kept Keras' averages since each pass began: with the run's batch size they replay as the
    window's line (no jump at a pass); without it, as they were, rather than not at all."""
    model_path = tmp_path / "softmax-old.keras"
    recorder = snapshots.Recorder(total_steps=PER_PASS * PASSES, steps_per_epoch=PER_PASS)
    recorder.start(build("softmax"))
    # Kept every second step and at each pass's last, as the engine did.
    old_curve = np.array([[(epoch * PER_PASS + batch + 1), (epoch * PER_PASS + batch + 1) / PER_PASS,
                           logs["loss"], logs["accuracy"]]
                          for epoch, batch, logs in keras_logs() if batch % 2 == 1 or batch + 1 == PER_PASS])
    snapshots.save(model_path, recorder.recording(epochs=PASSES, curve=old_curve), model_sha256="f00d")
    path = snapshots.path_for(model_path)
    with np.load(path) as data:
        old = {key: data[key] for key in data.files if key != "window"}
    old["format"] = np.array(1)
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **old)

    as_it_was = snapshots.load(model_path, "f00d")
    assert as_it_was is not None and as_it_was.window == 0
    np.testing.assert_allclose(as_it_was.curve, old_curve, rtol=1e-6)

    replayed = snapshots.load(model_path, "f00d", batch_size=BATCH, images=BATCH * PER_PASS)
    assert replayed is not None and replayed.window == WINDOW_IMAGES
    accuracy = dict(zip(replayed.curve[:, 0].astype(int), replayed.curve[:, 3]))
    assert accuracy[PER_PASS] == pytest.approx(0.96, abs=1e-6)
    assert accuracy[PER_PASS + 2] == pytest.approx(0.96, abs=1e-6), "no jump after the first pass"
    assert old_curve[old_curve[:, 0] == PER_PASS][0, 3] < 0.9, "the old curve did jump there"


def test_a_new_recording_says_its_window():
    recording = recording_of(build("softmax"))
    assert recording.window == WINDOW_IMAGES
