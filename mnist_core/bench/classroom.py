"""Classroom load: N people drawing on one real app server while one training runs.

The server is `streamlit run app.py` itself, with an empty home folder. One session (the projector) opens
the Train page and starts a training there, so it is the server's shared job, and keeps redrawing its live
chart as a browser would. Then, for each N, N sessions open the Draw & Upload page and draw digits, one
after another with a pause to look at the answer, and each drawing's time to its answer is measured.

A browser per person does not fit 30 people on 2 cores, so each session is a protocol-level client: it
speaks Streamlit's websocket (/_stcore/stream, BackMsg/ForwardMsg protobufs) as the browser does. What the
canvas sends was recorded from Chromium drawing on the page (tests/e2e/drawing_steps.py) and is replayed
here: the component's JSON state {"drawing": {"raw": Fabric.js JSON, "data": PNG data URL}}.

Drawing-to-answer: from the message that carries the finished drawing to the arrival of the "Prediction"
metric with an answer in it (what the person waits for); the whole page (every model's reading below the
answer) is timed to the end of the script run. A person looks at the answer once it is there and then draws
the next digit, whether or not the rest of the page has come (a browser sends the new drawing at once, and
the server drops the rest of the old page for it).

Streamlit and websockets are imported here only, inside the functions (the library never imports them).
"""

from __future__ import annotations

import asyncio
import base64
import collections
import io
import json
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .inputs import Say
from .server import START_SECONDS, Server, start_server, stop_server

SESSIONS = (1, 10, 30)
PHASE_SECONDS = 45.0  # drawing time per N (after every session has opened the page)
THINK_SECONDS = (2.0, 5.0)  # a person looks at the answer, then draws the next digit: uniform in this range
TRAINING_EPOCHS = 20  # the fast preset for this many epochs outlasts every phase (the server is stopped after)
ANSWER_SECONDS = 60.0  # a drawing with no answer after this long counts as a miss
OPEN_CONCURRENCY = 5  # sessions opening the page at once before a phase (a class does not arrive in 1 s)
TARGET_P95_SECONDS = 1.0
DRAW_PAGE, TRAIN_PAGE = "draw-and-upload", "training"
NO_ANSWER = "—"  # the Prediction metric before a drawing is read (app_pages/draw.py)

# Digits as pen strokes on the 280x280 canvas (as in tests/e2e/browser_steps.py), and the digit meant.
STROKES: dict[int, list[list[tuple[float, float]]]] = {
    1: [[(140, 45), (140, 235)]],
    7: [[(75, 60), (205, 60), (180, 110), (150, 170), (125, 235)]],
    0: [[(140 + 62 * np.sin(t / 24 * 2 * np.pi), 140 - 95 * np.cos(t / 24 * 2 * np.pi)) for t in range(26)]],
    4: [[(170, 235), (170, 45), (70, 170), (215, 170)]],
    2: [[(80, 90), (110, 55), (160, 50), (195, 85), (185, 130), (80, 230), (210, 230)]],
}
PEN = 22  # the canvas's default pen width (ui/canvas_view.STROKE_WIDTHS)
CANVAS = 280


