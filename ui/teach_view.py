"""Teach it your handwriting: the visitor's own digits, labelled, teach the model in use in seconds.

The taught model belongs to this browser session: it is written to a folder
of its own (not the models folder every session lists), offered in this
session's model picker and chosen at once. "Save for everyone" copies it, with
its sidecar, into the models folder under a name of its own (store.copy_model);
a public server (MNIST_STUDIO_PUBLIC=1) does not offer it. Bundled models are
never changed.

Teaching runs here, in the session's own script run, not in the training
queue: it takes seconds, its result is this visitor's alone, and waiting
behind someone's ten-minute training run would make no sense. One teaching
runs at a time per server (mnist_core.adapt), so two visitors never halve
each other's speed.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import streamlit as st

from mnist_core import adapt, host, store
from mnist_core.errors import ImageError, MnistStudioError
from mnist_core.paths import models_dir
from ui import canvas_view, images, models, presenter, state, upload_view
from ui.plain_text import plain

HEADING = "Teach it your handwriting"
EXAMPLES_KEY = "teach_examples"  # list of adapt.Example, in the order they were added
UPLOAD_ROUND_KEY = "teach_upload_round"
UPLOAD_PROBLEMS_KEY = "teach_upload_problems"  # pictures left out last time, told once after the rerun
LABEL_KEY = "teach_label"
DRAWING_PROBLEM_KEY = "teach_drawing_problem"  # why the drawing could not be added, shown once
RESULT_KEY = "teach_result"  # what the latest teaching did, for the before/after
THUMB = 56  # pixels a side for an example's picture (x2)
PER_ROW = 10
MAX_UPLOADS = 20
SAVING_OFF = "On this public server a taught model stays yours alone: it cannot be saved for everyone."


def section(stored: store.StoredModel, drawing: np.ndarray | None) -> None:
    """The whole section: collect examples (the drawing above, or uploads), teach, and show what changed."""
    st.header(HEADING)
    st.markdown("Does it misread some of your digits? Show it a few of your own. Draw a digit on the canvas above, "
                f"say which digit you meant and add it. With at least {adapt.MIN_EXAMPLES} examples (any digits, "
                "more of the ones it gets wrong), press **Teach**: it learns your style in seconds, and from then on "
                "reads your drawings with what it has learned.")
    examples: list[adapt.Example] = st.session_state.setdefault(EXAMPLES_KEY, [])
    if examples:  # a visitor who has started collecting: get the model ready to learn while they draw
        try:
            adapt.warm_up(models.load(_base(stored)).model, _base(stored).meta.sha256)
        except MnistStudioError:
            pass  # Teach will say what is wrong
    left, right = st.columns([1, 1], gap="large")
    with left:
        _add_drawing(examples, drawing)
    with right:
        _upload_examples(examples)
    _show_examples(examples)
    _teach(examples, stored)
    result = st.session_state.get(RESULT_KEY)
    if result is not None:
        _before_after(result)


def _label() -> int | None:
    return st.session_state.get(LABEL_KEY)


QUICK_LABEL_KEY = "teach_quick_label"  # the digit chosen beside the answer
# The ten digits in one row beside the answer at 1366x768 (with Streamlit's padding the 9 wrapped to a second row).
QUICK_STYLE = f"""
<style>
.st-key-{QUICK_LABEL_KEY} button {{ padding-left: 0.5rem !important; padding-right: 0.5rem !important; }}
</style>
"""


def beside_answer(stored: store.StoredModel, drawing: np.ndarray | None) -> None:
    """Teaching in one view: beside the answer, say which digit was meant and add the drawing as an example;
    with enough examples, Teach. Each example is one drawing and two clicks, no scrolling; the uploads, the
    examples' pictures and what teaching changed stay in the section below."""
    if drawing is None:
        return
    examples: list[adapt.Example] = st.session_state.setdefault(EXAMPLES_KEY, [])
    st.html(QUICK_STYLE)
    label = st.segmented_control("Not what you meant? Teach it: which digit did you mean?", list(range(10)),
                                 key=QUICK_LABEL_KEY, help="The digit you meant: the network learns it from your "
                                                           "drawing once you add it and press Teach.")
    missing = adapt.MIN_EXAMPLES - len(examples)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Add as an example", icon=":material/add:", disabled=label is None, key="teach_quick_add",
                  on_click=_add, args=(drawing, label), help="Choose the digit you meant first.")
        _teach(examples, stored, key="teach_quick")
        st.caption(f"{len(examples)} so far" + (f", {missing} more to teach" if missing > 0 else ""))
    problem = st.session_state.pop(DRAWING_PROBLEM_KEY, None)
    if problem:
        st.warning(problem, icon=":material/help:")


