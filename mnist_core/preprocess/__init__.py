"""Any image -> MNIST-like 28x28 digits, keeping every step.

Models only ever saw MNIST: white digits on black, fitted into a 20x20 box with
soft anti-aliased edges and centred by centre of mass in 28x28. Canvas strokes
and phone photos are far from that (transparency, dark ink on tinted paper,
shadows, noise, several digits, thin or fat pens), so every input goes through
the same stages, and each intermediate image is kept for the app to show.
One module per stage, in the order `pipeline.preprocess` runs them:

  greyscale        colour and transparency -> grey, at the working resolution
  canvas           a clean drawing (one paper, one ink): read at its own size, skipping the
                   table, margin, lighting and ruled-line stages (photos and scans never are)
  boxes            printed boxes, rows of boxes, plot frames and answer lines taken away (and what lies
                   outside a box: tick labels, printed words), before the checks (thin lines pass for grain)
  answer_line      the printed line a digit is written on, found for `boxes` to paint over
  blank_or_noise   anything to read? (blank, noise; the reasons said when not)
  paper_on_table   a sheet photographed on a dark table: the table painted over
  polarity         dark ink on light paper, or light on dark?
  tight_crop       a glyph that fills the frame gets a margin of paper
  lighting         shadows and uneven light divided out -> an ink map
  ink_mask         every pixel decided: ink or paper
  ruled_lines      notebook rules found and taken out
  cleanup          connected marks, minus specks and marks at the edges
  segmentation     marks grouped into digits, left to right (joined, split, judged; one per printed box)
  mnist_format     each digit cropped, stroke normalised, fitted to 20x20, centred by mass
  stretch          a digit stretched to fill its frame made narrow again (when the model is far surer of it)
  steps            the pictures the app shows: Step, changed-or-not, boxes, mosaic

Shared by several stages: `marks` (Part, a mark's box and pixels; mask geometry)
and `pixels` (resize, uint8, odd kernel sizes).
"""

from .blank_or_noise import BLANK, EMPTY_CANVAS, NOISE, NOTHING
from .mnist_format import BOX, SIDE
from .pipeline import Preprocessed, preprocess
from .segmentation import Judge
from .steps import Step

__all__ = ["BLANK", "BOX", "EMPTY_CANVAS", "NOISE", "NOTHING", "SIDE", "Judge", "Preprocessed", "Step", "preprocess"]
