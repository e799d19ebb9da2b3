"""Before a training: the settings row, the chosen network in plain words, what it learns from, and Start.

The widgets' values persist while the user visits other pages. Jobs belong to the library's registry, not to a
browser session: the page looks its job up by configuration, so a refresh, a second browser or another page
never starts a duplicate or loses one.
"""

from __future__ import annotations

import streamlit as st

from mnist_core import training
from mnist_core.config import LIMITS
from mnist_core.models import ZOO
from ui import learning_view, presenter, slow_motion
from ui.train_words import ALL_IMAGES, comparison, is_ours, recipe_words, reported_words, reproduce_command

DEFAULT_MODEL = "fast"
# The first run anyone sees: the fast preset's own recipe, one epoch on every training image, reaches 99%
# in about 20 s on a busy 2-core CPU. The other models start from one epoch on 30,000 images.
QUICK_EPOCHS = 1
QUICK_SLICE = 30_000
SLICES = (1_000, 2_000, 5_000, 10_000, 20_000, 30_000, ALL_IMAGES)
BATCH_SIZES = (32, 50, 64, 100, 128, 256, 512)
MAX_EPOCHS = int(LIMITS["epochs"].high)  # the library's range
EXAMPLES_WIDTH, EXAMPLES_WIDTH_PRESENTING = 640, 900  # pixels for the row of training digits
HELP = {
    "model": "Which network to train. Each one reads digits in its own way; the box below says how.",
    "epochs": "How many times the network studies every training image. More passes: better reading, "
              "longer wait.",
    "images": "How many handwritten training digits it learns from. Fewer train faster, at some cost in "
              "accuracy. MNIST has 60,000 training digits; 5,000 of them are always kept aside to check how sure "
              "it should be. Models trained here learn from 55,000 at most.",
    "batch": "How many images it looks at before each small correction of its weights.",
    "rate": "How big each correction is: too small learns slowly, too large never settles.",
    "start": "Train this network with these settings; the chart below shows it learning.",
    "slow": f"Show the learning at a pace everyone can follow (about {slow_motion.SECONDS:.0f} s), whatever the "
            "real speed.",
}
EPOCHS_TERM = " Developers call one pass an epoch."  # the precise word, only where no audience is watching
PASSES_LABEL = "Passes over the images"
DEVELOPER_SETTINGS = "For developers"
SLOW_LABEL = "Slow motion"


def page_style() -> None:
    """The Train page needs its story in view without scrolling (1366x768, and 1920x1080 when presenting)."""
    presenter.compact_top()


def settings() -> training.TrainConfig:
    """Model and how-long-to-train widgets in one row; their values persist while the user visits other pages.

    Batch size and learning rate are engineering words: they sit in a closed popover at the end of the row,
    and are not offered at all when presenting (the model's published values are used).
    """
    names = list(ZOO)
    presenting = presenter.active()
    if presenting:
        model_col, epochs_col, slice_col = st.columns([2, 1.2, 1.6], vertical_alignment="bottom")
    else:
        # The last column is wide enough for the popover's whole label at 1366x768 (it is cut off with "…").
        model_col, epochs_col, slice_col, developer_col = st.columns([1.9, 1.2, 1.5, 1.4], vertical_alignment="bottom")
    name = model_col.selectbox("Model", names, index=names.index(DEFAULT_MODEL),
                               format_func=lambda n: ZOO[n].plain_name, key="train_model",
                               persist_state="session", help=HELP["model"])
    spec = ZOO[name]
    batch_size, learning_rate = spec.defaults.batch_size, spec.defaults.learning_rate
    # Keys include the model, so each model keeps its own settings and starts from its own defaults.
    epochs = epochs_col.number_input(PASSES_LABEL, 1, MAX_EPOCHS, QUICK_EPOCHS, key=f"epochs-{name}",
                                     persist_state="session",
                                     help=HELP["epochs"] + ("" if presenting else EPOCHS_TERM))
    images_used = slice_col.select_slider("Training images", SLICES, quick_slice(name), format_func=_slice_label,
                                          key=f"slice-{name}", persist_state="session", help=HELP["images"])
    if not presenting:
        # A popover, not an expander: opening it floats over the page instead of pushing the row down.
        developer = developer_col.popover(DEVELOPER_SETTINGS, width="stretch",
                                          help="Batch size and learning rate, for developers.")
        batch_sizes = sorted({*BATCH_SIZES, batch_size})
        batch_size = developer.selectbox("Batch size", batch_sizes, index=batch_sizes.index(batch_size),
                                         key=f"batch-{name}", persist_state="session", help=HELP["batch"])
        rates = LIMITS["learning_rate"]  # the library's range: the field never offers what it refuses
        learning_rate = developer.number_input("Learning rate", rates.low, rates.high, learning_rate, format="%g",
                                              step=learning_rate / 10, key=f"rate-{name}", persist_state="session",
                                              help=HELP["rate"])
    return training.TrainConfig.for_model(name, epochs=int(epochs), batch_size=int(batch_size),
                                          learning_rate=float(learning_rate),
                                          limit=None if images_used == ALL_IMAGES else int(images_used))


