"""Tests for fastdip.io: round trips per format and dtype, refusals, atomic writes, guarded reads."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastdip import io as fio
from fastdip.io import Collection, ImageReadError, imread, imread_collection, imwrite

SKIMAGE_DATA = Path(pytest.importorskip("skimage").__file__).parent / "data"


def _random(shape, dtype, seed=0):
    """Random values over the dtype's whole range, extremes included."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    if dt.kind == "f":
        return (rng.standard_normal(shape) * 1000).astype(dt)
    info = np.iinfo(dt)
    arr = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dt)
    arr.flat[0], arr.flat[-1] = info.min, info.max
    return arr


def _listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# ------------------------------------------------------------------------------------------ lossless round trips

LOSSLESS = [
    ("png", "uint8", (5, 7)),
    ("png", "uint8", (5, 7, 3)),
    ("png", "uint8", (5, 7, 4)),
    ("png", "uint16", (5, 7)),
    ("png", "bool", (5, 7)),
    ("bmp", "uint8", (5, 7)),
    ("bmp", "uint8", (5, 7, 3)),
    ("pgm", "uint8", (5, 7)),
    ("pgm", "uint16", (5, 7)),
    ("ppm", "uint8", (5, 7, 3)),
    *[("tif", dt, (5, 7)) for dt in ("uint8", "uint16", "uint32", "int8", "int16", "int32", "float32", "float64")],
    ("tiff", "uint8", (5, 7, 3)),
    ("tif", "uint16", (5, 7, 4)),
    ("tif", "float32", (5, 7, 3)),
    ("tif", "uint16", (4, 5, 7)),
    ("tif", "uint8", (2, 5, 7, 3)),
    ("npy", "uint8", (5, 7)),
    ("npy", "int64", (5, 7)),
    ("npy", "float32", (4, 5, 7)),
    ("npy", "bool", (5, 7)),
    ("npy", "uint16", (5, 7, 3)),
    ("nii", "int16", (4, 5, 7)),
    ("nii", "uint8", (5, 7)),
    ("nii.gz", "uint16", (4, 5, 7)),
    ("nii.gz", "float32", (3, 4, 5, 7)),
    ("nii.gz", "float64", (4, 5, 7)),
]


@pytest.mark.parametrize("ext, dtype, shape", LOSSLESS, ids=lambda v: str(v))
def test_lossless_round_trip(tmp_path, ext, dtype, shape):
    if ext.startswith("nii"):
        pytest.importorskip("nibabel")
    image = _random(shape, dtype)
    path = tmp_path / f"img.{ext}"
    assert imwrite(path, image) is None
    back = imread(path)
    assert back.dtype == image.dtype
    assert back.shape == image.shape
    np.testing.assert_array_equal(back, image)
    assert back.flags.c_contiguous and back.flags.writeable and back.dtype.isnative
    assert _listing(tmp_path) == [path.name]  # no temporary file left behind


def test_str_path_and_upper_case_extension(tmp_path):
    image = _random((4, 6), np.uint8)
    imwrite(str(tmp_path / "A.PNG"), image)
    np.testing.assert_array_equal(imread(str(tmp_path / "A.PNG")), image)


def test_jpeg_round_trip_within_tolerance(tmp_path):
    # a smooth real image; quality 95 without chroma subsampling keeps it close
    rgb = imread(SKIMAGE_DATA / "astronaut.png")[:128, :128]
    for name, image in (("grey.jpg", rgb[..., 1]), ("rgb.jpeg", rgb)):
        imwrite(tmp_path / name, image)
        back = imread(tmp_path / name)
        assert back.dtype == np.uint8 and back.shape == image.shape
        err = back.astype(float) - image
        psnr = 10 * np.log10(255.0**2 / np.mean(err**2))
        assert psnr > 35, psnr
        assert np.abs(err).mean() < 2.5


def test_read_only_input_is_not_modified(tmp_path):
    for ext, dtype, shape in [("png", "uint16", (4, 6)), ("tif", "float32", (3, 4, 6)), ("npy", "int16", (4, 6)),
                              ("jpg", "uint8", (4, 6, 3))]:
        image = _random(shape, dtype)
        keep = image.copy()
        image.flags.writeable = False
        imwrite(tmp_path / f"x.{ext}", image)
        np.testing.assert_array_equal(image, keep)


