"""What the learning snapshots cost a training run: the time spent taking them, measured inside the run.

Usage: PYTHONPATH=. python scripts/measure_snapshots.py MODEL LIMIT   (one epoch on LIMIT images)
Prints one JSON line. Step 0 (and the tracing of the forward pass) is taken before the training clock starts,
so it is reported apart.
"""
import json, sys, time
from mnist_core import snapshots, training
from mnist_core.training import TrainConfig
spent = []
original = snapshots.Recorder._take
def timed(self, model, step, elapsed):
    t = time.perf_counter(); out = original(self, model, step, elapsed); spent.append((step, time.perf_counter() - t)); return out
snapshots.Recorder._take = timed
model, limit = sys.argv[1], int(sys.argv[2])
p = training.start_training(TrainConfig.for_model(model, epochs=1, limit=limit, seed=int(time.time()) % 1000)).wait(900)
during = sum(s for step, s in spent[1:])  # step 0 is taken before the clock starts
print(json.dumps({"model": model, "limit": limit, "train_seconds": p.result.meta.train_seconds, "snapshots": len(spent),
                  "snapshot_seconds_during_training": round(during, 3), "first_with_trace_s": round(spent[0][1], 3),
                  "share_pct": round(during / p.result.meta.train_seconds * 100, 2)}))
