"""User-given text shown as typed: file names, and the library's messages that quote them.

Streamlit renders Markdown in st.markdown, st.error, st.warning, st.info and captions, so an upload named
"[win](http://…).png" showed a link and "![x](http://…).png" an image fetched from elsewhere. Every character
Markdown (or Streamlit's :icon: and $math$ syntax) gives a meaning to anywhere in a line is escaped with a
backslash, and so is a list's or heading's mark at the start of a line; dots and dashes inside sentences stay.
"""

from __future__ import annotations

import re

_MEANINGFUL = re.compile(r"([\\`*_{}\[\]()#!|<>~$:&])")
_NUMBERED = re.compile(r"^(\s*\d+)\.", re.MULTILINE)  # "1. " at a line's start opens a numbered list
_MARK = re.compile(r"^(\s*)([-+=])", re.MULTILINE)  # "- ", "+ " open a list, "===" underlines a heading


def plain(text: str) -> str:
    """`text` escaped so that Markdown shows it character for character."""
    escaped = _MEANINGFUL.sub(r"\\\1", str(text))
    return _MARK.sub(r"\1\\\2", _NUMBERED.sub(r"\1\\.", escaped))
