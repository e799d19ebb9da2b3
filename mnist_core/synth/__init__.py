"""Realistic evaluation inputs: MNIST test digits, font digits, and things that are not digits.

Everything is deterministic given the numpy Generator (or seed) it is handed. One module per job:

  ink       the drawing tools every generator shares: scale, turn, trim, place, redraw with a pen, wobble
  fonts     clean characters from Hershey and TrueType fonts (also the start of `mnist_core.writers`)
  styles    what people send: phone photos, canvas drawings, scans, strips of digits; inputs with no digit
  glyphs    sources that are not MNIST: font digits, and letters, shapes and scribbles that are no digit
  crops     digits that fill the picture: tight crops and frames, at any size
  forms     digits in printed boxes, on answer lines, and in plots
"""

from .crops import CROP_SIZES, FRAME_SIZES, crop, crops, framed, frames, tight_crop
from .fonts import truetype_fonts
from .forms import FORMS, answer_line, boxed, boxed_row, boxed_rows, plot_frame
from .glyphs import LETTERS, NON_DIGIT_MIX, SHAPES, font_digits, non_digits
from .styles import CANVAS_SIZE, NOT_DIGITS, TRANSFORMS, canvas_like, generate, photo_like, strip, strips

__all__ = ["CANVAS_SIZE", "CROP_SIZES", "FORMS", "FRAME_SIZES", "LETTERS", "NON_DIGIT_MIX", "NOT_DIGITS", "SHAPES",
           "TRANSFORMS", "answer_line", "boxed", "boxed_row", "boxed_rows", "canvas_like", "crop", "crops",
           "font_digits", "framed", "frames", "generate", "non_digits", "photo_like", "plot_frame", "strip", "strips",
           "tight_crop", "truetype_fonts"]
