"""Draw & Upload and Inside: uploads read one by one, the canvas reading helpers, switching models."""

from __future__ import annotations

import numpy as np
from conftest import digit_png
from streamlit.testing.v1 import AppTest

from ui import canvas_view, draw_view, state


def metric_values(at, label: str) -> list[str]:
    return [metric.value for metric in at.metric if metric.label == label]


def test_uploads_are_read_and_a_bad_file_is_explained_without_hiding_the_others(app):
    at = app().run()
    at.switch_page("app_pages/draw.py").run()
    at.file_uploader[0].set_value([
        ("three.png", digit_png(3), "image/png"),
        ("notes.png", b"these are not pixels", "image/png"),
        ("five.png", digit_png(5), "image/png"),
    ]).run()
    assert not at.exception
    assert metric_values(at, "Prediction") == ["—", "3", "5"]  # the empty canvas, then the two good files
    assert len(at.error) == 1 and "notes.png" in at.error[0].value
    assert "Traceback" not in at.error[0].value
    # The latest good digit is what the Inside page studies.
    assert at.session_state[state.DIGIT_KEY].shape == (28, 28)
    at.switch_page("app_pages/inside.py").run()
    assert at.radio(key="inside_source").value == "Your latest digit"
    assert metric_values(at, "Prediction") == ["5"]


def canvas_reading():
    """A stroke-drawn 7 (like the canvas sends) through the page's own helpers."""
    import numpy as np
    import streamlit as st

    from mnist_core import inspection, synth
    from ui import answer_first, draw_view, models

    reader, _ = models.current()
    digit, _ = inspection.test_digit(0)  # a 7
    rgba = synth.canvas_like((digit * 255).astype(np.uint8), np.random.default_rng(0), stroke="normal")
    if st.session_state.get("blank"):
        rgba = np.zeros_like(rgba)
    prediction = answer_first.read(rgba, reader, several=False)
    draw_view.answer(prediction)
    draw_view.steps(prediction)


def test_a_canvas_drawing_is_read_with_its_steps():
    at = AppTest.from_function(canvas_reading, default_timeout=120).run()
    assert not at.exception
    assert metric_values(at, "Prediction") == ["7"]
    assert at.markdown[0].value.startswith("More than 99% sure. Second choice **")
    assert at.session_state[state.DIGIT_KEY].shape == (28, 28)
    steps = at.get("image")
    assert len(steps) == 1, "one row of preprocessing pictures"
    captions = steps[0].captions
    assert captions[-1].endswith("Made it look like MNIST: white on black, centred, 28 x 28")
    assert not any("Colours taken away" in caption for caption in captions), "it changed nothing: not shown"


def white_on_black_drawing():
    """A 7 drawn as the app's canvas sends it: white strokes on an opaque black canvas."""
    import cv2
    import numpy as np

    from ui import answer_first, canvas_view, draw_view, models

    reader, _ = models.current()
    rgba = np.zeros((canvas_view.CANVAS_SIDE, canvas_view.CANVAS_SIDE, 4), np.uint8)
    rgba[..., 3] = 255
    seven = np.array([(75, 60), (205, 60), (180, 110), (150, 170), (125, 235)], np.int32)
    cv2.polylines(rgba, [seven], False, (255, 255, 255, 255), canvas_view.STROKE_WIDTHS[2])
    draw_view.steps(answer_first.read(rgba, reader, several=False))


def test_a_drawing_on_the_apps_canvas_is_explained_in_two_pictures():
    at = AppTest.from_function(white_on_black_drawing, default_timeout=120).run()
    assert not at.exception
    # The digit found (the drawing with its box), and what the network gets: nothing else changed it.
    assert at.get("image")[0].captions == ["1. 1 digit found",
                                           "2. Made it look like MNIST: white on black, centred, 28 x 28"]


def test_a_blank_drawing_gets_words_not_an_error():
    at = AppTest.from_function(canvas_reading, default_timeout=120)
    at.session_state["blank"] = True
    at.run()
    assert not at.exception and not at.error
    assert metric_values(at, "Prediction") == ["?"]
    assert at.warning