def quick_slice(name: str) -> int:
    """Training images offered first: all of them for the fast preset, whose recipe is one epoch."""
    return ALL_IMAGES if name == DEFAULT_MODEL else QUICK_SLICE


def _slice_label(count: int) -> str:
    return f"all {count:,}" if count == ALL_IMAGES else f"{count:,}"


def introduce(config: training.TrainConfig) -> None:
    """The chosen network in plain words; its technical recipe folded away for developers (not when presenting)."""
    spec = ZOO[config.model]
    with st.container(border=True):
        st.markdown(f"**{spec.plain_name}.** {spec.intro}")
        st.caption(f"{reported_words(config.model)} {comparison(config)}")
    if not presenter.active():
        with st.expander("Details"):
            recipe = recipe_words(config.model)
            again = (f"  \nTo measure it again: `{reproduce_command(config.model)}`" if is_ours(config.model) else "")
            st.markdown(f"**{spec.title}** ({spec.name}), from {spec.source}  \n"
                        f"Network: {spec.network}  \n{recipe}: {spec.published_recipe}  \n"
                        f"{spec.params:,} parameters{again}")


def examples_words(config: training.TrainConfig) -> str:
    """The line over the training digits: how many it learns from, and that each comes with its answer."""
    return f"It learns from {config.num_images:,} pictures like these, each with the right answer:"


def what_it_studies(config: training.TrainConfig) -> None:
    """A row of the training digits with their labels, before Start: what learning means here."""
    st.markdown(examples_words(config))
    st.image(learning_view.examples(), width=EXAMPLES_WIDTH_PRESENTING if presenter.active() else EXAMPLES_WIDTH)


def start(config: training.TrainConfig) -> None:
    """Start and, beside it, the slow-motion choice; a click starts (or joins) the job and redraws the page.

    Slow motion is on by default when presenting, and each mode keeps its own choice for the session.
    """
    start_col, slow_col = st.columns([1, 1.4], vertical_alignment="center")
    slow = slow_col.toggle(SLOW_LABEL, value=presenter.active(), key=_slow_key(), persist_state="session",
                           help=HELP["slow"])
    if start_col.button("Start training", type="primary", icon=":material/play_arrow:", help=HELP["start"]):
        training.start_training(config)
        if slow:
            slow_motion.begin(config)
        st.rerun()


def _slow_key() -> str:
    return f"slow-motion-{presenter.active()}"


def slow_motion_chosen() -> bool:
    """This session's slow-motion choice in its current mode (on when presenting, until switched off)."""
    return bool(st.session_state.get(_slow_key(), presenter.active()))


def existing_job(config: training.TrainConfig) -> training.TrainingJob | None:
    """The job anyone started for these settings, or the stored result of an earlier identical run."""
    job = training.find_job(config)
    if job is None and training.stored_result(config) is not None:
        job = training.start_training(config)  # a finished job read from disk: no training happens
    return job