def test_written_file_mode_follows_umask(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    imwrite(tmp_path / "m.png", _random((3, 3), np.uint8))
    assert (tmp_path / "m.png").stat().st_mode & 0o777 == 0o666 & ~umask


# ------------------------------------------------------------------------------------------ TIFF stacks and layouts


def test_multipage_tiff_reads_as_3d_stack(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    pages = _random((3, 6, 7), np.uint16)
    with tifffile.TiffWriter(tmp_path / "pages.tif") as tif:
        for page in pages:  # three separate pages, as a scanner or ImageJ writes them
            tif.write(page, photometric="minisblack", metadata=None)
    back = imread(tmp_path / "pages.tif")
    assert back.shape == (3, 6, 7) and back.dtype == np.uint16
    np.testing.assert_array_equal(back, pages)


def test_skimage_multipage_tiff(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    back = imread(SKIMAGE_DATA / "multipage.tif")
    assert back.shape == (2, 15, 10)
    np.testing.assert_array_equal(back, tifffile.imread(SKIMAGE_DATA / "multipage.tif"))


def test_planar_tiff_comes_back_channel_last(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    rgb = _random((6, 7, 3), np.uint8)
    tifffile.imwrite(tmp_path / "planar.tif", np.moveaxis(rgb, -1, 0), photometric="rgb", planarconfig="separate")
    np.testing.assert_array_equal(imread(tmp_path / "planar.tif"), rgb)


# ------------------------------------------------------------------------------------- files from other writers


def test_cv2_written_files(tmp_path):
    cv2 = pytest.importorskip("cv2")
    grey16 = _random((6, 7), np.uint16)
    rgb8 = _random((6, 7, 3), np.uint8)
    assert cv2.imwrite(str(tmp_path / "g.png"), grey16)
    assert cv2.imwrite(str(tmp_path / "g.pgm"), grey16)
    assert cv2.imwrite(str(tmp_path / "c.png"), rgb8[..., ::-1])  # OpenCV stores BGR input as RGB
    np.testing.assert_array_equal(imread(tmp_path / "g.png"), grey16)
    np.testing.assert_array_equal(imread(tmp_path / "g.pgm"), grey16)
    assert imread(tmp_path / "g.pgm").dtype == np.uint16
    np.testing.assert_array_equal(imread(tmp_path / "c.png"), rgb8)


@pytest.mark.parametrize("ext", ["png", "ppm"])
def test_16bit_colour_from_other_writers_is_refused_not_truncated(tmp_path, ext):
    cv2 = pytest.importorskip("cv2")
    path = tmp_path / f"deep.{ext}"
    assert cv2.imwrite(str(path), _random((6, 7, 3), np.uint16))
    with pytest.raises(ImageReadError, match="16-bit.*TIFF"):
        imread(path)


def test_palette_and_grey_alpha_png(tmp_path):
    from PIL import Image

    index = (np.arange(12).reshape(3, 4) % 3).astype(np.uint8)
    pal = Image.frombytes("P", (4, 3), index.tobytes())
    pal.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (256 * 3 - 9))
    pal.save(tmp_path / "pal.png")
    rgb = imread(tmp_path / "pal.png")
    assert rgb.shape == (3, 4, 3)
    np.testing.assert_array_equal(rgb[index == 1], [[0, 255, 0]] * int((index == 1).sum()))

    la = np.stack([_random((3, 4), np.uint8), np.full((3, 4), 128, np.uint8)], axis=-1)
    Image.fromarray(la).save(tmp_path / "la.png")
    back = imread(tmp_path / "la.png")
    np.testing.assert_array_equal(back, la)
    np.testing.assert_array_equal(imread(tmp_path / "la.png", as_gray=True), la[..., 0])


def test_nifti_axes_reversed_and_native(tmp_path):
    nib = pytest.importorskip("nibabel")
    source = Path(nib.__file__).parent / "tests" / "data" / "anatomical.nii"  # big-endian int16
    raw = np.asarray(nib.load(source).dataobj)
    vol = imread(source)
    assert vol.shape == raw.shape[::-1] == (25, 41, 33)
    assert vol.dtype == np.int16 and vol.dtype.isnative and vol.flags.c_contiguous
    np.testing.assert_array_equal(vol, raw.transpose(2, 1, 0))
    # what imwrite stores is NIfTI's (x, y, z) = (col, row, plane)
    imwrite(tmp_path / "v.nii.gz", vol)
    np.testing.assert_array_equal(np.asarray(nib.load(tmp_path / "v.nii.gz").dataobj), raw)


def test_nifti_without_nibabel_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nibabel", None)  # makes `import nibabel` fail
    with pytest.raises(ImportError, match=r"fastdip\[medical\]"):
        imwrite(tmp_path / "v.nii", np.zeros((2, 3, 4), np.int16))
    (tmp_path / "w.nii").write_bytes(b"\0" * 400)
    with pytest.raises(ImportError, match=r"fastdip\[medical\]"):
        imread(tmp_path / "w.nii")
    assert _listing(tmp_path) == ["w.nii"]


# ------------------------------------------------------------------------------------------ overwrite and atomicity


def test_overwrite_refused_then_allowed(tmp_path):
    path = tmp_path / "a.png"
    first, second = _random((4, 5), np.uint8, 1), _random((4, 5), np.uint8, 2)
    imwrite(path, first)
    with pytest.raises(FileExistsError, match=r"a\.png.*overwrite=True"):
        imwrite(path, second)
    np.testing.assert_array_equal(imread(path), first)
    imwrite(path, second, overwrite=True)
    np.testing.assert_array_equal(imread(path), second)
    assert _listing(tmp_path) == ["a.png"]


def _failing_after_partial_write(exc):
    """A stand-in writer that writes half a file and then fails, as a full disk or a crash would."""

    def write(target, *args, **kwargs):
        if hasattr(target, "write"):  # the unnamed O_TMPFILE file (Linux)
            target.write(b"\x89PNG\r\n\x1a\n partial")
        else:
            with open(target, "wb") as fh:
                fh.write(b"\x89PNG\r\n\x1a\n partial")
        raise exc

    return write


@pytest.mark.parametrize("exc", [OSError("No space left on device"), KeyboardInterrupt()])
def test_failed_write_leaves_old_file_intact_and_no_temp(tmp_path, monkeypatch, exc):
    from PIL import Image

    path = tmp_path / "keep.png"
    old = _random((4, 5), np.uint8)
    imwrite(path, old)
    before = path.read_bytes()
    fake = _failing_after_partial_write(exc)
    monkeypatch.setattr(Image.Image, "save", lambda self, fp, *a, **k: fake(fp))
    with pytest.raises(type(exc)):
        imwrite(path, old[::-1], overwrite=True)
    assert path.read_bytes() == before
    assert _listing(tmp_path) == ["keep.png"]


@pytest.mark.parametrize("ext, target", [("npy", "save"), ("tif", "imwrite")])
def test_failed_new_file_leaves_nothing(tmp_path, monkeypatch, ext, target):
    module = np if ext == "npy" else pytest.importorskip("tifffile")
    monkeypatch.setattr(module, target, _failing_after_partial_write(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        imwrite(tmp_path / f"new.{ext}", _random((4, 5), np.uint8))
    assert _listing(tmp_path) == []


def test_data_goes_to_a_temporary_file_first(tmp_path, monkeypatch):
    import tifffile

    path = tmp_path / "late.tif"
    real = tifffile.imwrite
    seen = []

    def spy(target, *args, **kwargs):
        seen.append((Path(getattr(target, "name", target)).parent == tmp_path, path.exists()))
        return real(target, *args, **kwargs)

    monkeypatch.setattr(tifffile, "imwrite", spy)
    imwrite(path, _random((4, 5), np.uint16))
    assert seen == [(True, False)]  # written next to the destination, which appeared only at the end
    assert _listing(tmp_path) == ["late.tif"]


def test_file_created_during_write_is_not_replaced(tmp_path, monkeypatch):
    path = tmp_path / "race.npy"
    real = np.save

    def racing(target, *args, **kwargs):
        path.write_bytes(b"someone else's file")
        return real(target, *args, **kwargs)

    monkeypatch.setattr(np, "save", racing)
    with pytest.raises(FileExistsError, match="race.npy"):
        imwrite(path, _random((4, 5), np.uint8))
    assert path.read_bytes() == b"someone else's file"
    assert _listing(tmp_path) == ["race.npy"]


def test_missing_folder_and_directory_target(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        imwrite(tmp_path / "nowhere" / "a.png", np.zeros((2, 2), np.uint8))
    (tmp_path / "d.png").mkdir()
    with pytest.raises(IsADirectoryError, match=r"d\.png"):
        imwrite(tmp_path / "d.png", np.zeros((2, 2), np.uint8), overwrite=True)


# ------------------------------------------------------------------------------------------ refusals on write


def test_png_float_refusal_message(tmp_path):
    with pytest.raises(TypeError) as info:
        imwrite(tmp_path / "f.png", np.zeros((4, 4), np.float32))
    assert str(info.value) == ("imwrite: PNG cannot store float32; convert with fastdip.dtype.to_uint8 or "
                               "to_uint16 first, or write .tif/.npy")
    assert _listing(tmp_path) == []


@pytest.mark.parametrize(
    "name, image, exc, pattern",
    [
        ("a.png", np.zeros((4, 4), np.int16), TypeError, r"PNG cannot store int16.*rescale_intensity"),
        ("a.jpg", np.zeros((4, 4), np.uint16), TypeError, r"JPEG cannot store uint16.*to_uint8"),
        ("a.jpg", np.zeros((4, 4), np.float64), TypeError, r"JPEG cannot store float64.*to_uint8.*\.tif"),
        ("a.bmp", np.zeros((4, 4), bool), TypeError, r"BMP cannot store bool.*to_uint8"),
        ("a.tif", np.zeros((4, 4), np.int64), TypeError, r"TIFF cannot store int64.*allowed dtypes"),
        ("a.tif", np.zeros((4, 4), np.complex64), TypeError, r"real-valued"),
        ("a.png", np.zeros((3, 4, 5), np.uint8), ValueError, r"PNG stores .*of shape \(3, 4, 5\).*\.tif"),
        ("a.png", np.zeros((4, 5, 3), np.uint16), ValueError, r"16-bit PNG for grey-level images only.*\.tif"),
        ("a.jpg", np.zeros((4, 5, 4), np.uint8), ValueError, r"no alpha channel.*image\[\.\.\., :3\]"),
        ("a.ppm", np.zeros((4, 5), np.uint8), ValueError, r"\.pgm"),
        ("a.png", np.zeros(5, np.uint8), ValueError, r"2 or more dimensions"),
    ],
)
def test_write_refusals_say_what_to_do(tmp_path, name, image, exc, pattern):
    with pytest.raises(exc, match=pattern):
        imwrite(tmp_path / name, image)
    assert _listing(tmp_path) == []


def test_nifti_dtype_refusal(tmp_path):
    pytest.importorskip("nibabel")
    with pytest.raises(TypeError, match=r"NIfTI cannot store bool"):
        imwrite(tmp_path / "m.nii.gz", np.zeros((2, 3, 4), bool))


def test_unknown_extension_lists_the_allowed_ones(tmp_path):
    with pytest.raises(ValueError, match=r"imwrite: path must be .*\.png.*\.tif.*got '.*a\.gif'"):
        imwrite(tmp_path / "a.gif", np.zeros((2, 2), np.uint8))
    (tmp_path / "b.gif").write_bytes(b"GIF89a")
    with pytest.raises(ImageReadError, match=r"unsupported file extension '\.gif'.*\.png"):
        imread(tmp_path / "b.gif")


def test_argument_types(tmp_path):
    with pytest.raises(TypeError, match="imread: path"):
        imread(b"a.png")
    with pytest.raises(TypeError, match="imwrite: path"):
        imwrite(3, np.zeros((2, 2), np.uint8))
    with pytest.raises(TypeError, match="imwrite: image"):
        imwrite(tmp_path / "a.png", "not an array")
    with pytest.raises(TypeError, match="overwrite"):
        imwrite(tmp_path / "a.png", np.zeros((2, 2), np.uint8), overwrite="yes")
    imwrite(tmp_path / "a.png", np.zeros((2, 2), np.uint8))
    with pytest.raises(TypeError, match="as_gray"):
        imread(tmp_path / "a.png", as_gray=1)
    with pytest.raises(ValueError, match=r"imread: max_pixels must be in \[1, inf\], got 0"):
        imread(tmp_path / "a.png", max_pixels=0)
    with pytest.raises(TypeError, match="max_pixels"):
        imread(tmp_path / "a.png", max_pixels=1.5)


# ------------------------------------------------------------------------------------------ failures on read


def test_missing_file(tmp_path):
    path = tmp_path / "absent.png"
    with pytest.raises(ImageReadError, match=r"absent\.png'?: no such file") as info:
        imread(path)
    assert isinstance(info.value, OSError) and isinstance(info.value, ValueError)
    assert info.value.path == str(path) and info.value.reason == "no such file"


def test_directory_is_not_an_image(tmp_path):
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(ImageReadError, match="directory"):
        imread(tmp_path / "folder.png")


@pytest.mark.parametrize("keep", [0.5, 40, 12])
def test_truncated_png(tmp_path, keep):
    path = tmp_path / "cut.png"
    imwrite(path, _random((64, 64), np.uint8))
    data = path.read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else keep  # half the data / header only / signature
    path.write_bytes(data[:n])
    with pytest.raises(ImageReadError, match=r"cut\.png.*truncated"):
        imread(path)


@pytest.mark.parametrize("ext", ["png", "jpg", "bmp", "pgm", "tif", "npy", "nii"])
def test_text_file_with_image_extension(tmp_path, ext):
    if ext == "nii":
        pytest.importorskip("nibabel")
    path = tmp_path / f"notes.{ext}"
    path.write_text("these are my notes, not an image\n" * 20)
    with pytest.raises(ImageReadError, match=rf"notes\.{ext}") as info:
        imread(path)
    assert "not a" in info.value.reason


def test_npy_that_is_not_an_image(tmp_path):
    np.save(tmp_path / "v.npy", np.arange(5))
    with pytest.raises(ImageReadError, match="1-D"):
        imread(tmp_path / "v.npy")
    np.save(tmp_path / "o.npy", np.array([{"a": 1}, None], dtype=object).reshape(1, 2), allow_pickle=True)
    with pytest.raises(ImageReadError, match="dtype object"):
        imread(tmp_path / "o.npy")


def test_image_read_error_pickles():
    err = pickle.loads(pickle.dumps(ImageReadError("x.png", "no such file")))
    assert str(err) == "imread: cannot read 'x.png': no such file"
    assert (err.path, err.reason) == ("x.png", "no such file")


# ------------------------------------------------------------------------------------------ pixel limit


@pytest.mark.parametrize("ext, shape", [("png", (20, 30)), ("jpg", (20, 30, 3)), ("pgm", (20, 30)),
                                        ("tif", (2, 20, 15)), ("npy", (20, 30, 3)), ("nii.gz", (2, 20, 15))])
def test_pixel_limit(tmp_path, ext, shape):
    if ext.startswith("nii"):
        pytest.importorskip("nibabel")
    path = tmp_path / f"p.{ext}"
    imwrite(path, _random(shape, np.uint8))
    assert imread(path, max_pixels=600).shape == shape  # 600 pixels: colour samples are not counted
    with pytest.raises(ImageReadError, match=r"600 pixels.*more than max_pixels=599"):
        imread(path, max_pixels=599)


def test_pixel_limit_is_checked_before_decoding(tmp_path, monkeypatch):
    import tifffile
    from PIL import ImageFile

    for ext in ("png", "tif", "npy"):
        imwrite(tmp_path / f"big.{ext}", np.zeros((40, 50), np.uint8))

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded before the size check")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(tifffile.TiffPageSeries, "asarray", no_decoding)
    monkeypatch.setattr(np, "load", no_decoding)
    for ext in ("png", "tif", "npy"):
        with pytest.raises(ImageReadError, match="max_pixels=1999"):
            imread(tmp_path / f"big.{ext}", max_pixels=1999)


def test_decompression_bomb_png(tmp_path):
    path = tmp_path / "bomb.png"
    imwrite(path, np.zeros((3000, 4000), np.uint8))  # 12 Mpixel of zeros: a few kB on disk
    assert path.stat().st_size < 100_000
    with pytest.raises(ImageReadError, match="12000000 pixels"):
        imread(path, max_pixels=10**6)


def test_pillow_limit_neither_warns_nor_overrides_max_pixels(tmp_path, monkeypatch):
    from PIL import Image

    path = tmp_path / "wide.png"
    image = _random((20, 30), np.uint8)
    imwrite(path, image)
    for limit in (400, 200):  # 600 pixels: above Pillow's warning limit, then above its error limit
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
        np.testing.assert_array_equal(imread(path), image)  # warnings are errors in this test suite
        with pytest.raises(ImageReadError, match="max_pixels=100"):
            imread(path, max_pixels=100)


# ------------------------------------------------------------------------------------------ as_gray


def _bt601(rgb):
    r, g, b = (rgb[..., k].astype(np.float64) for k in range(3))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_as_gray_matches_bt601_formula_and_opencv(tmp_path):
    cv2 = pytest.importorskip("cv2")
    rgb = imread(SKIMAGE_DATA / "astronaut.png")
    imwrite(tmp_path / "rgb.png", rgb)
    grey = imread(tmp_path / "rgb.png", as_gray=True)
    assert grey.dtype == np.uint8 and grey.shape == rgb.shape[:2]
    np.testing.assert_array_equal(grey, np.rint(_bt601(rgb)).astype(np.uint8))
    # OpenCV's RGB2GRAY uses the same BT.601 weights in fixed point: at most 1 level apart
    assert np.abs(grey.astype(int) - cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)).max() <= 1


def test_as_gray_against_skimage_rgb2gray():
    # skimage's rgb2gray uses BT.709 weights (0.2125, 0.7154, 0.0721) on [0, 1] floats, not BT.601: it agrees
    # exactly on grey pixels and differs by the weight change elsewhere, so it pins our scale, not our weights.
    color = pytest.importorskip("skimage.color")
    rgb = imread(SKIMAGE_DATA / "chelsea.png")
    ours = fio._luminance(rgb).astype(float)
    theirs = color.rgb2gray(rgb) * 255
    greyish = (rgb.max(axis=-1) == rgb.min(axis=-1))
    np.testing.assert_allclose(ours[greyish], theirs[greyish], atol=0.5)
    r, g, b = (rgb[..., k].astype(float) for k in range(3))
    np.testing.assert_allclose(ours - theirs, (0.299 - 0.2125) * r + (0.587 - 0.7154) * g + (0.114 - 0.0721) * b,
                               atol=0.5 + 1e-9)


def test_as_gray_dtypes_and_alpha(tmp_path):
    rgba16 = _random((5, 6, 4), np.uint16)
    imwrite(tmp_path / "c.tif", rgba16)
    g16 = imread(tmp_path / "c.tif", as_gray=True)
    assert g16.dtype == np.uint16
    np.testing.assert_array_equal(g16, np.rint(_bt601(rgba16)).astype(np.uint16))  # alpha dropped

    rgbf = np.random.default_rng(3).random((5, 6, 3)).astype(np.float32)
    imwrite(tmp_path / "f.tif", rgbf)
    gf = imread(tmp_path / "f.tif", as_gray=True)
    assert gf.dtype == np.float32
    np.testing.assert_allclose(gf, _bt601(rgbf), rtol=1e-6)

    white = np.full((2, 2, 3), 255, np.uint8)
    imwrite(tmp_path / "w.png", white)
    np.testing.assert_array_equal(imread(tmp_path / "w.png", as_gray=True), 255)  # no overflow past 255


def test_as_gray_leaves_grey_images_alone(tmp_path):
    grey = _random((5, 6), np.uint16)
    imwrite(tmp_path / "g.png", grey)
    np.testing.assert_array_equal(imread(tmp_path / "g.png", as_gray=True), grey)
    stack = _random((3, 5, 6), np.uint8)
    imwrite(tmp_path / "s.tif", stack)
    np.testing.assert_array_equal(imread(tmp_path / "s.tif", as_gray=True), stack)


# ------------------------------------------------------------------------------------------ property: round trips


# Each example encodes and decodes a file on disk (~1-5 ms); 40 examples per format pair keep this test under
# a second while still covering odd sizes, single rows/columns and the extreme values.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    dtype=st.sampled_from([np.uint8, np.uint16]),
    ext=st.sampled_from(["png", "tif"]),
)
def test_round_trip_property(tmp_path, data, dtype, ext):
    shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=24)
    if dtype == np.uint8 or ext == "tif":
        shapes = st.one_of(shapes, st.tuples(st.integers(1, 24), st.integers(1, 24), st.sampled_from([3, 4])))
    image = data.draw(hnp.arrays(dtype, shapes))
    path = tmp_path / f"h.{ext}"
    imwrite(path, image, overwrite=True)
    back = imread(path)
    assert back.dtype == image.dtype
    np.testing.assert_array_equal(back, image)


# ------------------------------------------------------------------------------------------ imread_collection


def _folder_of_frames(folder: Path, n=3):
    frames = [np.full((3, 4), 10 * k, np.uint8) for k in range(n)]
    for k, frame in enumerate(frames):
        imwrite(folder / f"f{k}.png", frame)
    return frames


def test_collection_from_pattern_is_sorted(tmp_path):
    frames = _folder_of_frames(tmp_path)
    (tmp_path / "sub.png").mkdir()  # a directory matching the pattern is skipped
    images, paths, errors = imread_collection(tmp_path / "*.png")
    assert [Path(p).name for p in paths] == ["f0.png", "f1.png", "f2.png"]
    assert errors == []
    for got, want in zip(images, frames):
        np.testing.assert_array_equal(got, want)


def test_collection_from_list_keeps_order(tmp_path):
    _folder_of_frames(tmp_path)
    result = imread_collection([tmp_path / "f2.png", str(tmp_path / "f0.png")])
    assert isinstance(result, Collection)
    assert [int(img[0, 0]) for img in result.images] == [20, 0]
    assert result.paths == [str(tmp_path / "f2.png"), str(tmp_path / "f0.png")]


def test_collection_skip_reports_failures_and_keeps_the_rest(tmp_path):
    _folder_of_frames(tmp_path)
    (tmp_path / "f1b.png").write_text("not an image")
    missing = tmp_path / "gone.png"
    paths = sorted(tmp_path.glob("*.png")) + [missing]
    result = imread_collection(paths, on_error="skip")
    assert len(result.images) == 3 and len(result.paths) == 3
    assert [p for p, _ in result.errors] == [str(tmp_path / "f1b.png"), str(missing)]
    assert "no such file" in result.errors[1][1]
    assert "2 errors" in str(result) and "3 images" in repr(result)


def test_collection_raise_mode(tmp_path):
    _folder_of_frames(tmp_path)
    (tmp_path / "f1b.png").write_text("not an image")
    with pytest.raises(ImageReadError, match=r"f1b\.png"):
        imread_collection(str(tmp_path / "*.png"))


def test_collection_argument_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="matches no file"):
        imread_collection(str(tmp_path / "*.png"))
    with pytest.raises(ValueError, match=r"on_error must be one of 'raise', 'skip', got 'ignore'"):
        imread_collection([], on_error="ignore")
    with pytest.raises(TypeError, match="paths_or_pattern"):
        imread_collection(42)
    with pytest.raises(TypeError, match="imread_collection: path"):
        imread_collection([tmp_path / "a.png", 3])
    assert imread_collection([]) == Collection([], [], [])


# ------------------------------------------------------------------------------------------ less common paths


def test_file_system_without_hard_links(tmp_path, monkeypatch):
    def no_links(src, dst, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    image = _random((4, 5), np.uint8)
    imwrite(tmp_path / "a.png", image)
    np.testing.assert_array_equal(imread(tmp_path / "a.png"), image)
    with pytest.raises(FileExistsError):
        imwrite(tmp_path / "a.png", image)
    assert _listing(tmp_path) == ["a.png"]


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0)])
def test_npy_header_versions(tmp_path, version):
    image = _random((4, 5, 3), np.uint16)
    with open(tmp_path / "v.npy", "wb") as fh:
        np.lib.format.write_array(fh, image, version=version)
    np.testing.assert_array_equal(imread(tmp_path / "v.npy"), image)
    with pytest.raises(ImageReadError, match="max_pixels=19"):
        imread(tmp_path / "v.npy", max_pixels=19)
