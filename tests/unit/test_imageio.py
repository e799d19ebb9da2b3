"""load_image: every kind of source, and hostile input that must fail clearly."""

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from mnist_core import imageio
from mnist_core.errors import ImageError
from mnist_core.imageio import MAX_SIDE, load_image


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size its (tiny) data does not hold."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


GREY = np.tile(np.arange(0, 256, 16, dtype=np.uint8), (8, 1))  # 8x16 ramp


def assert_rgba(array: np.ndarray, height: int, width: int) -> None:
    assert array.dtype == np.uint8
    assert array.shape == (height, width, 4)


# --- Every source type -------------------------------------------------------


def test_path_and_bytes_and_pil_give_the_same_pixels(tmp_path):
    path = tmp_path / "ramp.png"
    Image.fromarray(GREY).save(path)
    from_path = load_image(path)
    from_str = load_image(str(path))
    from_bytes = load_image(path.read_bytes())
    from_pil = load_image(Image.open(path))
    assert_rgba(from_path, 8, 16)
    for other in (from_str, from_bytes, from_pil):
        np.testing.assert_array_equal(other, from_path)
    np.testing.assert_array_equal(from_path[:, :, 0], GREY)
    assert (from_path[:, :, 3] == 255).all()  # no alpha in the file: opaque


@pytest.mark.parametrize(
    "array, expected",
    [
        (GREY, GREY),
        (GREY[:, :, None], GREY),
        (np.dstack([GREY] * 3), GREY),
        (GREY.astype(np.float32) / 255.0, GREY),  # float in [0, 1]
        (GREY.astype(np.float64), GREY),  # float in [0, 255]
        (GREY.astype(np.uint16) * 257, GREY),  # 16 bit
        (GREY > 127, (GREY > 127).astype(np.uint8) * 255),
    ],
    ids=["HxW", "HxWx1", "HxWx3", "float01", "float255", "uint16", "bool"],
)
def test_arrays_are_scaled_to_uint8(array, expected):
    result = load_image(array)
    assert_rgba(result, 8, 16)
    np.testing.assert_allclose(result[:, :, 1].astype(int), expected.astype(int), atol=1)
    assert (result[:, :, 3] == 255).all()


def test_rgba_array_keeps_its_alpha():
    rgba = np.zeros((5, 6, 4), np.uint8)
    rgba[2, 3] = (10, 20, 30, 200)
    result = load_image(rgba)
    np.testing.assert_array_equal(result, rgba)


def test_batch_of_one_is_accepted():
    assert_rgba(load_image(np.zeros((1, 28, 28, 1), np.float32)), 28, 28)


def test_exif_orientation_is_applied():
    pixels = np.zeros((30, 40, 3), np.uint8)
    pixels[:5] = 255  # a white band along the top
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    result = load_image(encode(image, "JPEG", exif=exif.tobytes(), quality=95))
    assert result.shape[:2] == (40, 30)
    assert result[:, -3:, 0].mean() > 200  # the band is now on the right
    assert result[:, :3, 0].mean() < 50


def test_huge_photo_is_reduced():
    image = Image.new("RGB", (3000, 1200), "white")
    result = load_image(encode(image, "JPEG"))
    assert result.shape == (round(1200 * MAX_SIDE / 3000), MAX_SIDE, 4)


def test_huge_array_is_reduced():
    assert load_image(np.zeros((100, 4000), np.uint8)).shape == (round(100 * MAX_SIDE / 4000), MAX_SIDE, 4)


def test_huge_palette_image_is_reduced_in_bands_like_a_whole_conversion():
    rng = np.random.default_rng(2)
    image = Image.fromarray(rng.integers(0, 256, (1700, 2500), dtype=np.uint8)).convert("P")
    image.info["transparency"] = 7
    expected = image.convert("RGBA").resize(imageio._bounded_size(image.size), Image.Resampling.BOX)
    result = load_image(encode(image, transparency=7))
    np.testing.assert_array_equal(result, np.asarray(expected))


