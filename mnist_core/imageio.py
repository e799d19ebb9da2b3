"""Safe decoding of any user input into one kind of array.

Uploads, files on disk, canvas arrays and PIL images all arrive here and leave
as an RGBA uint8 array, so the rest of the library handles exactly one format.
Everything a stranger can send is hostile until proven otherwise: sizes are
checked from the header before any pixel is decoded, only the listed formats
are parsed (no EPS/Ghostscript, no plugins nobody asked for), and every failure
becomes an `ImageError` whose message tells a non-programmer what to do.

Memory stays bounded for huge valid photos: JPEGs are decoded at 1/2, 1/4 or
1/8 scale, other images are reduced to MAX_SIDE a band of rows at a time (no
full-size converted copy ever exists), and numpy work starts after reduction.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from mnist_core.errors import ImageError

MAX_PIXELS = 40_000_000  # checked BEFORE decoding (decompression bombs)
MAX_BYTES = 25 * 1024 * 1024
SUPPORTED = "PNG, JPEG, GIF, BMP, WebP or TIFF"
MAX_SIDE = 1600  # huge photos are reduced to this many pixels on the long side
# Pillow's WebP decoder holds about four full-size RGBA copies (16 MP: ~250 MB), and cannot decode at reduced scale.
MAX_WEBP_PIXELS = 16_000_000
BAND_ROWS = 64  # a big image is converted and reduced this many output rows at a time

# Pillow plugins we let parse untrusted bytes (MPO: phone JPEGs, DIB: BMP kin).
_FORMATS = ("PNG", "JPEG", "MPO", "GIF", "BMP", "DIB", "WEBP", "TIFF")
_SNIFF_BYTES = 512  # enough of the head of a file to recognise what it is
_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N")
_HIGH_BIT_MODES = ("I", "F", *_SIXTEEN_BIT_MODES)  # reduced as float ("F"), scaled to 0..255 in numpy
_ORIENTATION_TAG = 0x0112  # EXIF: how the camera was held
_TRANSPOSE = {  # EXIF orientation -> the transposition that makes the image upright (as ImageOps.exif_transpose)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_UPLOAD_HINT = f"Upload a {SUPPORTED} file."

def load_image(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview | Image.Image | np.ndarray,
    *,
    name: str | None = None,
) -> np.ndarray:
    """Return an RGBA uint8 array HxWx4 (alpha kept; 255 when the source has none).

    Accepts file paths, raw bytes, PIL images and numpy arrays (HxW, HxWx1/2/3/4;
    bool, integer, or float in [0, 1] or [0, 255]). Raises `ImageError` with a
    message naming the input for anything that is not a usable image.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        return _from_bytes(_read_file(path, name or path.name), name or path.name)
    label = name or "The image"
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _from_bytes(bytes(source), label)
    if isinstance(source, Image.Image):
        return _from_pil(source, label)
    if isinstance(source, np.ndarray):
        return _from_array(source, label)
    raise ImageError(
        f"{label} is a {type(source).__name__}, not an image. "
        "Pass a file path, the file's bytes, a PIL image or a numpy array."
    )