def _add_drawing(examples: list[adapt.Example], drawing: np.ndarray | None) -> None:
    """The drawing on the canvas above, with the digit the person meant, becomes an example."""
    st.subheader("Your drawing")
    st.segmented_control("Which digit did you mean?", list(range(10)), key=LABEL_KEY, wrap=True,  # all ten in view
                         help="The digit you meant to write: that is what the network will learn from it.")
    label = _label()
    if drawing is None:
        st.caption("Draw one digit on the canvas at the top of the page (with \"Several digits\" off), then add "
                   "it here with the digit you meant.")
    st.button("Add this drawing as an example", icon=":material/add:", disabled=drawing is None or label is None,
              help="Draw a digit above and choose which digit it is first.", on_click=_add, args=(drawing, label))
    problem = st.session_state.pop(DRAWING_PROBLEM_KEY, None)
    if problem:
        st.warning(problem, icon=":material/help:")


def _add(drawing: np.ndarray, label: int) -> None:
    """On click, before the page reruns (as the canvas's own Clear does): keep the example, wipe the canvas."""
    examples = st.session_state.setdefault(EXAMPLES_KEY, [])
    try:
        examples.append(adapt.example_from_image(drawing, label, f"drawing {len(examples) + 1}"))
    except ImageError as exc:
        st.session_state[DRAWING_PROBLEM_KEY] = str(exc)
        return
    canvas_view.clear_canvas()  # an empty canvas for the next one


def _upload_examples(examples: list[adapt.Example]) -> None:
    st.subheader("Or upload pictures")
    round_ = st.session_state.get(UPLOAD_ROUND_KEY, 0)
    files = st.file_uploader("Pictures of one digit, one digit per picture", type=upload_view.UPLOAD_TYPES,
                             accept_multiple_files=True, key=f"teach_upload_{round_}",
                             max_upload_size=upload_view.MAX_UPLOAD_MB)
    for problem in st.session_state.pop(UPLOAD_PROBLEMS_KEY, []):  # from the pictures added last
        st.warning(f"Left out {plain(problem)}", icon=":material/help:")
    label = _label()
    if not files:
        return
    if label is None:
        st.info("Choose which digit these pictures show (beside them), then add them.")
    if st.button(f"Add {'them' if len(files) > 1 else 'it'} as {'the digit …' if label is None else label}",
                 disabled=label is None, icon=":material/upload:"):
        problems = []
        for upload in files[:MAX_UPLOADS]:
            try:
                examples.append(adapt.example_from_image(upload.getvalue(), label, upload.name))
            except (ImageError, MnistStudioError) as exc:
                problems.append(f"{upload.name}: {exc}")
        st.session_state[UPLOAD_ROUND_KEY] = round_ + 1
        if problems:  # kept for the next run, which starts with an empty uploader
            st.session_state[UPLOAD_PROBLEMS_KEY] = problems
        st.rerun()


def _show_examples(examples: list[adapt.Example]) -> None:
    count = len(examples)
    missing = adapt.MIN_EXAMPLES - count
    st.markdown(f"**Your examples: {count}**" + (f" (add {missing} more to teach)" if missing > 0 else ""))
    if not examples:
        return
    for start in range(0, count, PER_ROW):
        row = examples[start:start + PER_ROW]
        st.image([images.enlarge(images.grey(example.digit, 1.0), THUMB) for example in row],
                 caption=[f"a {example.label}" for example in row], width=THUMB)
    if st.button("Start again with no examples", icon=":material/delete:"):
        st.session_state[EXAMPLES_KEY] = []
        st.session_state.pop(RESULT_KEY, None)
        st.rerun()


def _base(stored: store.StoredModel) -> store.StoredModel:
    """The model to teach: the one in use, or, for a taught one, the model it was taught from (taught afresh)."""
    base = (stored.meta.adapted or {}).get("base_model")
    if base:
        try:
            return store.verify(Path(base))
        except MnistStudioError:
            pass
    return stored


def _teach(examples: list[adapt.Example], stored: store.StoredModel, key: str | None = None) -> None:
    base = _base(stored)
    enough = len(examples) >= adapt.MIN_EXAMPLES
    if not st.button("Teach", type="primary", icon=":material/school:", disabled=not enough, key=key,
                     help=f"Needs at least {adapt.MIN_EXAMPLES} examples. A few are kept aside to test it fairly."):
        return
    bar = st.progress(0.0, text="Starting")
    try:
        model = models.load(base).model
        result = adapt.adapt(model, examples, sha256=base.meta.sha256,
                             progress=lambda share, message: bar.progress(min(max(share, 0.0), 1.0), text=message))
        taught = adapt.save(result, base, _session_path(base))
    except MnistStudioError as exc:
        bar.empty()
        st.error(f"Teaching did not work: {plain(exc)}")
        return
    st.session_state[RESULT_KEY] = {
        **result.summary(), "base_label": models.label(base), "path": str(taught.path),
        "held_out": [(example.digit, example.label) for example in result.examples_held_out],
        "before": result.before, "after": result.after}
    models.add_session_model(taught)
    st.rerun()


def _session_path(base: store.StoredModel) -> Path:
    """A file of this session's own, outside the models folder that every session lists."""
    return models.session_folder() / f"taught-{base.path.stem}-{time.strftime('%Y%m%d-%H%M%S')}.keras"


