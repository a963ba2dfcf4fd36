"""A corpus of hostile and careless files, made by the tests: decompression bombs (PNG, JPEG, TIFF, NPY whose
headers declare huge images), FIFOs, directories, wrong extensions, truncated files, 1-bit / palette / 16-bit /
multi-page files. Each gives a clear ImageReadError or a correct load; writes leave nothing behind even when the
writer is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from fastdip import io
from fastdip.io import DEFAULT_MAX_BYTES, ImageReadError, imread, imwrite

from ._hostile import BOMBS, _png_bomb  # noqa: F401 (the CLI tests import _png_bomb from here)




@pytest.mark.parametrize("ext", sorted(BOMBS))
def test_bombs_are_refused_from_the_header_with_shape_dtype_and_budget(tmp_path, ext):
    path = BOMBS[ext](tmp_path / f"bomb.{ext}")
    assert path.stat().st_size < 200_000
    start = time.perf_counter()
    with pytest.raises(ImageReadError) as info:
        imread(path)
    assert time.perf_counter() - start < 5  # refused before decoding, not after 44 s and 8.6 GB
    text = str(info.value)
    assert str(path) in text and "30000" in text and "max_bytes" in text
    assert "dtype" in text and f"{DEFAULT_MAX_BYTES:,}" in text


def test_the_byte_budget_counts_decoded_samples(tmp_path):
    rgb = np.zeros((20, 30, 3), np.uint8)
    imwrite(tmp_path / "c.png", rgb)
    assert imread(tmp_path / "c.png", max_bytes=20 * 30 * 3).shape == (20, 30, 3)
    with pytest.raises(ImageReadError, match=r"shape \(20, 30, 3\), dtype uint8.*max_bytes=1,799"):
        imread(tmp_path / "c.png", max_bytes=20 * 30 * 3 - 1)
    imwrite(tmp_path / "w.tif", np.zeros((4, 5, 6), np.float64))
    with pytest.raises(ImageReadError, match=r"dtype float64: 960 bytes"):
        imread(tmp_path / "w.tif", max_bytes=959)


@pytest.mark.parametrize("bad", [0, -5, 1.5, "big"])
def test_bad_budgets_are_refused(tmp_path, bad):
    imwrite(tmp_path / "a.png", np.zeros((2, 2), np.uint8))
    with pytest.raises((ValueError, TypeError), match="imread: max_bytes"):
        imread(tmp_path / "a.png", max_bytes=bad)


def test_a_memory_error_while_decoding_names_the_file(tmp_path, monkeypatch):
    from PIL import Image

    path = tmp_path / "a.png"
    imwrite(path, np.zeros((8, 8), np.uint8))

    def no_memory(self):
        raise MemoryError()

    monkeypatch.setattr(Image.Image, "load", no_memory)
    with pytest.raises(ImageReadError, match="a.png.*not enough memory"):
        imread(path)


def _finishes(fn, seconds=10):
    box = []
    thread = threading.Thread(target=lambda: box.append(_catch(fn)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert box, f"still waiting after {seconds} s"
    return box[0]


def _catch(fn):
    try:
        fn()
    except Exception as exc:  # the error is the result
        return exc
    return None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "x.png"
    os.mkfifo(fifo)
    error = _finishes(lambda: imread(fifo))
    assert isinstance(error, ImageReadError) and "FIFO" in str(error) and "x.png" in str(error)


def test_a_directory_and_a_device_are_refused(tmp_path):
    (tmp_path / "d.png").mkdir()
    with pytest.raises(ImageReadError, match="directory"):
        imread(tmp_path / "d.png")
    if os.path.exists("/dev/zero"):
        os.symlink("/dev/zero", tmp_path / "zero.npy")
        error = _finishes(lambda: imread(tmp_path / "zero.npy"))
        assert isinstance(error, ImageReadError) and "device" in str(error)


def test_pillow_formats_are_recognised_by_content(tmp_path):
    """The documented rule: a PNG named .jpg is read as the PNG it is (losslessly)."""
    image = np.arange(48, dtype=np.uint8).reshape(6, 8)
    imwrite(tmp_path / "true.png", image)
    os.rename(tmp_path / "true.png", tmp_path / "named.jpg")
    np.testing.assert_array_equal(imread(tmp_path / "named.jpg"), image)
    assert "by their\n        content" in io.imread.__doc__


def test_other_formats_must_match_their_extension(tmp_path):
    imwrite(tmp_path / "a.png", np.zeros((4, 4), np.uint8))
    os.rename(tmp_path / "a.png", tmp_path / "a.tif")
    with pytest.raises(ImageReadError, match="a.tif.*TIFF"):
        imread(tmp_path / "a.tif")


@pytest.mark.parametrize("ext", ["png", "jpg", "tif", "npy", "bmp"])
def test_truncated_and_text_files_give_a_clear_error(tmp_path, ext):
    image = (np.arange(64 * 64, dtype=np.uint32) % 251).astype(np.uint8).reshape(64, 64)
    imwrite(tmp_path / f"whole.{ext}", image)
    data = (tmp_path / f"whole.{ext}").read_bytes()
    (tmp_path / f"cut.{ext}").write_bytes(data[: len(data) // 3])
    (tmp_path / f"text.{ext}").write_text("this is not an image\n")
    for name in (f"cut.{ext}", f"text.{ext}"):
        with pytest.raises(ImageReadError, match=name.replace(".", r"\.")):
            imread(tmp_path / name)


def test_bilevel_palette_16bit_and_multipage_files_load_correctly(tmp_path):
    from PIL import Image

    bits = np.random.default_rng(0).random((9, 11)) > 0.5
    Image.fromarray(bits).save(tmp_path / "bits.png")
    back = imread(tmp_path / "bits.png")
    np.testing.assert_array_equal(back, bits)
    assert set(np.unique(back.view(np.uint8))) == {0, 1}  # canonical bools (Pillow gives True as byte 255)

    index = np.arange(12, dtype=np.uint8).reshape(3, 4) % 3
    palette = Image.fromarray(index, mode="P")
    palette.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (256 * 3 - 9))
    palette.save(tmp_path / "pal.png")
    colours = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], np.uint8)
    np.testing.assert_array_equal(imread(tmp_path / "pal.png"), colours[index])

    deep = np.arange(20, dtype=np.uint16).reshape(4, 5) * 3000
    imwrite(tmp_path / "deep.png", deep)
    np.testing.assert_array_equal(imread(tmp_path / "deep.png"), deep)

    stack = np.arange(3 * 4 * 5, dtype=np.uint16).reshape(3, 4, 5)
    imwrite(tmp_path / "stack.tif", stack)
    np.testing.assert_array_equal(imread(tmp_path / "stack.tif"), stack)


# ------------------------------------------------------------------------------------------------- writing


def _hidden(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


_WRITER = """
import sys, numpy as np
from fastdip.io import imwrite
big = np.random.default_rng(0).integers(0, 256, (40, 1024, 1024), dtype=np.uint8)
print("ready", flush=True)
while True:
    imwrite(sys.argv[1], big, overwrite=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_writer_killed_mid_write_leaves_nothing_behind(tmp_path, sig):
    target = tmp_path / "vol.npy"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.6)
        proc.send_signal(sig)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert _hidden(tmp_path) == []
    assert os.listdir(tmp_path) in ([], ["vol.npy"])
    if os.listdir(tmp_path):
        assert imread(target, max_bytes=2**30).shape == (40, 1024, 1024)  # complete, never partial