def _read_file(path: Path, label: str) -> bytes:
    """Read a file after checking it exists and is not too big to hold."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ImageError(f"{label} is a folder, not an image file. {_UPLOAD_HINT}")
        if size > MAX_BYTES:
            raise ImageError(_too_large(label, size))
        return path.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"{label} was not found. Check the file name and folder.") from None
    except PermissionError:
        raise ImageError(f"{label} cannot be opened: permission denied.") from None
    except OSError as exc:
        raise ImageError(f"{label} could not be read ({exc.strerror or exc}).") from exc


def _too_large(label: str, size: int) -> str:
    return (
        f"{label} is too large ({size / 2**20:.1f} MB; the limit is "
        f"{MAX_BYTES // 2**20} MB). Upload a smaller or more compressed image."
    )


def _from_bytes(data: bytes, label: str) -> np.ndarray:
    """Decode encoded image bytes, checking sizes from the header first."""
    if not data:
        raise ImageError(f"{label} is empty (0 bytes). {_UPLOAD_HINT}")
    if len(data) > MAX_BYTES:
        raise ImageError(_too_large(label, len(data)))
    _check_webp_size(data, label)  # before Image.open: Pillow's WebP decoder allocates its canvas there
    Image.init()  # register every plugin, so the filter below sees them all
    # Pillow 13 folded MPO into JPEG; naming a format it lacks would raise KeyError.
    formats = [name for name in _FORMATS if name in Image.OPEN]
    try:
        image = Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refused the header size: far beyond our own limit.
        raise ImageError(_too_many_pixels(label, None)) from None
    except Exception:
        raise ImageError(f"{label} is not an image we can read ({_sniff(data)}). {_UPLOAD_HINT}") from None
    _check_size(image.size, label)
    try:
        # JPEG can decode at 1/2, 1/4 or 1/8 scale, so big photos stay cheap.
        image.draft(None, _bounded_size(image.size))
        image.load()
    except Exception as exc:
        raise ImageError(
            f"{label} is damaged or incomplete and cannot be decoded. "
            "Save or export it again, then upload the new file."
        ) from exc
    return _from_pil(image, label)


def _sniff(data: bytes) -> str:
    """Say in plain words what non-image bytes look like."""
    head = data[:_SNIFF_BYTES]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<head" in text or b"<body" in text:
        return "it looks like an HTML web page"
    if b"<svg" in text:
        return "it looks like an SVG drawing, which we do not support"
    if text.startswith(b"%pdf"):
        return "it looks like a PDF document"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "it looks like an HEIC photo; export it as JPEG first"
    if head.startswith((b"\x89PNG", b"\xff\xd8", b"GIF8", b"BM", b"RIFF", b"II*\0", b"MM\0*")):
        return "it starts like an image but its header is damaged"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "its contents are not in a format we recognise"
    return "it looks like a text file"


def _check_webp_size(data: bytes, label: str) -> None:
    """Refuse a WebP over MAX_WEBP_PIXELS from its header (VP8, VP8L or VP8X chunk)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or len(data) < 30:
        return
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: canvas size - 1, 24-bit little endian
        width, height = 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    elif chunk == b"VP8L" and data[20] == 0x2F:  # lossless: 14-bit sizes - 1 after the signature byte
        bits = int.from_bytes(data[21:25], "little")
        width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    elif chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":  # lossy: 14-bit sizes after the start code
        width = int.from_bytes(data[26:28], "little") & 0x3FFF
        height = int.from_bytes(data[28:30], "little") & 0x3FFF
    else:
        return  # not a size we can read here: Pillow judges the file
    if width * height > MAX_WEBP_PIXELS:
        raise ImageError(
            f"{label} is a WebP image of {width}x{height} pixels; WebP is limited to "
            f"{MAX_WEBP_PIXELS // 1_000_000} megapixels here. Save it as JPEG or PNG, or resize it, and try again."
        )


def _check_size(size: tuple[int, int], label: str) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageError(f"{label} has no pixels ({width}x{height}). {_UPLOAD_HINT}")
    if width * height > MAX_PIXELS:
        raise ImageError(_too_many_pixels(label, (width, height)))


def _too_many_pixels(label: str, size: tuple[int, int] | None) -> str:
    dims = f" ({size[0]}x{size[1]})" if size else ""
    return (
        f"{label} has too many pixels{dims}; the limit is {MAX_PIXELS // 1_000_000} megapixels. "
        "Resize it to a smaller image and upload it again."
    )


