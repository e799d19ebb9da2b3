"""Drawing on the Draw page's own canvas with a mouse or a finger, at whatever size the screen shows it.

The page can hold more than one canvas (the "Teach it your handwriting" section has its own), so the
drawing canvas is found by its key. A finger is real touch input: Chrome's DevTools protocol dispatches
touchStart / touchMove / touchEnd as a phone's screen would (Playwright's touchscreen only taps).
"""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Locator, Page, expect

from browser_steps import APP_READY_MS, MOVE_STEPS, Stroke

CANVAS = ".st-key-canvas canvas.upper-canvas"  # the drawing surface of the Draw page's canvas (key "canvas")
TOUCH_STEPS = 6  # touch moves between two points of a stroke


def drawing_canvas(page: Page) -> Locator:
    return page.locator(CANVAS)


def _scaled(page: Page, strokes: list[Stroke], canvas_width: int) -> tuple[list[Stroke], dict]:
    """The strokes (in canvas pixels) in screen pixels, for a canvas shown at any size (a phone shows it smaller)."""
    surface = drawing_canvas(page)
    expect(surface).to_be_visible(timeout=APP_READY_MS)  # the first visit after a start loads the model
    box = surface.bounding_box()
    scale = box["width"] / canvas_width
    return [[(box["x"] + x * scale, box["y"] + y * scale) for x, y in stroke] for stroke in strokes], box


def draw_with_mouse(page: Page, strokes: list[Stroke], canvas_width: int = 280) -> None:
    for stroke in _scaled(page, strokes, canvas_width)[0]:
        page.mouse.move(*stroke[0])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(x, y, steps=MOVE_STEPS)
        page.mouse.up()


def draw_with_finger(context: BrowserContext, page: Page, strokes: list[Stroke], canvas_width: int = 280) -> None:
    """Touch events, as a finger on a phone sends them (the context needs has_touch=True)."""
    session = context.new_cdp_session(page)
    try:
        for stroke in _scaled(page, strokes, canvas_width)[0]:
            session.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                                      "touchPoints": [{"x": stroke[0][0], "y": stroke[0][1]}]})
            for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
                for step in range(1, TOUCH_STEPS + 1):
                    t = step / TOUCH_STEPS
                    point = {"x": x0 + (x1 - x0) * t, "y": y0 + (y1 - y0) * t}
                    session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
            session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        session.detach()
