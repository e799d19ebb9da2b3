"""The Train page's sentences: how long, how many passes, and what a run's number is compared with.

Plain words for an audience (DESIGN.md): "passes over the images", never "epochs"; our presets say what we
measured, the tutorials what their authors report, and "vs published" only beside the published recipe.
"""

from __future__ import annotations

from mnist_core import training
from mnist_core.data import NUM_FIT
from mnist_core.models import ZOO, fraction_words

ALL_IMAGES = NUM_FIT  # every training image; the last 5,000 are held out to calibrate the confidence


def plural(count: int, word: str) -> str:
    """"1 pass", "3 passes", "1,000 trainings": the count with its word, as people say it."""
    return f"{count:,} {word}{'' if count == 1 else 'es' if word.endswith('s') else 's'}"


def duration(seconds: float | None) -> str:
    """Seconds as "45 s" or "3 min 05 s"."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def took_words(seconds: float) -> str:
    """How long a run took: "45 s", "3 min 05 s", and "less than a second" for a run that "0 s" would belie."""
    return duration(seconds) if seconds >= 0.5 else "less than a second"


def short_duration(seconds: float | None) -> str:
    """For a big number in a narrow column: "< 1 s", "75 s" up to ten minutes, then "12 min"."""
    if seconds is None:
        return "—"
    if seconds < 0.5:
        return "< 1 s"
    return f"{round(seconds)} s" if seconds < 600 else f"{round(seconds / 60)} min"


def run_words(config: training.TrainConfig, epochs_done: float | None, seconds: float | None,
              stopped: bool) -> str:
    """What a run did, e.g. "stopped after 0.3 of 3 passes over 30,000 images, 10 s"."""
    return passes_words(config.epochs, config.num_images, epochs_done if stopped else None, seconds)


def passes_words(planned: int | None, images: int, stopped_at: float | None = None,
                 seconds: float | None = None) -> str:
    """"3 passes over 30,000 images", or for a run stopped at `stopped_at` passes "stopped after 0.3 of 3
    passes over 30,000 images"; ", 10 s" when `seconds` is known. The Train page and the model picker say it so."""
    took = f", {took_words(seconds)}" if seconds else ""
    passes = plural(planned, "pass") if planned else "? passes"
    if stopped_at is not None:
        return f"stopped after {fraction_words(stopped_at)} of {passes} over {images:,} images{took}"
    return f"{passes} over {images:,} images{took}"


def is_ours(name: str) -> bool:
    """Whether the model is one of our own presets: its number is what we measured, not what others published."""
    return ZOO[name].ours


def recipe_words(name: str) -> str:
    """What its settings are called in the Details: "Our recipe" for our presets, else "Published recipe"."""
    return "Our recipe" if is_ours(name) else "Published recipe"


def reproduce_command(name: str) -> str:
    """The command that trains our preset with its own settings and prints its test accuracy."""
    return f"python -m mnist_core train --model {name}"


def reported_words(name: str) -> str:
    """Where the number to compare with comes from, said plainly: its authors' report, or our own measurement."""
    spec = ZOO[name]
    if is_ours(name):
        return (f"When we trained it with its own settings, it read about **{spec.reported_accuracy:.1%}** of the "
                "10,000 test digits right.")
    return f"Its authors report that it reads **{spec.reported_accuracy:.1%}** of the 10,000 test digits right."


def is_published_recipe(config: training.TrainConfig) -> bool:
    """Whether `config` trains the model as its authors did: only then is "vs published" a fair comparison."""
    defaults = ZOO[config.model].defaults
    return (config.epochs == defaults.epochs and config.batch_size == defaults.batch_size
            and config.learning_rate == defaults.learning_rate and config.limit is None)


def comparison(config: training.TrainConfig) -> str:
    """In words, how this run differs from the published one (empty when it is the published recipe)."""
    if is_published_recipe(config):
        if is_ours(config.model):
            return "These are those settings, so you can compare your result with ours."
        return "These settings are its published recipe, so the two numbers can be compared."
    defaults = ZOO[config.model].defaults
    differences = []
    if config.epochs != defaults.epochs:
        differences.append(f"{plural(config.epochs, 'pass')} over the images instead of {defaults.epochs}")
    if config.limit is not None:
        differences.append(f"{config.num_images:,} training images instead of all {ALL_IMAGES:,}")
    if config.batch_size != defaults.batch_size or config.learning_rate != defaults.learning_rate:
        differences.append("other settings for developers")
    return (f"This run is shorter or different ({'; '.join(differences)}), so expect it to differ from that "
            "number: it is not a contest." if differences else "")
