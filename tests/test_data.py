"""Tests for fastdip.data: every sample loads as documented, matches its source, and is licensed."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from fastdip import data

# name -> (shape, dtype), written out independently of the module
EXPECTED = {
    "astronaut": ((512, 512, 3), np.uint8),
    "brain_mri": ((25, 41, 33), np.int16),
    "brick": ((512, 512), np.uint8),
    "camera": ((512, 512), np.uint8),
    "cell": ((660, 550), np.uint8),
    "chelsea": ((300, 451, 3), np.uint8),
    "clock": ((300, 400), np.uint8),
    "coins": ((303, 384), np.uint8),
    "hubble_deep_field": ((872, 1000, 3), np.uint8),
    "microaneurysms": ((102, 102), np.uint8),
}

# fastdip name -> skimage.data function holding the same file
SKIMAGE_NAMES = {name: name for name in EXPECTED if name != "brain_mri"}

IMAGES = resources.files("fastdip.data").joinpath("images")


def test_names_sorted_and_each_is_a_loader():
    assert data.names() == sorted(EXPECTED)
    assert set(data.__all__) == set(EXPECTED) | {"names", "load"}
    for name in data.names():
        assert callable(getattr(data, name))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shape_and_dtype_as_documented(name):
    shape, dtype = EXPECTED[name]
    image = getattr(data, name)()
    assert image.shape == shape
    assert image.dtype == dtype
    assert image.flags.c_contiguous and image.flags.writeable
    doc = getattr(data, name).__doc__
    assert f"{shape} {np.dtype(dtype).name}" in doc
    assert ">>>" in doc and "References" in doc


@pytest.mark.parametrize("name", sorted(SKIMAGE_NAMES))
def test_equals_skimage_sample(name):
    skdata = pytest.importorskip("skimage.data")
    np.testing.assert_array_equal(getattr(data, name)(), getattr(skdata, SKIMAGE_NAMES[name])())


def test_brain_mri_matches_nibabel_source():
    nib = pytest.importorskip("nibabel")
    source = Path(nib.__file__).parent / "tests" / "data" / "anatomical.nii"
    raw = np.asarray(nib.load(source).dataobj)
    vol = data.brain_mri()
    np.testing.assert_array_equal(vol, raw.transpose(2, 1, 0)[:, ::-1, :])
    assert (int(vol.min()), int(vol.max())) == (-610, 30393)  # as the docstring states


def test_loading_needs_no_nibabel(monkeypatch):
    monkeypatch.setitem(sys.modules, "nibabel", None)
    data._decoded.cache_clear()
    try:
        assert data.brain_mri().shape == (25, 41, 33)
    finally:
        data._decoded.cache_clear()


def test_each_call_returns_a_fresh_array():
    first = data.camera()
    first[:] = 0
    second = data.camera()
    assert second.max() > 0
    assert not np.shares_memory(first, second)
    assert data.load("camera") is not second


@pytest.mark.parametrize("name", ["coins", "brain_mri"])
def test_load_by_name_equals_loader(name):
    np.testing.assert_array_equal(data.load(name), getattr(data, name)())


def test_unknown_name_lists_the_names():
    with pytest.raises(ValueError) as info:
        data.load("lena")
    message = str(info.value)
    assert message.startswith("data.load: name must be one of ")
    assert message.endswith("got 'lena'")
    for name in EXPECTED:
        assert repr(name) in message


def test_licenses_cover_every_bundled_file():
    licences = resources.files("fastdip.data").joinpath("LICENSES").read_text(encoding="utf-8")
    files = sorted(p.name for p in IMAGES.iterdir() if p.is_file())
    assert files == sorted(data._FILES.values())  # nothing bundled without a loader
    for filename in files:
        assert f"\n{filename}\n" in licences, filename
        entry = licences.split(f"\n{filename}\n", 1)[1].split("\n\n", 1)[0]
        assert "Source:" in entry and "Author:" in entry and "Licence:" in entry, filename


def test_bundle_size_stays_small():
    total = sum(p.stat().st_size for p in Path(str(IMAGES)).iterdir())
    assert total <= 3 * 2**20
