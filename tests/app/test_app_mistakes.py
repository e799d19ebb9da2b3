"""Mistakes from the confusion matrix: any square opens its test digits, with how sure the network was."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui import mistakes_view


def matrix_of_the_bundled_softmax():
    from mnist_core.evaluation import evaluate_model
    from mnist_core.inference import load_reader
    from ui import mistakes_view

    result = evaluate_model(load_reader("models/softmax.keras"))
    mistakes_view.show(result, "softmax")


def test_the_commonest_mix_up_opens_first_and_any_square_can_be_chosen():
    at = AppTest.from_function(matrix_of_the_bundled_softmax, default_timeout=120).run()
    assert not at.exception
    true, said = at.selectbox(key="cell-true-softmax").value, at.selectbox(key="cell-said-softmax").value
    assert true != said, "a mix-up first"
    assert "Would you have read them right?" in at.caption[0].value
    assert len(at.get("image")[0].proto.imgs) == mistakes_view.SHOWN  # the softmax mixes its worst pair often
    at.selectbox(key="cell-said-softmax").set_value(true).run()  # the diagonal: read right, least sure first
    assert at.caption[0].value.startswith("It read ") and "least sure of" in at.caption[0].value
    captions = [image.caption for image in at.get("image")[0].proto.imgs]
    assert all(caption.endswith("sure") for caption in captions)


def test_a_square_clicked_on_the_matrix_is_read_from_its_selection():
    class Event:
        selection = {mistakes_view.CELL: [{"true": "4", "predicted": "9"}]}

    assert mistakes_view._picked(Event()) == (4, 9)
    assert mistakes_view._picked(type("Nothing", (), {"selection": {}})()) is None
    squares = mistakes_view.CONFUSION["layer"][0]
    assert squares["params"][0]["select"] == {"type": "point", "fields": ["true", "predicted"]}