def drawing_state(digit: int, rng: random.Random) -> str:
    """The canvas component's state after drawing `digit` (strokes jittered a little): the JSON it sends."""
    from PIL import Image, ImageDraw

    dx, dy = rng.uniform(-20, 20), rng.uniform(-15, 15)
    strokes = [[(x + dx + rng.uniform(-4, 4), y + dy + rng.uniform(-4, 4)) for x, y in stroke]
               for stroke in STROKES[digit]]
    image = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 255))
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        pen.line(stroke, fill=(255, 255, 255, 255), width=PEN, joint="curve")
        for x, y in (stroke[0], stroke[-1]):  # round caps, as Fabric.js draws them
            pen.ellipse((x - PEN / 2, y - PEN / 2, x + PEN / 2, y + PEN / 2), fill=(255, 255, 255, 255))
    png = io.BytesIO()
    image.save(png, format="PNG")
    objects = [{"type": "Path", "version": "7.4.0", "originX": "center", "originY": "center", "fill": None,
                "stroke": "#FFFFFF", "strokeWidth": PEN, "strokeLineCap": "round", "strokeLineJoin": "round",
                "path": [["M", *stroke[0]], *(["L", x, y] for x, y in stroke[1:])]} for stroke in strokes]
    return json.dumps({"drawing": {"raw": {"version": "7.4.0", "objects": objects, "background": "#000000"},
                                   "data": "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()}})


# --- one browser session, spoken at the protocol level ------------------------------------------------------------

@dataclass
class Run:
    """What one script run sent back: when the answer and the end arrived, and the widgets it drew."""

    answer: str | None = None
    answer_at: float | None = None
    finished_at: float | None = None
    widgets: dict[str, Any] = field(default_factory=dict)  # id -> the element proto (label, id, ...)
    error: str | None = None
    sent_at: float = 0.0
    cut_short: bool = False  # a newer drawing came before this run had drawn the whole page
    answered: asyncio.Event = field(default_factory=asyncio.Event)  # the answer, or the end without one
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def end(self, now: float | None, cut_short: bool = False) -> None:
        self.finished_at, self.cut_short = now, cut_short
        self.answered.set()
        self.done.set()


class Session:
    """One person's browser tab: a websocket to /_stcore/stream that asks for script runs and reads the deltas."""

    def __init__(self, url: str, page: str) -> None:
        self.url, self.page = url, page
        self.socket = None
        self.page_hash = ""
        self.widgets: dict[str, Any] = {}
        self._run: Run | None = None  # the run the server is working on (its new_session message has come)
        self._sent: collections.deque[Run] = collections.deque()  # asked for, not yet begun
        self._reader: asyncio.Task | None = None
        self._auto: dict[str, asyncio.Task] = {}
        self.widget_state: list = []  # what a fragment's own reruns send (the browser sends its widgets)

    async def open(self) -> Run:
        import websockets

        address = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.socket = await websockets.connect(address, subprotocols=["streamlit"], max_size=None,
                                               ping_interval=None, open_timeout=60)
        self._reader = asyncio.create_task(self._read())
        return await self.rerun([])

    async def close(self) -> None:
        for task in self._auto.values():
            task.cancel()
        if self._reader:
            self._reader.cancel()
        if self.socket is not None:
            await self.socket.close()

    def _back_message(self, widgets: list, fragment_id: str = "") -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        rerun = message.rerun_script
        rerun.page_name = self.page
        rerun.page_script_hash = self.page_hash
        rerun.widget_states.widgets.extend(widgets)
        if fragment_id:
            rerun.fragment_id, rerun.is_auto_rerun = fragment_id, True
        context = rerun.context_info
        context.timezone, context.locale, context.color_scheme = "UTC", "en-US", "light"
        context.url = f"{self.url}/{self.page}"
        return message.SerializeToString()

    async def send(self, widgets: list) -> Run:
        """Ask for a script run with these widget states, as a browser does when one changes; do not wait."""
        run = Run(sent_at=time.perf_counter())
        self._sent.append(run)
        await self.socket.send(self._back_message(widgets))
        return run

    async def rerun(self, widgets: list, timeout: float = ANSWER_SECONDS) -> Run:
        """Ask for a script run with these widget states; return when it has finished (or timed out)."""
        run = await self.send(widgets)
        try:
            await asyncio.wait_for(run.done.wait(), timeout)
        except asyncio.TimeoutError:
            run.error = "timeout"
        return run

    def _begun(self, now: float) -> None:
        """A run began on the server: the oldest one asked for. One still going was stopped for it."""
        if self._run is not None and not self._run.done.is_set():
            self._run.end(None, cut_short=True)
        if self._sent:
            self._run = self._sent.popleft()

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        async for payload in self.socket:
            now = time.perf_counter()
            message = ForwardMsg()
            message.ParseFromString(payload)
            kind = message.WhichOneof("type")
            run = self._run
            if kind == "new_session":
                self.page_hash = message.new_session.page_script_hash or self.page_hash
                self._begun(now)
                run = self._run
            elif kind == "navigation":
                self.page_hash = message.navigation.page_script_hash or self.page_hash
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                inner = getattr(element, element.WhichOneof("type"))
                if getattr(inner, "id", ""):
                    self.widgets[inner.id] = inner
                if run is not None:
                    if element.WhichOneof("type") == "metric" and inner.label == "Prediction" \
                            and inner.body != NO_ANSWER and run.answer_at is None:
                        run.answer, run.answer_at = inner.body, now
                        run.answered.set()
                    if element.WhichOneof("type") == "exception":
                        run.error = inner.message
            elif kind == "auto_rerun":  # a fragment that redraws itself (the live chart): the browser asks for it
                fragment = message.auto_rerun.fragment_id
                if fragment not in self._auto:
                    self._auto[fragment] = asyncio.create_task(self._every(message.auto_rerun.interval, fragment))
            elif kind == "script_finished" and run is not None and not run.done.is_set():
                run.end(now, cut_short=message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN)

    async def _every(self, interval: float, fragment: str) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.socket.send(self._back_message(self.widget_state, fragment_id=fragment))

    def find(self, suffix: str = "", label: str = "") -> str | None:
        """The id of a widget drawn so far, by its key (the id ends in "-key") or its label."""
        for widget_id, widget in self.widgets.items():
            if (suffix and widget_id.endswith("-" + suffix)) or (label and getattr(widget, "label", "") == label):
                return widget_id
        return None


def canvas_state(session: Session, state: str) -> list:
    """The widget states a rerun carries when the canvas on `session`'s page holds `state` (its JSON)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    widget = WidgetState(id=session.find("canvas"), json_value=state)
    return [widget]


# --- the training on the projector ------------------------------------------------------------------------------

async def start_training(url: str, epochs: int) -> Session:
    """The projector: open Train, set the epochs, press Start training; the session then follows the live chart."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    projector = Session(url, TRAIN_PAGE)
    await projector.open()
    epochs_id, start_id = projector.find("epochs-fast"), projector.find(label="Start training")
    if epochs_id is None or start_id is None:
        raise RuntimeError("The Train page has no Epochs field or Start training button for the fast preset.")
    projector.widget_state = [WidgetState(id=epochs_id, int_value=epochs)]
    run = await projector.rerun([*projector.widget_state, WidgetState(id=start_id, trigger_value=True)])
    if run.error:
        raise RuntimeError(f"Starting the training failed: {run.error}")
    return projector


def training_finished(home: Path) -> bool:
    """A finished (or stopped) run has written its model file into the home's models folder."""
    return any((home / "models").glob("*.keras"))


# --- the measurement -----------------------------------------------------------------------------------------

@dataclass
class Drawn:
    seconds_to_answer: float | None
    seconds_to_page: float | None
    digit: int
    answer: str | None
    error: str | None
    cut_short: bool = False  # the person drew again before the rest of the page (below the answer) had come


async def _person(session: Session, rng: random.Random, until: float, drawn: list[Drawn]) -> None:
    """Draw, wait for the answer, look at it, draw the next digit, until the phase ends.

    The next drawing goes out 2-5 s after the answer came, whether or not the rest of the page has (a browser
    does not wait for it either); a page still being drawn then is counted as cut short.
    """
    await asyncio.sleep(rng.uniform(*THINK_SECONDS))  # people do not all lift the pen in the same instant
    runs: list[tuple[int, Run]] = []
    try:
        while time.perf_counter() < until:
            digit = rng.choice(list(STROKES))
            run = await session.send(canvas_state(session, drawing_state(digit, rng)))
            runs.append((digit, run))
            try:
                await asyncio.wait_for(run.answered.wait(), ANSWER_SECONDS)
            except asyncio.TimeoutError:
                run.error = "timeout"
            await asyncio.sleep(rng.uniform(*THINK_SECONDS))
        if runs:  # the last page may still be coming
            await asyncio.wait_for(runs[-1][1].done.wait(), ANSWER_SECONDS)
    except asyncio.TimeoutError:
        runs[-1][1].error = "timeout"
    finally:
        drawn.extend(Drawn(None if run.answer_at is None else run.answer_at - run.sent_at,
                           None if run.finished_at is None or run.cut_short else run.finished_at - run.sent_at,
                           digit, run.answer, run.error, run.cut_short) for digit, run in runs)


async def open_all(url: str, count: int) -> list[Session]:
    """`count` people open the Draw page, a few at a time as a class arrives; each must see the canvas."""
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)

    async def one() -> Session:
        async with gate:
            session = Session(url, DRAW_PAGE)
            run = await session.open()
            if session.find("canvas") is None:
                raise RuntimeError(f"The Draw page showed no canvas ({run.error or 'no error shown'}).")
            return session

    return list(await asyncio.gather(*(one() for _ in range(count))))


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(np.ceil(share * len(ordered))) - 1))]