def test_switching_the_model_in_the_sidebar(app, tiny_model):
    at = app().run()
    at.sidebar.selectbox[0].select(str(tiny_model.path)).run()
    assert at.sidebar.selectbox[0].value == str(tiny_model.path)
    assert at.sidebar.metric[0].value == f"{tiny_model.meta.test_accuracy:.2%}"
    assert any("Trained here" in caption.value for caption in at.sidebar.caption)
    at.switch_page("app_pages/draw.py").run()
    assert at.sidebar.selectbox[0].value == str(tiny_model.path)
    assert not at.exception


def test_only_the_first_files_of_a_large_upload_are_read_and_the_rest_are_named(app):
    from ui import upload_view

    total = upload_view.MAX_UPLOAD_FILES + 2
    files = [(f"digit-{number:02d}.png", digit_png(number % 10), "image/png") for number in range(total)]
    at = app().run()
    at.switch_page("app_pages/draw.py").run()
    at.file_uploader[0].set_value(files).run()
    assert not at.exception and not at.error
    assert len(metric_values(at, "Prediction")) == 1 + upload_view.MAX_UPLOAD_FILES  # the canvas, then each read file
    warning = at.warning[0].value
    assert f"only the first {upload_view.MAX_UPLOAD_FILES}" in warning
    assert "digit-12.png" in warning and "digit-13.png" in warning and "digit-11.png" not in warning


def test_upload_size_cap_matches_the_library():
    """The uploader refuses what mnist_core would refuse anyway, with Streamlit's own message."""
    import tomllib
    from pathlib import Path

    from mnist_core.imageio import MAX_BYTES
    from ui import upload_view

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_BYTES  # Streamlit counts 1 MB as 2**20 bytes
    assert upload_view.MAX_UPLOAD_MB * 2**20 == MAX_BYTES


def forced_choice_answer():
    """The answer for a drawing the network refuses to call a digit (a letter W), with its forced choice."""
    from mnist_core.prediction import DigitReading, Prediction
    from ui import draw_view

    probabilities = [0.02, 0.01, 0.01, 0.01, 0.55, 0.1, 0.1, 0.1, 0.05, 0.05]
    reading = DigitReading(digit=4, confidence=0.55, probabilities=probabilities, box=(0, 0, 10, 10))
    draw_view.answer(Prediction(file="Your drawing", readings=[reading],
                                error="This doesn't look like a digit."))


def test_not_a_digit_says_why_and_shows_the_forced_choice_in_small_type():
    at = AppTest.from_function(forced_choice_answer, default_timeout=60).run()
    assert not at.exception and not at.error
    assert metric_values(at, "Prediction") == ["?"]
    assert at.warning[0].value == "This doesn't look like a digit."
    assert any("If it had to pick one of its ten answers: **4**" in caption.value for caption in at.caption)
    assert not any("Second choice" in markdown.value for markdown in at.markdown)
    # The chart beside it shows the same forced choice: greyed, and the words above it say so (no blue answer bar);
    # above the bars, presenter-size type is never cut as it was up the short chart's y axis.
    import json

    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["y"]["title"] is None and draw_view.FORCED_WORDS in [c.value for c in at.caption]
    assert spec["encoding"]["color"]["condition"]["value"] == draw_view.FORCED_CHOICE
    assert "#0047BB" not in json.dumps(spec["encoding"])


def test_percentages_are_said_in_words_without_signs():
    assert draw_view.percent(0.999) == "more than 99%"
    assert draw_view.percent(0.001) == "less than 1%"
    assert draw_view.percent(0.94) == "94%" and draw_view.percent(1.0) == "100%" and draw_view.percent(0.0) == "0%"


def test_switching_several_digits_starts_a_fresh_drawing(app):
    at = app().run()
    at.switch_page("app_pages/draw.py").run()
    at.session_state[canvas_view.DRAWING_KEY] = {"objects": [{"type": "path"}]}
    at.session_state[canvas_view.IMAGE_KEY] = np.zeros((280, 280, 4), np.uint8)
    at.toggle(key="several_digits").set_value(True).run()
    assert not at.exception
    assert canvas_view.DRAWING_KEY not in at.session_state and canvas_view.IMAGE_KEY not in at.session_state
    assert metric_values(at, "Prediction") == ["—"]