def _bounded_size(size: tuple[int, int]) -> tuple[int, int]:
    """Size that fits in MAX_SIDE x MAX_SIDE, keeping the aspect ratio."""
    width, height = size
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _from_pil(image: Image.Image, label: str) -> np.ndarray:
    """Convert a (possibly lazy, animated, rotated, exotic-mode) PIL image to RGBA."""
    _check_size(image.size, label)
    try:
        image.seek(0)  # animated GIF/WebP/TIFF: keep the first frame
        orientation = _orientation(image)
        mode = _working_mode(image)
        small = _shrink(image, mode)
        if orientation in _TRANSPOSE:
            small = small.transpose(_TRANSPOSE[orientation])
        if mode == "F":
            # 16-bit and 32-bit pixels: Pillow would clip them, numpy scales them.
            values = np.asarray(small)
            if image.mode in _SIXTEEN_BIT_MODES:
                values = np.clip(values / 257.0 + 0.5, 0, 255).astype(np.uint8)  # 65535 -> 255
            elif image.mode == "I":
                values = np.rint(values).astype(np.int32)
            return _from_array(values, label)
        return np.array(small.convert("RGBA"))
    except ImageError:
        raise
    except Exception as exc:
        raise ImageError(
            f"{label} could not be decoded (colour mode {image.mode!r} or damaged data). "
            "Save it as an ordinary PNG or JPEG and try again."
        ) from exc


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation that phone cameras record instead of rotating (1: upright)."""
    try:
        return int(image.getexif().get(_ORIENTATION_TAG, 1))
    except Exception:
        return 1  # a damaged EXIF block only costs us the orientation


def _working_mode(image: Image.Image) -> str:
    """The Pillow mode to reduce in: grey or colour, with alpha when the image has any; "F" for high bit depths."""
    if image.mode in _HIGH_BIT_MODES:
        return "F"
    transparent = "transparency" in image.info or image.mode in ("LA", "La", "PA", "RGBA", "RGBa")
    grey = image.mode in ("1", "L", "LA", "La")
    return ("LA" if transparent else "L") if grey else ("RGBA" if transparent else "RGB")


def _shrink(image: Image.Image, mode: str) -> Image.Image:
    """`image` in `mode`, reduced to MAX_SIDE on the long side.

    A big image is converted and reduced a band of rows at a time: Pillow
    would otherwise make full-size copies (a palette PNG in RGBA, or RGBA
    premultiplied for resizing: 160 MB each at 40 megapixels). Each band's
    exact, fractional source rows are box-averaged, so the bands join seamlessly.
    """
    target = _bounded_size(image.size)
    if target == image.size:
        return image if image.mode == mode else image.convert(mode)
    width, height = image.size
    ratio = height / target[1]  # source rows per output row
    reduced = Image.new(mode, target)
    for top in range(0, target[1], BAND_ROWS):
        bottom = min(target[1], top + BAND_ROWS)
        first, last = top * ratio, min(height, bottom * ratio)  # fractional source rows
        row0, row1 = int(first), min(height, math.ceil(last))
        band = image.crop((0, row0, width, row1))
        if band.mode != mode:
            band = band.convert(mode)
        box = (0, first - row0, width, last - row0)
        reduced.paste(band.resize((target[0], bottom - top), Image.Resampling.BOX, box=box), (0, top))
    return reduced


def _from_array(array: np.ndarray, label: str) -> np.ndarray:
    """Validate a numpy image and scale it to RGBA uint8."""
    while array.ndim > 3 and array.shape[0] == 1:
        array = array[0]  # a batch of one, e.g. (1, 28, 28, 1)
    if array.ndim == 3 and array.shape[-1] not in (1, 2, 3, 4):
        raise ImageError(
            f"{label} has shape {array.shape}; expected height x width with 1, 3 or 4 "
            "colour channels last (HxW, HxWx1, HxWx3 or HxWx4)."
        )
    if array.ndim not in (2, 3):
        raise ImageError(
            f"{label} has shape {array.shape}; expected a 2-D grey image (HxW) "
            "or a colour image (HxWx3 or HxWx4)."
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ImageError(f"{label} has no pixels (shape {array.shape}).")
    if array.shape[0] * array.shape[1] > MAX_PIXELS:
        raise ImageError(_too_many_pixels(label, (array.shape[1], array.shape[0])))
    if not (array.dtype == bool or np.issubdtype(array.dtype, np.number)) or np.iscomplexobj(array):
        raise ImageError(f"{label} holds {array.dtype} values; expected numbers (uint8 or float).")
    pixels = _to_uint8(_shrink_array(array), label)  # reduce first: the scaling works on a small copy
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    channels = pixels.shape[2]
    if channels in (1, 2):  # grey, grey + alpha
        pixels = np.concatenate([np.repeat(pixels[:, :, :1], 3, axis=2), pixels[:, :, 1:]], axis=2)
    if pixels.shape[2] == 3:
        pixels = np.dstack([pixels, np.full(pixels.shape[:2], 255, np.uint8)])
    return np.ascontiguousarray(pixels)


def _shrink_array(array: np.ndarray) -> np.ndarray:
    """Reduce an array image to MAX_SIDE on the long side (area averaging), keeping its value range."""
    height, width = array.shape[:2]
    if max(height, width) <= MAX_SIDE:
        return array
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255  # as _to_uint8 would map it
    elif array.dtype not in (np.uint8, np.uint16, np.int16, np.float32, np.float64):
        array = array.astype(np.float32)  # depths OpenCV cannot resize
    # NaN and infinity survive the averaging, so _to_uint8 still refuses them.
    return cv2.resize(array, _bounded_size((width, height)), interpolation=cv2.INTER_AREA)


def _to_uint8(array: np.ndarray, label: str) -> np.ndarray:
    """Map bool, integer or float pixel values onto 0..255."""
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:
        return (array.astype(np.float32) / 257.0 + 0.5).astype(np.uint8)  # 65535 -> 255
    if not np.isfinite(array).all():
        raise ImageError(f"{label} contains NaN or infinite values; every pixel must be a number.")
    # float32 is exact enough for 0..255; float64 and 64-bit integers keep their own precision for the range.
    values = array.astype(np.float64 if array.dtype.itemsize == 8 else np.float32)
    low, high = values.min(), values.max()
    if low >= 0 and high <= 1 and np.issubdtype(array.dtype, np.floating):
        values *= 255.0  # float images in [0, 1]
    elif low < 0 or high > 255:
        # Unknown range (e.g. 16-bit in int32, standardised floats): stretch it.
        if high > low:
            values -= low
            values *= 255.0 / (high - low)
        else:
            values[:] = 0
    values += 0.5
    return np.clip(values, 0, 255, out=values).astype(np.uint8)
