"""predict prepares an image as MNIST prepared its digits (and as optdigits prepared the 8x8 ones):
what a model is given no longer depends on the canvas, the place, the size, the polarity, the paper,
the file's bit depth or transparency, or which way the camera was held. No model needed here."""

import numpy as np
import pytest
from PIL import Image

from workshop.predict import MNIST_CENTRE, NoDigit, grayscale, ink, prepare, read_image
from workshop.lessons.samples import draw_digit, sample

MNIST = (28, 28, 1)


def _prepared(image: Image.Image, shape=MNIST) -> np.ndarray:
    return prepare(ink(grayscale(image)), shape)[..., 0]


def _corr(a, b) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def _box(x, above=0.0):
    rows, cols = np.flatnonzero((x > above).any(1)), np.flatnonzero((x > above).any(0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def _centre(x):
    at = np.arange(x.shape[0])
    return (x.sum(1) * at).sum() / x.sum(), (x.sum(0) * at).sum() / x.sum()


def test_a_digit_is_placed_as_mnist_places_its_digits():
    x = _prepared(sample(4))
    assert x.shape == (28, 28) and x.dtype == np.float32 and x.min() == 0 and x.max() == 1
    top, bottom, left, right = _box(x)
    assert max(bottom - top, right - left) == 20  # the longer side fills MNIST's 20-pixel box
    assert np.abs(np.array(_centre(x)) - MNIST_CENTRE).max() <= 0.5  # centred by its mass, to the whole pixel


def test_the_same_digit_anywhere_at_any_size_reaches_the_model_alike():
    big = draw_digit(3, canvas=64, height=0.85, centre=(0.5, 0.5), stroke=0.1)
    corner = draw_digit(3, canvas=400, height=0.2, centre=(0.2, 0.75), stroke=0.1)
    assert _corr(_prepared(big), _prepared(corner)) > 0.8  # the same strokes, to within half a pixel
    shrunk = np.asarray(corner.resize((28, 28), Image.Resampling.BOX), np.float32)  # the whole canvas, as before
    assert _corr(255 - shrunk, _prepared(big)) < 0.3  # a speck in a corner: nothing like the digit


def test_a_wide_digit_keeps_its_shape():
    wide = draw_digit(0, canvas=300, height=0.3, stroke=0.1).resize((300, 100))  # squashed: wider than high
    top, bottom, left, right = _box(255 - np.asarray(wide), above=127)
    high = 20 * (bottom - top) / (right - left)
    top, bottom, left, right = _box(_prepared(wide))
    assert right - left == 20 and abs(bottom - top - high) <= 1  # 20 wide, and as high as its shape says


def test_both_polarities_and_a_gray_page_give_the_same_input():
    dark = draw_digit(5, canvas=120, stroke=0.12, dark_on_light=True)
    light = draw_digit(5, canvas=120, stroke=0.12, dark_on_light=False)
    pencil = Image.fromarray(np.where(np.asarray(dark) < 128, 60, 205).astype(np.uint8))  # gray on gray paper
    np.testing.assert_allclose(_prepared(dark), _prepared(light), atol=1e-6)
    np.testing.assert_allclose(_prepared(dark), _prepared(pencil), atol=1e-5)


def test_a_16_bit_png_keeps_its_gray_levels(tmp_path):
    smooth = draw_digit(8, canvas=400, stroke=0.1).resize((90, 90), Image.Resampling.BICUBIC)  # antialiased edges
    eight, sixteen = tmp_path / "8bit.png", tmp_path / "16bit.png"
    smooth.save(eight)
    Image.fromarray(np.asarray(smooth, np.uint16) * 257).save(sixteen)
    with Image.open(sixteen) as image:
        assert image.mode == "I;16"
        gray = grayscale(image)
        assert image.convert("L").getcolors() is not None and len(image.convert("L").getcolors()) == 2  # PIL: a mask
    assert len(np.unique(gray)) > 20  # here: every level kept
    np.testing.assert_allclose(read_image(sixteen, MNIST), read_image(eight, MNIST), atol=1e-5)


@pytest.mark.parametrize("ink_shade", [0, 255], ids=["black-ink", "white-ink"])
def test_a_transparent_background_keeps_its_digit(tmp_path, ink_shade):
    opaque = draw_digit(2, canvas=150, stroke=0.12, dark_on_light=False)  # light strokes on black
    rgba = np.zeros((150, 150, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = ink_shade, np.asarray(opaque)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "clear.png")
    opaque.save(tmp_path / "opaque.png")
    np.testing.assert_allclose(read_image(tmp_path / "clear.png", MNIST), read_image(tmp_path / "opaque.png", MNIST),
                               atol=1e-6)


def test_a_photo_is_turned_upright_as_its_camera_recorded(tmp_path):
    upright = sample(7).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; rotate 90 degrees clockwise to view
    upright.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "photo.jpg", exif=exif, quality=95)
    upright.save(tmp_path / "upright.png")
    assert _corr(read_image(tmp_path / "photo.jpg", MNIST), read_image(tmp_path / "upright.png", MNIST)) > 0.97


def test_mnist_digits_pass_through_nearly_unchanged(tmp_path):
    from workshop.data import load
    x = load("mnist5k").x_test[::100, ..., 0]
    for i, digit in enumerate(x):
        path = tmp_path / f"{i}.png"
        Image.fromarray(np.uint8(np.round(digit * 255))).resize((280, 280), Image.Resampling.NEAREST).save(path)
        assert _corr(read_image(path, MNIST)[..., 0], digit) > 0.97  # measured 0.988-0.993


def test_an_8x8_model_gets_the_digit_filling_its_box_as_optdigits_did():
    from workshop.data import load
    x = _prepared(draw_digit(7, canvas=200, height=0.3, centre=(0.7, 0.3), stroke=0.12), (8, 8, 1))
    assert x.shape == (8, 8) and x.max() == 1
    top, bottom, left, right = _box(x, above=0.05)
    assert (top, bottom) == (0, 8) and abs((left + right) / 2 - 4) <= 0.5  # as tall as the image, in its middle
    digits = load("digits").x_test[:20, ..., 0]  # scikit-learn's own digits pass through nearly unchanged
    scores = [_corr(_prepared(Image.fromarray(np.uint8(d * 255)).resize((64, 64), Image.Resampling.NEAREST),
                              (8, 8, 1)), d) for d in digits]
    assert np.median(scores) > 0.95 and min(scores) > 0.75  # an off-centre box is centred: 0.80-0.89 for those


def test_an_image_without_ink_holds_no_digit(tmp_path):
    Image.new("L", (50, 50), 200).save(tmp_path / "gray.png")
    with pytest.raises(NoDigit, match="no digit found"):
        read_image(tmp_path / "gray.png", MNIST)
