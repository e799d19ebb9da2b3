"""The moment that matters on the Train page: the chart of how often it is right, beside what it has learned.

Drawn the same way live, in slow motion, in a replay and beside the results, so the chart keeps its place from
Start to the results; the points and pictures come from a running job or from the recording beside a model.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from mnist_core import snapshots, training
from mnist_core.store import StoredModel
from ui import charts, learning_view, presenter

FIRST_LAYER_WIDTH, FIRST_LAYER_WIDTH_PRESENTING = 260, 400  # pixels for the detectors' finds or the templates
HEADING = "**How often it is right**, pass by pass"


def story(config: training.TrainConfig, batches: Sequence[training.BatchPoint],
          epochs: Sequence[training.EpochPoint], learning: snapshots.Snapshot | None, heading: str = HEADING) -> None:
    """Accuracy growing on the left, the network's pictures and answers on the right."""
    chart_col, learn_col = st.columns([1.15, 1], gap="medium")
    with chart_col:
        st.markdown(heading, help=charts.ACCURACY_HELP)
        spec = charts.accuracy_spec(float(config.epochs), presenter.active())
        st.vega_lite_chart(charts.accuracy_frame(list(batches), list(epochs)), spec, width="stretch")
    with learn_col:
        if learning is None:
            st.caption("Getting ready: its pictures appear here as soon as it starts.")
            return
        first_layer, strip = learning_view.pictures(learning)
        st.markdown(learning_view.first_layer_caption(learning, config.model))
        # Narrower than the column, so the strip of test digits below stays in view at 1366x768.
        st.image(first_layer, width=FIRST_LAYER_WIDTH_PRESENTING if presenter.active() else FIRST_LAYER_WIDTH)
        # The strip's heading and picture in one element, from one snapshot: they change together.
        st.markdown(strip, unsafe_allow_html=True)


def points_upto(batches: Sequence[training.BatchPoint], epochs: Sequence[training.EpochPoint],
                shown: snapshots.Snapshot) -> tuple[list[training.BatchPoint], list[training.EpochPoint]]:
    """The chart's points up to the snapshot `shown`: a paced view's chart never runs ahead of its pictures."""
    reached = max([shown.epoch, *(point.epoch for point in batches if point.step <= shown.step)])
    return ([point for point in batches if point.step <= shown.step],
            [point for point in epochs if point.epoch <= reached + 1e-6])


def curve_points(recording: snapshots.Recording, upto: snapshots.Snapshot | None = None
                 ) -> tuple[list[training.BatchPoint], list[training.EpochPoint]]:
    """The chart's points from a recording, up to the snapshot `upto` (all of them without)."""
    batches = [training.BatchPoint(step=int(step), epoch=float(epoch), loss=float(loss), accuracy=float(accuracy))
               for step, epoch, loss, accuracy in recording.curve]
    epochs = [training.EpochPoint(epoch=float(epoch), test_accuracy=float(accuracy), elapsed=float(elapsed))
              for epoch, accuracy, elapsed in recording.tests]
    return (batches, epochs) if upto is None else points_upto(batches, epochs, upto)


@st.cache_resource(max_entries=16, show_spinner=False)
def _recording(path: str, sha256: str, batch_size: int | None, images: int) -> snapshots.Recording | None:
    return snapshots.load(path, sha256, batch_size=batch_size, images=images)


def recording_of(stored: StoredModel) -> snapshots.Recording | None:
    """The learning snapshots kept with `stored` (None for a model trained before they were kept); an older
    recording's line is redrawn as the last few hundred images' (its batch size from the model's settings)."""
    if not stored.meta.sha256:
        return None
    batch_size = stored.meta.config.get("batch_size")
    return _recording(str(stored.path), stored.meta.sha256, batch_size if isinstance(batch_size, int) else None,
                      stored.meta.images_trained)
