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
from mnist_core.prediction import Prediction, read_prepared_each
from mnist_core.preprocess import Preprocessed
from ui import answer_first, charts, draw_view, models

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
    answer_first.after_answers()  # other people's answers first (ui/answer_first.answering)
    answers = list(zip((name for name, _ in available), read_all(available, prepared)))
    rows([pair for pair in answers if not pair[0].endswith(TRAINED_HERE)], COLUMNS)
    trained = [pair for pair in answers if pair[0].endswith(TRAINED_HERE)]
    if trained:
        st.caption("Trained on this computer (the newest run of each network):")
        rows(trained, TRAINED_COLUMNS)


def read_all(available: list[tuple[str, store.StoredModel]], prepared: Preprocessed) -> list[Prediction | str]:
    """Each network's reading of the drawing (their forward passes in one call), or why it could not be loaded."""
    answers: list[Prediction | str | None] = []
    loaded = {}  # position in `available` -> (model, name)
    for index, (name, stored) in enumerate(available):
        try:
            loaded[index] = (models.load(stored), name)
            answers.append(None)
        except MnistStudioError as exc:
            answers.append(str(exc))
    readings = read_prepared_each(prepared, [model for model, _ in loaded.values()],
                                  [name for _, name in loaded.values()])
    for index, answer in zip(loaded, readings):
        answers[index] = answer
    return answers


def rows(answers: list[tuple[str, Prediction | str]], columns: int) -> None:
    """Readers side by side, `columns` to a row."""
    for start in range(0, len(answers), columns):
        for column, (name, answer) in zip(st.columns(columns), answers[start:start + columns]):
            with column.container(border=True):
                reading(name, answer)


def reading(name: str, answer: Prediction | str) -> None:
    """One network's answer, or why it could not give one (`answer` is then the reason)."""
    if isinstance(answer, str):
        st.metric(name, "—")
        st.caption(f"This network could not be loaded: {answer}")
        return
    st.metric(name, answer.digits or "?", help=draw_view.CALIBRATED_HELP)
    several = len(answer.readings) > 1
    if answer.digits and several:  # one chart would show the first digit only, under the whole number
        st.caption("How sure of each digit: " + ", ".join(f"{r.digit} {draw_view.percent(r.confidence)}"
                                                          for r in answer.readings))
        return
    if answer.digits:
        st.caption(f"{draw_view.percent(answer.confidence)} sure")
    elif answer.readings:
        forced = "".join(str(r.digit) for r in answer.readings)
        st.caption(f"No clear answer (if it had to pick: {forced})")
    if answer.probabilities is not None and not several:  # greyed when it is only the forced choice
        spec = draw_view.SMALL_PROBABILITIES if answer.digits else draw_view.SMALL_FORCED
        st.vega_lite_chart(charts.probabilities_frame(answer.probabilities), charts.sized(spec), width="stretch")
