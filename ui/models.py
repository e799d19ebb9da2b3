"""Which models this session can use, and loading them once per server process.

Models are cached with st.cache_resource keyed by path and checksum, so every
browser session shares one copy in memory and a retrained file at the same
path is loaded afresh. The list of models is re-verified only when a file in
the models folder changes, not on every rerun.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import streamlit as st

from mnist_core import models as core_models, store
from mnist_core.errors import MnistStudioError
from mnist_core.inference import Reader
from mnist_core.models import ZOO
from mnist_core.own_model import UPLOADED
from mnist_core.paths import BUNDLED_MODEL, cache_dir, models_dir
from ui import state
from ui.train_words import passes_words
from ui.plain_text import plain

FIX_BUNDLED = "python -m mnist_core train --model best --out models/default.keras"
# The Draw page's row reads every drawing with each bundled network and the newest run of each trained here
# (up to 2 per zoo model), and sessions pick others: fewer entries would reload networks from disk every drawing.
MAX_CACHED_MODELS = 2 * len(ZOO) + 4  # each zoo model takes at most a few tens of MB in memory


DEVICE_WORDS = {"CPU": "on the computer's processor", "GPU": "on a graphics card"}  # sidebar words, not jargon


@dataclass(frozen=True)
class Choices:
    """The models on offer, plus why the bundled one is missing (if it is)."""

    models: list[store.StoredModel]
    bundled_problem: str | None

    def find(self, path: str | None) -> store.StoredModel | None:
        return next((model for model in self.models if str(model.path) == path), None)


def _signature(folder: Path) -> tuple:
    """Names, sizes and times of every model file: changes whenever a model is added or replaced."""
    files = [BUNDLED_MODEL, store.sidecar_path(BUNDLED_MODEL), *(sorted(folder.glob("*")) if folder.is_dir() else [])]
    return tuple((str(path), path.stat().st_size, path.stat().st_mtime_ns) for path in files if path.exists())


def _bundled_copies() -> list[store.StoredModel]:
    """The small copies of the classic networks shipped beside the default (models/softmax.keras, ...), simplest
    first: every session can read with them, and look inside each, without training one."""
    found = []
    for path in sorted(BUNDLED_MODEL.parent.glob("*.keras")):
        try:
            stored = store.verify(path)
        except MnistStudioError:
            continue  # a damaged copy is left out; the Draw page's comparison says the same by leaving it out
        if path.resolve() != BUNDLED_MODEL.resolve() and stored.meta.model in ZOO:
            found.append(stored)
    return sorted(found, key=lambda stored: list(ZOO).index(stored.meta.model))


@st.cache_resource(max_entries=4, show_spinner=False)
def _choices(folder: str, signature: tuple) -> Choices:
    models, problem = [], None
    try:
        models.append(store.bundled_model())
    except MnistStudioError as exc:
        problem = str(exc)
    return Choices(models + _bundled_copies() + store.list_models(Path(folder)), problem)


SESSION_MODELS_KEY = "session_models"  # models taught or uploaded in this session (ui/teach_view, ui/own_model_view)
SESSION_FOLDER = "sessions"  # under the cache folder: one sub-folder per browser session
SESSION_DAYS = 1  # a session's models nobody saved are deleted after this long
CHOOSE_NEXT_KEY = "choose_model_next"  # a model to switch to before the picker is drawn on the next run


def available_models() -> Choices:
    """The bundled model first (when it verifies), then every model trained so far, newest first,
    then this session's own taught models, which other sessions never see."""
    folder = models_dir()
    shared = _choices(str(folder), _signature(folder))
    if CHOOSE_NEXT_KEY in st.session_state:  # the sidebar asks first, so the picker shows the switch
        state.choose_model(st.session_state.pop(CHOOSE_NEXT_KEY))
    mine = [stored for stored in st.session_state.get(SESSION_MODELS_KEY, []) if stored.path.exists()]
    return Choices(shared.models + mine, shared.bundled_problem) if mine else shared