def _before_after(result: dict) -> None:
    """What teaching changed: the examples kept aside, and MNIST's test digits, before and after."""
    st.subheader("What it learned")
    held = result["held_out"]
    if held:
        st.markdown(f"{len(held)} of your examples were kept aside: it never learned from them, so they show "
                    "fairly whether it now reads your handwriting better.")
        st.image([images.enlarge(images.grey(digit, 1.0), THUMB) for digit, _ in held],
                 caption=[f"a {label}: read as {before} → {after}" for (_, label), before, after
                          in zip(held, result["before"], result["after"])], width=THUMB + 40)
    mine, mnist = st.columns(2)
    right_before = round(result["examples_accuracy_before"] * len(held)) if held else None
    right_after = round(result["examples_accuracy_after"] * len(held)) if held else None
    with mine:
        if held:
            change = right_after - right_before
            st.metric("Your examples read right", f"{right_after} of {len(held)}",
                      delta=f"{change:+d} (before: {right_before} of {len(held)})" if change else "no change",
                      delta_color="normal" if change else "off",
                      help="Your examples kept aside from teaching, read before and after.")
    with mnist:
        before, after = result["mnist_test_accuracy_before"], result["mnist_test_accuracy_after"]
        points = round((after - before) * 100, 2)
        # A drop is a drop: red and down (the delta's own sign), never green; no change is said as such.
        st.metric("Everyone's digits read right", f"{after:.2%}",
                  delta=f"{points:+.2f} points" if points else "no change", delta_color="normal" if points else "off",
                  help=f"The 10,000 MNIST test digits, written by hundreds of other people. Before teaching: "
                       f"{before:.2%}. A good teacher adds your style without forgetting everyone else's.")
    turned_before, turned_after = result["examples_turned_away_before"], result["examples_turned_away_after"]
    if held and turned_before:
        st.info(f"Before teaching it said \"not a digit\" to {turned_before} of these {len(held)} examples; now it "
                + (f"says so to {turned_after}." if turned_after else "reads every one of them.")
                + " It has learned what your digits look like, not only which digit each one is.",
                icon=":material/draw:")
    if held and result["nothing_to_learn"]:
        nothing_to_learn(len(held))
    if not result.get("saved"):
        unless = "" if host.public() else " unless you save it for everyone"
        st.success("From now on this page reads your drawings with the taught model. Only you see it: other "
                   f"visitors keep the original{unless}.", icon=":material/check:")
    if result.get("saved"):
        st.info("Saved: every visitor can now choose it in the list of models.", icon=":material/save:")
    elif not host.public() and st.button("Save for everyone", icon=":material/save:",
                                         help="Puts the taught model in the list of models every visitor can choose."):
        _save_for_everyone(result)
    if not presenter.active():
        with st.expander("Details"):
            st.markdown(f"Taught from **{result['base_label']}**: only its last layer changed, trained for "
                        f"{result['epochs']} passes ({result['steps']} steps) over {result['examples_trained']} "
                        f"examples and their augmented copies, with 3,000 MNIST training digits replayed beside them. "
                        f"Teaching took {result['seconds']:.1f} s"
                        + (f" (plus {result['prepare_seconds']:.0f} s getting this model ready, once)"
                           if result["prepare_seconds"] > 1 else "")
                        + f". Confidence recalibrated: temperature {result['temperature']:.3f}.")


SIMPLER = "softmax"  # the network to offer when the one in use already reads every example right


def nothing_to_learn(count: int) -> None:
    """Say that teaching had nothing to fix, and offer a simpler network, which misreads more, to teach."""
    simpler = next((stored for stored in models.available_models().models
                    if stored.meta.model == SIMPLER and models.is_bundled(stored)), None)
    st.info(f"It already read all {count} of your examples right before teaching, so there was nothing for it to "
            "learn. To watch teaching change something, teach a simpler network, which misreads more handwriting.",
            icon=":material/info:")
    if simpler is not None:
        st.button(f"Use {models.label(simpler)} and teach it", icon=":material/swap_horiz:",
                  on_click=state.choose_model, args=(str(simpler.path),), key="teach_simpler")


def _save_for_everyone(result: dict) -> None:
    """Copy the taught model into the folder every visitor's list reads, under a name of its own (store.copy_model:
    checked and written under the store's lock). Never on a public server (mnist_core.host)."""
    if host.public():
        st.info(SAVING_OFF, icon=":material/lock:")
        return
    source = Path(result["path"])
    try:
        saved = store.copy_model(source, models_dir(), {"saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    except MnistStudioError as exc:
        st.error(f"It could not be saved: {plain(exc)}")
        return
    st.session_state[models.CHOOSE_NEXT_KEY] = str(saved.path)
    st.session_state[models.SESSION_MODELS_KEY] = [
        model for model in st.session_state.get(models.SESSION_MODELS_KEY, []) if model.path != source]
    result["saved"] = str(saved.path)
    st.rerun()