def compared_reading():
    """A canvas-drawn 7 read by the session's model, then by every network, as the Draw page does."""
    import numpy as np

    from mnist_core import inspection, synth
    from ui import answer_first, compare_view, models

    reader, _ = models.current()
    digit, _ = inspection.test_digit(0)  # a 7
    rgba = synth.canvas_like((digit * 255).astype(np.uint8), np.random.default_rng(0), stroke="normal")
    compare_view.show(answer_first.read(rgba, reader, several=False))


def test_every_bundled_network_reads_the_same_drawing_side_by_side():
    from mnist_core.models import ZOO
    from mnist_core.paths import BUNDLED_DIR
    from mnist_core.store import verify

    at = AppTest.from_function(compared_reading, default_timeout=180).run()
    assert not at.exception and not at.error
    assert at.subheader[0].value == "How each model reads it"
    bundled = {verify(path).meta.model for path in BUNDLED_DIR.glob("*.keras")} & set(ZOO)
    assert {"softmax", "mlp", "keras_cnn", "fast", "best"} <= bundled
    shown = {metric.label: metric.value for metric in at.metric}
    assert set(shown) == {ZOO[name].plain_name for name in bundled}
    assert shown[ZOO["best"].plain_name] == "7" and shown[ZOO["fast"].plain_name] == "7"
    assert len(at.get("vega_lite_chart")) == len(bundled)


def number_answer():
    """The answer for a number read as three digits."""
    from mnist_core.prediction import DigitReading, Prediction
    from ui import draw_view

    def reading(digit: int) -> DigitReading:
        probabilities = [0.001] * 10
        probabilities[digit] = 0.991
        return DigitReading(digit=digit, confidence=0.991, probabilities=probabilities, box=(0, 0, 10, 10))

    draw_view.answer(Prediction(file="Your drawing", readings=[reading(1), reading(7), reading(0)]))


def test_each_digit_of_a_number_gets_its_own_small_chart():
    at = AppTest.from_function(number_answer, default_timeout=60).run()
    assert not at.exception
    assert metric_values(at, "Prediction") == ["170"]
    assert [m.value for m in at.markdown if m.value.startswith("Digit ")] == [
        "Digit 1: **1** (99%)", "Digit 2: **7** (99%)", "Digit 3: **0** (99%)"]
    assert "At least 99% sure of every digit." in [m.value for m in at.markdown]
    assert len(at.get("vega_lite_chart")) == 3


def sure_number_answer():
    """The answer for a number whose every digit was read at more than 99%."""
    from mnist_core.prediction import DigitReading, Prediction
    from ui import draw_view

    reading = DigitReading(digit=9, confidence=0.998, probabilities=[0.0002] * 9 + [0.998], box=(0, 0, 9, 9))
    draw_view.answer(Prediction(file="Your drawing", readings=[reading, reading]))


def test_a_number_read_with_more_than_99_percent_says_so_in_words():
    at = AppTest.from_function(sure_number_answer, default_timeout=60).run()
    assert not at.exception
    assert "More than 99% sure of every digit." in [m.value for m in at.markdown]


def test_only_the_steps_that_changed_something_are_shown():
    from mnist_core.preprocess import Step

    picture, grey = np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8), np.uint8)
    photo = [Step("Your picture", picture), Step("Colours taken away", grey, False),
             Step("Shadows and uneven light evened out", grey, True), Step("Specks wiped away", grey, False),
             Step("1 digit found", picture), Step("Made it look like MNIST", np.zeros((28, 28), np.uint8))]
    shown = [step.caption for step in draw_view.telling_steps(photo)]
    assert shown == ["Your picture", "Shadows and uneven light evened out", "1 digit found", "Made it look like MNIST"]
    # Nothing changed between the input and the boxes: the boxed picture already shows the input.
    drawing = [photo[0], photo[1], photo[3], photo[4], photo[5]]
    assert [step.caption for step in draw_view.telling_steps(drawing)] == ["1 digit found", "Made it look like MNIST"]
    # Steps from before `changed` existed count as changed.
    old = [Step("Input", picture), Step("Grayscale", grey)]
    assert draw_view.telling_steps(old) == old


