"""How each model reads it: one drawing, every network available offline, side by side.

The classic tutorials' most instructive comparison: a template matcher, a
multilayer perceptron and convolutional networks reading *your* digit. The
drawing is preprocessed once; each network reads the same 28x28 input.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

from mnist_core import store
from mnist_core.errors import MnistStudioError
from mnist_core.models import ZOO
from mnist_core.paths import BUNDLED_DIR, models_dir
from mnist_core.prediction import Prediction, read_prepared
from mnist_core.preprocess import Preprocessed
from ui import charts, draw_view, models

HEADING = "How each model reads it"
# From the simplest network to the strongest: the order in which the tutorials introduce them.
ORDER = ("softmax", "mlp", "deepnn", "keras_cnn", "fast", "best")
COLUMNS = 3  # bundled readers per row: three stay legible on a projector and on a laptop
TRAINED_COLUMNS = 2  # runs trained here carry a longer name ("... (trained here)"): two to a row
TRAINED_HERE = " (trained here)"


def _signature(*folders: Path) -> tuple:
    """Names, sizes and times of every model file: changes when a model is added or replaced."""
    files = [path for folder in folders if folder.is_dir() for path in sorted(folder.glob("*"))]
    return tuple((str(path), path.stat().st_size, path.stat().st_mtime_ns) for path in files if path.exists())


@lru_cache(maxsize=4)  # not st.cache_resource: hashing the arguments took 0.8 ms a drawing, a dict 0.02 ms
def _readers(bundled: str, trained: str, signature: tuple) -> list[tuple[str, store.StoredModel]]:
    """(name shown, model) for each bundled zoo model, then the newest finished run of each network trained here."""
    found = []
    for path in Path(bundled).glob("*.keras"):
        try:
            stored = store.verify(path)
        except MnistStudioError:
            continue  # a damaged bundled copy: the row goes on without it (the sidebar says what is wrong)
        if stored.meta.model in ZOO:
            found.append((ZOO[stored.meta.model].plain_name, stored))
    newest: dict[str, store.StoredModel] = {}
    for stored in store.list_models(Path(trained)):  # newest first
        name = stored.meta.model
        if name in ZOO and not stored.meta.stopped and not stored.meta.adapted and name not in newest:
            newest[name] = stored
    found += [(ZOO[name].plain_name + TRAINED_HERE, stored) for name, stored in newest.items()]
    return sorted(found, key=lambda pair: (pair[0].endswith(TRAINED_HERE), ORDER.index(pair[1].meta.model)
                                           if pair[1].meta.model in ORDER else len(ORDER)))


def readers() -> list[tuple[str, store.StoredModel]]:
    """Every network that can read a drawing now, simplest first, with the name the audience sees."""
    trained = models_dir()
    return _readers(str(BUNDLED_DIR), str(trained), _signature(BUNDLED_DIR, trained))


def show(prediction: Prediction) -> None:
    """The drawing read by every network: its answer, how sure it is, and its ten probabilities."""
    prepared = prediction.preprocessed
    if prepared is None or not prepared.digits:
        return
    st.subheader(HEADING)
    st.markdown("The same drawing, shown to every network. Simple ones compare the whole picture with what they "
                "remember of each digit; the stroke finders look for pieces of strokes first, which is why they "
                "usually agree on a clear digit and differ on a messy one.")
    available = readers()
    rows([pair for pair in available if not pair[0].endswith(TRAINED_HERE)], COLUMNS, prepared)
    trained = [pair for pair in available if pair[0].endswith(TRAINED_HERE)]
    if trained:
        st.caption("Trained on this computer (the newest run of each network):")
        rows(trained, TRAINED_COLUMNS, prepared)


def rows(available: list[tuple[str, store.StoredModel]], columns: int, prepared: Preprocessed) -> None:
    """Readers side by side, `columns` to a row."""
    for start in range(0, len(available), columns):
        for column, (name, stored) in zip(st.columns(columns), available[start:start + columns]):
            with column.container(border=True):
                reading(name, stored, prepared)


def reading(name: str, stored: store.StoredModel, prepared: Preprocessed) -> None:
    """One network's answer, or why it could not give one."""
    draw_view.after_answers()  # other people's answers first (ui/draw_view.answering)
    try:
        answer = read_prepared(prepared, models.load(stored), name=name)
    except MnistStudioError as exc:
        st.metric(name, "—")
        st.caption(f"This network could not be loaded: {exc}")
        return
    st.metric(name, answer.digits or "?", help=draw_view.CALIBRATED_HELP)
    if answer.digits:
        st.caption(f"{draw_view.percent(answer.confidence)} sure")
    elif answer.readings:
        forced = "".join(str(r.digit) for r in answer.readings)
        st.caption(f"No clear answer (if forced: {forced})")
    if answer.probabilities is not None:
        st.vega_lite_chart(charts.probabilities_frame(answer.probabilities), draw_view.SMALL_PROBABILITIES,
                           width="stretch")