def _summary(drawn: list[Drawn]) -> dict[str, Any]:
    answers = [d.seconds_to_answer for d in drawn if d.seconds_to_answer is not None]
    pages = [d.seconds_to_page for d in drawn if d.seconds_to_page is not None]
    ms = lambda value: None if value is None else round(value * 1000)  # noqa: E731
    return {"drawings": len(drawn), "answered": len(answers),
            "answer_ms_p50": ms(statistics.median(answers)) if answers else None,
            "answer_ms_p95": ms(percentile(answers, 0.95)), "answer_ms_max": ms(max(answers, default=None)),
            "page_ms_p50": ms(statistics.median(pages)) if pages else None,
            "page_ms_p95": ms(percentile(pages, 0.95)),
            "read_as_drawn": sum(d.answer == str(d.digit) for d in drawn),
            "pages_cut_short": sum(d.cut_short for d in drawn),
            "errors": sorted({d.error for d in drawn if d.error})[:3]}


async def drawing_phase(server: Server, count: int, seconds: float, seed: int) -> dict[str, Any]:
    """`count` people draw for `seconds`: drawing-to-answer and whole-page times, answers, server memory."""
    sessions = await open_all(server.url, count)
    rss: list[int] = []

    async def sample() -> None:
        while True:
            rss.append(server.memory_mb()["VmRSS"])
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    drawn: list[Drawn] = []
    until = time.perf_counter() + seconds
    load_before = os.getloadavg()[0]
    try:
        await asyncio.gather(*(_person(session, random.Random(seed * 1000 + i), until, drawn)
                               for i, session in enumerate(sessions)))
    finally:
        sampler.cancel()
        await asyncio.gather(*(session.close() for session in sessions), return_exceptions=True)
    return {"sessions": count, **_summary(drawn), "server_rss_mb_max": max(rss, default=None),
            "training_running_at_end": not training_finished(server.home),
            "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)]}


async def _classroom(server: Server, sessions: tuple[int, ...], seconds: float, epochs: int,
                     say: Say) -> dict[str, Any]:
    result: dict[str, Any] = {}
    first = (await open_all(server.url, 1))[0]  # the first visit loads TensorFlow and the models
    run = await first.rerun(canvas_state(first, drawing_state(7, random.Random(0))), timeout=START_SECONDS)
    await first.close()
    await asyncio.sleep(3)
    result["first_prediction"] = {"answer": run.answer, "error": run.error,
                                  "server_rss_mb": server.memory_mb()["VmRSS"]}
    say(f"  classroom: first drawing read as {run.answer}; server {result['first_prediction']['server_rss_mb']} MB")
    projector = await start_training(server.url, epochs)
    result["phases"] = []
    try:
        for number, count in enumerate(sessions):
            phase = await drawing_phase(server, count, seconds, seed=number)
            result["phases"].append(phase)
            say(f"  classroom: N={count}: answer p50 {phase['answer_ms_p50']} ms, p95 {phase['answer_ms_p95']} ms "
                f"({phase['answered']}/{phase['drawings']} drawings, whole page p95 {phase['page_ms_p95']} ms), "
                f"server {phase['server_rss_mb_max']} MB, training running: {phase['training_running_at_end']}")
    finally:
        await projector.close()
    result["server_peak_rss_mb"] = server.memory_mb()["VmHWM"]
    return result


def classroom(say: Say, sessions: tuple[int, ...] = SESSIONS, seconds: float = PHASE_SECONDS,
              epochs: int = TRAINING_EPOCHS) -> dict[str, Any]:
    """p50/p95 drawing-to-answer for each number of people drawing at once, while one training runs."""
    with tempfile.TemporaryDirectory(prefix="mnist-classroom-") as folder:
        server = start_server(Path(folder))
        try:
            result = asyncio.run(_classroom(server, sessions, seconds, epochs, say))
        finally:
            stop_server(server)
    worst = result["phases"][-1] if result["phases"] else {}
    result.update({"think_seconds": list(THINK_SECONDS), "phase_seconds": seconds, "training_epochs": epochs,
                   "target_p95_ms": round(TARGET_P95_SECONDS * 1000),
                   "meets_target": worst.get("answer_ms_p95") is not None
                   and worst["answer_ms_p95"] <= TARGET_P95_SECONDS * 1000})
    return result