def test_the_wide_canvas_is_shown_at_the_largest_size_that_fits_its_column():
    import re

    rules = [(float(width), float(zoom)) for width, zoom in
             re.findall(r"max-width: ([\d.]+)px\) \{ \.st-key-canvas > \* \{ zoom: ([\d.]+);",
                        canvas_view.wide_canvas_style())]

    def zoom_for(column: float) -> float:
        applying = [zoom for width, zoom in rules if column <= width]
        return applying[-1] if applying else 1.0  # the last matching rule wins in CSS

    for column in (1000, 700, 600, 430 - 36, 390 - 36, 360 - 36, 320 - 36):
        zoom = zoom_for(column)
        assert canvas_view.CANVAS_WIDE * zoom <= column, f"{column}px: the canvas must fit"
        larger = [z for z in (1.0, *canvas_view.WIDE_ZOOMS) if z > zoom]
        assert not larger or canvas_view.CANVAS_WIDE * min(larger) > column, f"{column}px: not smaller than needed"
    assert zoom_for(390 - 36) == 0.5  # a phone: half size, 350 of its 354 pixels


def test_the_wide_canvas_style_is_sent_only_with_several_digits(app):
    at = app().run()
    at.switch_page("app_pages/draw.py").run()
    styles = " ".join(element.proto.body for element in at.get("html"))
    assert ".st-key-canvas {" in styles and "zoom" not in styles
    # The canvas's own toolbar lay over its top edge: hidden by a script that leaves nothing running in the tab.
    assert canvas_view.hide_toolbar(canvas_view.CANVAS_SIDE, canvas_view.CANVAS_SIDE).strip() in styles
    assert "MutationObserver" not in styles and "setInterval" not in styles
    assert "padding-top: 1.5rem" in styles  # less room above the title: the answer in view at 1366x768
    at.toggle(key="several_digits").set_value(True).run()
    assert not at.exception
    assert "zoom: 0.5" in " ".join(element.proto.body for element in at.get("html"))


def test_the_model_cache_holds_the_whole_comparison_row():
    """Every bundled network and the newest run of each trained here read each drawing: all must stay loaded."""
    from mnist_core.models import ZOO
    from ui import models

    assert models.MAX_CACHED_MODELS > 2 * len(ZOO)  # the row's longest, plus the sessions' own choices


CRAFTED = ("[win a prize](http://example.invalid).png", "![tracker](http://example.invalid/x.png).png",
           "**bold** :material/home: $x$.png")


def test_upload_names_are_shown_as_typed_never_as_links_images_or_icons(app):
    from ui.plain_text import plain

    at = app().run()
    at.switch_page("app_pages/draw.py").run()
    at.file_uploader[0].set_value([(CRAFTED[0], digit_png(3), "image/png"), (CRAFTED[1], b"not a picture",
                                    "image/png"), (CRAFTED[2], digit_png(5), "image/png")]).run()
    assert not at.exception
    shown = [markdown.value for markdown in at.markdown] + [error.value for error in at.error]
    for name in CRAFTED:
        assert any(plain(name) in text for text in shown), f"{name!r} is not shown as typed"
        assert not any(name in text for text in shown), f"{name!r} reached Markdown unescaped"


def test_plain_text_escapes_every_character_markdown_gives_a_meaning():
    from ui.plain_text import plain

    assert plain("a_b*c`d[e](f)!g#h<i>j|k~l$m:n") == r"a\_b\*c\`d\[e\]\(f\)\!g\#h\<i\>j\|k\~l\$m\:n"
    assert plain("digit-7.png is not a digit.") == "digit-7.png is not a digit."  # sentences read as they are
    assert plain("1. scan.png") == r"1\. scan.png" and plain("- a\n+ b") == "\\- a\n\\+ b"
