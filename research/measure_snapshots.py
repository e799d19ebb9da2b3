"""What the learning snapshots cost a training run: the time spent taking them, measured inside the run.

Usage: PYTHONPATH=. python research/measure_snapshots.py MODEL LIMIT   (one epoch on LIMIT images)
Prints one JSON line. Step 0 (and the tracing of the forward pass) is taken before the training clock starts,
so it is reported apart. The live chart's practice window (fed after every batch) is timed too.
"""
import json, sys, time
from mnist_core import snapshots, training
from mnist_core.practice_window import PracticeWindow
from mnist_core.training import TrainConfig
spent = []  # (step, seconds) of every snapshot: the untrained one (start) first, then those taken while training
original_start, original_at_step = snapshots.Recorder.start, snapshots.Recorder.at_step
def timed_start(self, model):
    t = time.perf_counter(); out = original_start(self, model); spent.append((0, time.perf_counter() - t)); return out
def timed_at_step(self, model, step, elapsed):
    t = time.perf_counter(); out = original_at_step(self, model, step, elapsed)
    if out is not None: spent.append((step, time.perf_counter() - t))
    return out
snapshots.Recorder.start, snapshots.Recorder.at_step = timed_start, timed_at_step
window_spent = []  # the live chart's practice window, fed after every batch
original_add = PracticeWindow.add_pass_average
def timed_add(self, *args):
    t = time.perf_counter(); original_add(self, *args); window_spent.append(time.perf_counter() - t)
PracticeWindow.add_pass_average = timed_add
model, limit = sys.argv[1], int(sys.argv[2])
p = training.start_training(TrainConfig.for_model(model, epochs=1, limit=limit, seed=int(time.time()) % 1000)).wait(900)
during = sum(s for step, s in spent[1:])  # step 0 is taken before the clock starts
print(json.dumps({"model": model, "limit": limit, "train_seconds": p.result.meta.train_seconds, "snapshots": len(spent),
                  "snapshot_seconds_during_training": round(during, 3), "first_with_trace_s": round(spent[0][1], 3),
                  "share_pct": round(during / p.result.meta.train_seconds * 100, 2),
                  "window_batches": len(window_spent), "window_seconds": round(sum(window_spent), 4),
                  "window_share_pct": round(sum(window_spent) / p.result.meta.train_seconds * 100, 3)}))