def session_folder() -> Path:
    """This browser session's own folder for models no other session lists (taught or uploaded ones); folders
    of sessions that ended long ago are deleted on the way."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    root = cache_dir() / SESSION_FOLDER
    _forget_old(root)
    return root / (context.session_id if context else "local")


def _forget_old(root: Path) -> None:
    """Delete the models of sessions that ended long ago (never saved, so nobody else can use them)."""
    cutoff = time.time() - SESSION_DAYS * 86400
    for folder in root.glob("*") if root.is_dir() else []:
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def add_session_model(stored: store.StoredModel) -> None:
    """Offer `stored` in this session's picker (no other session's) and switch to it on the next run."""
    mine = [model for model in st.session_state.get(SESSION_MODELS_KEY, []) if model.path.exists()]
    st.session_state[SESSION_MODELS_KEY] = [*mine, stored]
    st.session_state[CHOOSE_NEXT_KEY] = str(stored.path)  # the picker is drawn already: switch next run


def is_bundled(stored: store.StoredModel) -> bool:
    """Shipped with the app: the default model or one of its small copies of the classic networks."""
    return stored.path.resolve().parent == BUNDLED_MODEL.resolve().parent


def recipe(stored: store.StoredModel) -> str:
    """How much training a model had, in the Train page's words, e.g. "1 pass over 10,000 images" (a pass, or an
    epoch to developers, shows the network every training image once); a stopped run says where it stopped."""
    meta = stored.meta
    stopped_at = meta.epochs_done if meta.stopped else None
    return passes_words(meta.planned_epochs, meta.images_trained, stopped_at,
                        meta.train_seconds if stopped_at is not None else None)


def label(stored: store.StoredModel) -> str:
    """A name for pickers: the bundled model, or a run told apart from other runs of the same network."""
    if is_bundled(stored):
        return core_models.describe(stored.meta, stored.path.stem)  # the caption below says where it came from
    plain = core_models.describe(stored.meta, stored.path.stem, short=True)
    if stored.meta.stopped:  # short enough for the picker; the caption below says where it stopped
        return plain
    # A picker cannot wrap its text: the label stays short enough for the sidebar (the caption under it says how
    # the model was trained), and runs of one network are told apart by when they were trained.
    if stored.meta.adapted:  # taught a visitor's handwriting (ui/teach_view): this session's own until saved
        whose = "your" if not stored.path.is_relative_to(models_dir()) else "a visitor's"
        return f"{plain} · {whose} handwriting"
    if stored.meta.extra.get(UPLOADED):  # a visitor's own model (ui/own_model_view): this session's alone
        return f"{plain} · your own model"
    return f"{plain} · {when(stored.meta.saved_at)}"


def when(saved_at: str) -> str:
    """A model's time as people say it: "today at 12:55", "on 4 March at 10:05" (with the year when not this one),
    from the sidecar's "2026-11-30T12:55:07+0000" (the server's clock)."""
    try:
        moment = datetime.strptime(saved_at[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        return f"on {saved_at}"
    if moment.date() == date.today():
        return f"today at {moment:%H:%M}"
    year = "" if moment.year == date.today().year else f" {moment.year}"
    return f"on {moment.day} {moment:%B}{year} at {moment:%H:%M}"


def origin(stored: store.StoredModel) -> str:
    """Where a model came from and how it was trained, in plain words."""
    where = DEVICE_WORDS.get(stored.meta.device)
    how = f"{recipe(stored)}, {where}" if where else recipe(stored)
    if is_bundled(stored):
        return f"Ships with the app ({how})"
    if stored.meta.extra.get(UPLOADED):
        return (f"Your own model, uploaded {when(stored.meta.saved_at)} as {stored.meta.extra[UPLOADED]}; its "
                "confidence tuned here; only in this browser")
    taught = stored.meta.adapted
    if taught:
        only = "" if stored.path.is_relative_to(models_dir()) else "; only in this browser until you save it"
        return (f"Taught {taught.get('examples', '?')} handwritten digits {when(stored.meta.saved_at)}, starting from "
                f"{taught.get('base_label', 'another model')}{only}")
    return f"Trained here {when(stored.meta.saved_at)} ({how})"


@st.cache_resource(show_spinner="Loading the model…", max_entries=MAX_CACHED_MODELS)
def _load(path: str, sha256: str) -> Reader:
    """One shared copy per file version; `sha256` is in the cache key on purpose."""
    return Reader.of(*store.load_model(path))


def load(stored: store.StoredModel) -> Reader:
    """The reader of `stored` (its network and temperature); raises ModelFileError with a user-facing message."""
    return _load(str(stored.path), stored.meta.sha256)


def chosen() -> store.StoredModel | None:
    """This session's model file: its own choice, else the first on offer."""
    choices = available_models()
    return choices.find(state.selected_model_path()) or (choices.models[0] if choices.models else None)


def current() -> tuple[Reader, store.StoredModel] | None:
    """This session's model, loaded; or None after telling the user, in words, what to do."""
    stored = chosen()
    if stored is None:
        st.error(no_model_message(available_models().bundled_problem))
        return None
    try:
        return load(stored), stored
    except MnistStudioError as exc:
        st.error(f"The model could not be loaded. {plain(exc)}")
        return None


def no_model_message(problem: str | None) -> str:
    return ("There is no model to read digits with yet: the model that ships with the app is missing or "
            f"damaged. {problem or ''} To fix it, run `{FIX_BUNDLED}` in the app folder, "
            "or train a model on the **Train** page.")