def test_stale_temporaries_of_a_dead_writer_are_removed_on_the_next_write(tmp_path, monkeypatch):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".a.png.fastdip-{pid}-0123456789ab.tmp.png"
    stale.write_bytes(b"partial")
    mine = tmp_path / f".b.png.fastdip-{os.getpid()}-0123456789ab.tmp.png"  # a live writer's: kept
    mine.write_bytes(b"in progress")
    foreign = tmp_path / ".notes.tmp"
    foreign.write_bytes(b"not ours")
    monkeypatch.setattr(io, "_open_unnamed", lambda path: None)  # a platform without O_TMPFILE
    imwrite(tmp_path / "c.png", np.zeros((2, 2), np.uint8))
    assert not stale.exists() and mine.exists() and foreign.exists()
    assert (tmp_path / "c.png").exists()


@pytest.mark.parametrize("unnamed", [True, False])
def test_write_errors_name_the_destination(tmp_path, monkeypatch, unnamed):
    from PIL import Image

    def disk_full(self, fp, *args, **kwargs):
        raise OSError(28, "No space left on device")

    if not unnamed:
        monkeypatch.setattr(io, "_open_unnamed", lambda path: None)
    monkeypatch.setattr(Image.Image, "save", disk_full)
    with pytest.raises(OSError) as info:
        imwrite(tmp_path / "out.png", np.zeros((3, 3), np.uint8))
    assert info.value.errno == 28
    assert "imwrite" in str(info.value) and str(tmp_path / "out.png") in str(info.value)
    assert "No space left" in str(info.value) and ".tmp" not in str(info.value)
    assert os.listdir(tmp_path) == []


def test_unnamed_and_named_writes_give_the_same_files(tmp_path, monkeypatch):
    image = np.random.default_rng(3).integers(0, 65535, (7, 9), dtype=np.uint16)
    for ext in ("png", "tif", "npy", "pgm"):
        imwrite(tmp_path / f"u.{ext}", image)
    monkeypatch.setattr(io, "_open_unnamed", lambda path: None)
    for ext in ("png", "tif", "npy", "pgm"):
        imwrite(tmp_path / f"n.{ext}", image)
        assert (tmp_path / f"u.{ext}").read_bytes() == (tmp_path / f"n.{ext}").read_bytes(), ext
    assert _hidden(tmp_path) == []