@pytest.mark.parametrize("mode", ["RGBA", "1", "CMYK"])
def test_banded_reduction_matches_pillow(mode):
    rng = np.random.default_rng(3)
    image = Image.fromarray(rng.integers(0, 256, (1900, 2100, 4), dtype=np.uint8), "RGBA").convert(mode)
    working = imageio._working_mode(image)
    expected = image.convert(working).resize(imageio._bounded_size(image.size), Image.Resampling.BOX)
    difference = np.abs(np.asarray(imageio._shrink(image, working), int) - np.asarray(expected, int))
    # Pillow rounds a window edge falling exactly on a pixel centre either way: a row or two may differ.
    assert (difference > 0).mean() < 0.005 and difference.mean() < 0.2


def test_exif_orientation_is_applied_to_a_reduced_photo():
    pixels = np.zeros((1800, 2400, 3), np.uint8)
    pixels[:200] = 255  # a white band along the top
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6
    result = load_image(encode(image, "PNG", exif=exif.tobytes()))
    assert result.shape[:2] == (MAX_SIDE, round(1800 * MAX_SIDE / 2400))
    assert result[:, -10:, 0].mean() > 200 and result[:, :10, 0].mean() < 50


def test_huge_16_bit_image_is_scaled_not_stretched():
    pixels = np.full((1000, 3300), 20000, np.uint16)  # one dim grey: 20000 / 257 = 78
    result = load_image(encode(Image.fromarray(pixels)))
    assert result.shape[1] == MAX_SIDE and np.all(result[:, :, 0] == 78)


def test_huge_arrays_are_reduced_before_scaling():
    assert load_image(np.ones((2000, 3200), bool))[:, :, 0].min() == 255
    assert load_image(np.full((2000, 3200), 0.5, np.float64))[:, :, 0].max() == 128
    assert load_image(np.arange(2000 * 3200, dtype=np.int64).reshape(2000, 3200)).shape == (1000, MAX_SIDE, 4)
    huge = np.zeros((2000, 3200), np.float32)
    huge[5, 7] = np.nan
    assert "NaN" in error_for(huge)


@pytest.mark.parametrize("options", [{"lossless": True}, {"quality": 80}, {"lossless": True, "exif": b"Exif\0\0"}],
                         ids=["VP8L", "VP8", "VP8X"])
def test_big_webp_is_refused_from_its_header(monkeypatch, options):
    data = encode(Image.new("RGB", (30, 20), "white"), "WEBP", **options)
    assert_rgba(load_image(data), 20, 30)
    monkeypatch.setattr(imageio, "MAX_WEBP_PIXELS", 500)
    opened = []
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: opened.append(args))
    message = error_for(data, name="big.webp")
    assert "big.webp" in message and "30x20" in message and "JPEG" in message and not opened


# --- Unusual but valid files -------------------------------------------------


def test_16_bit_png_is_scaled_not_clipped():
    pixels = np.array([[0, 32896, 65535]], np.uint16)
    result = load_image(encode(Image.fromarray(pixels)))
    np.testing.assert_array_equal(result[0, :, 0], [0, 128, 255])


def test_cmyk_jpeg():
    image = Image.new("CMYK", (8, 8), (0, 0, 0, 0))  # no ink: white paper
    result = load_image(encode(image, "JPEG", quality=95))
    assert_rgba(result, 8, 8)
    assert result[:, :, :3].min() > 240


def test_palette_png_with_transparency():
    image = Image.new("P", (4, 4), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    image.putpixel((1, 1), 1)
    result = load_image(encode(image, transparency=0))
    assert result[0, 0, 3] == 0  # index 0 is transparent
    assert tuple(result[1, 1]) == (0, 0, 255, 255)


def test_animated_gif_gives_the_first_frame():
    frames = [Image.new("L", (6, 6), value) for value in (10, 200, 90)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert load_image(data)[0, 0, 0] == 10


@pytest.mark.parametrize("mode", ["1", "L", "LA", "I", "F", "RGB", "RGBA"])
def test_pil_modes(mode):
    assert_rgba(load_image(Image.new(mode, (7, 5))), 5, 7)


@pytest.mark.parametrize("fmt", ["BMP", "WEBP", "TIFF", "GIF"])
def test_supported_formats(fmt):
    image = Image.fromarray(np.dstack([GREY] * 3))
    assert_rgba(load_image(encode(image, fmt)), 8, 16)


def test_one_pixel():
    assert_rgba(load_image(encode(Image.new("RGB", (1, 1)))), 1, 1)


def test_all_transparent_rgba():
    result = load_image(encode(Image.new("RGBA", (10, 10), (0, 0, 0, 0))))
    assert (result[:, :, 3] == 0).all()


# --- Hostile or broken input: a clear ImageError ------------------------------


def error_for(source, **kwargs) -> str:
    with pytest.raises(ImageError) as caught:
        load_image(source, **kwargs)
    message = str(caught.value)
    assert "Traceback" not in message and len(message) < 300
    return message


def test_empty_bytes():
    message = error_for(b"", name="photo.png")
    assert "photo.png" in message and "empty" in message


def test_html_posing_as_png():
    message = error_for(b"<!DOCTYPE html><html><body>404</body></html>", name="photo.png")
    assert "photo.png" in message and "HTML" in message and "PNG, JPEG" in message


def test_svg_posing_as_png():
    message = error_for(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', name="d.png")
    assert "SVG" in message


def test_text_file():
    assert "text" in error_for(b"just some words\n", name="notes.png")


def test_random_bytes():
    data = np.random.default_rng(0).integers(0, 256, 1000, dtype=np.uint8).tobytes()
    assert "not an image" in error_for(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_file(fmt):
    noise = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), fmt)
    message = error_for(data[: len(data) // 2], name=f"cut.{fmt.lower()}")
    assert "damaged" in message and "cut." in message


def test_decompression_bomb_header_is_refused_before_decoding():
    message = error_for(png_claiming(100_000, 100_000), name="bomb.png")
    assert "too many pixels" in message


def test_too_many_pixels_names_the_size():
    message = error_for(png_claiming(8000, 8000))
    assert "8000x8000" in message and "megapixels" in message


def test_file_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(imageio, "MAX_BYTES", 100)
    path = tmp_path / "big.png"
    path.write_bytes(b"\0" * 1000)
    assert "too large" in error_for(path)
    assert "too large" in error_for(b"\0" * 1000)


def test_missing_file_and_folder(tmp_path):
    assert "not found" in error_for(tmp_path / "nope.png")
    assert "folder" in error_for(tmp_path)


@pytest.mark.parametrize(
    "array, words",
    [
        (np.zeros((0, 5)), "no pixels"),
        (np.full((4, 4), np.nan), "NaN"),
        (np.zeros((3, 28, 28)), "shape"),
        (np.zeros((4, 4, 5)), "shape"),
        (np.zeros((2, 4, 4, 1)), "shape"),
        (np.zeros(10), "shape"),
        (np.zeros((4, 4), complex), "complex"),
        (np.array([["a"]]), "<U1"),
    ],
)
def test_bad_arrays(array, words):
    assert words in error_for(array)


def test_wrong_type():
    assert "not an image" in error_for(12345)


# --- Property: anything at all -> an array or an ImageError ------------------

MAGIC = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"BM", b"II*\x00", b"RIFF\x00\x00\x00\x00WEBP"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(MAGIC), body=st.binary(max_size=600))
def test_any_bytes_give_an_image_or_image_error(prefix, body):
    try:
        result = load_image(prefix + body)
    except ImageError:
        return
    assert result.dtype == np.uint8 and result.ndim == 3 and result.shape[2] == 4
