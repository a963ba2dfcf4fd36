"""fastdip.measure: regionprops (vs skimage and numpy moments), count, track."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.ndimage as ndi
import skimage.measure as skmeasure
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import data
from fastdip.measure import RegionTable, Tracks, count, regionprops, track
from fastdip.segmentation import fill_holes, label
from tests import _naive_morphology as naive


def _blobs(seed, shape=(150, 170), sigma=3.0, level=0.52):
    rng = np.random.default_rng(seed)
    return label(ndi.gaussian_filter(rng.random(shape), sigma) > level)


def _coins_labels():
    coins = data.coins()
    return label(fill_holes(coins > 110)), coins


def _angle_diff(a, b):
    """Distance between two axis angles (mod pi)."""
    d = np.mod(a - b + np.pi / 2, np.pi) - np.pi / 2
    return np.abs(d)


# ------------------------------------------------------------------------------------------- hand cases


def test_rectangle_by_hand():
    lab = np.zeros((6, 8), np.int32)
    lab[1:3, 1:7] = 4  # a 2 x 6 bar
    t = regionprops(lab)
    assert len(t) == 1 and t["label"].tolist() == [4]
    assert t["area"].tolist() == [12.0]
    assert t["centroid"].tolist() == [[1.5, 3.5]]
    assert t["bbox"].tolist() == [[1, 1, 3, 7]]
    # variances 1/4 (rows) and 35/12 (cols): axes 4 sqrt(var)
    assert t["major_axis_length"][0] == pytest.approx(4 * math.sqrt(35 / 12))
    assert t["minor_axis_length"][0] == pytest.approx(2.0)
    assert t["orientation"][0] == pytest.approx(math.pi / 2)  # major axis along the columns
    assert t["solidity"][0] == 1.0
    assert t["equivalent_diameter"][0] == pytest.approx(math.sqrt(48 / math.pi))
    # skimage's estimator: the 12 border pixels, each weighted 1 (straight runs)
    assert t["perimeter"][0] == pytest.approx(12.0)


def test_table_interface():
    lab = np.array([[1, 1, 0], [0, 0, 3]], np.int32)
    t = regionprops(lab, intensity=np.array([[2, 4, 9], [9, 9, 7]], np.uint8))
    assert isinstance(t, RegionTable)
    assert t.columns[:4] == ("label", "area", "centroid", "bbox")
    assert t["mean_intensity"].tolist() == [3.0, 7.0]
    assert t["min_intensity"].tolist() == [2.0, 7.0] and t["max_intensity"].tolist() == [4.0, 7.0]
    rec = t.records()
    assert rec[0]["label"] == 1 and rec[0]["centroid"] == (0.0, 0.5) and rec[1]["area"] == 1.0
    assert "centroid-0" in str(t)
    with pytest.raises(ValueError):
        t["area"][0] = 5.0
    with pytest.raises(KeyError, match="column"):
        t["nope"]
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            t.to_pandas()


def test_count_by_hand():
    assert count(np.array([[0, 3, 3], [7, 0, 0]])) == 2
    assert count(np.zeros((3, 3), np.int32)) == 0
    assert count(label(np.eye(4))) == 1


def test_spacing_scales():
    lab = np.zeros((6, 8), np.int32)
    lab[1:3, 1:7] = 1
    t = regionprops(lab, spacing=(2.0, 0.5))
    assert t["area"][0] == 12.0 and t["centroid"].tolist() == [[3.0, 1.75]]
    assert np.isnan(t["perimeter"][0])
    assert regionprops(lab, spacing=2)["perimeter"][0] == pytest.approx(24.0)


def test_3d_volume_and_centroid():
    lab = np.zeros((5, 6, 7), np.int32)
    lab[1:3, 2:5, 3:7] = 2
    t = regionprops(lab, spacing=(2, 1, 1))
    assert t.columns[:3] == ("label", "volume", "centroid")
    assert t["volume"].tolist() == [48.0]
    assert t["centroid"].tolist() == [[3.0, 3.0, 4.5]]
    assert t["bbox"].tolist() == [[1, 2, 3, 3, 5, 7]]
    assert t["equivalent_diameter"][0] == pytest.approx((6 * 48 / math.pi) ** (1 / 3))
    values = np.arange(lab.size, dtype=np.float32).reshape(lab.shape)
    t = regionprops(lab, values)
    assert t["mean_intensity"][0] == pytest.approx(values[lab == 2].mean())
    assert t["max_intensity"][0] == values[lab == 2].max()


# --------------------------------------------------------------------------------------------- references


@pytest.mark.parametrize("source", ["coins", "blobs"])
def test_matches_skimage_regionprops(source):
    lab, image = _coins_labels() if source == "coins" else (_blobs(1), None)
    if image is None:
        image = np.random.default_rng(9).integers(0, 256, lab.shape, dtype=np.uint8)
    t = regionprops(lab, image)
    ref = skmeasure.regionprops(lab, image)
    assert len(t) == len(ref) > 10
    assert t["label"].tolist() == [r.label for r in ref]
    assert np.array_equal(t["area"], [r.area for r in ref])
    assert np.allclose(t["centroid"], [r.centroid for r in ref], rtol=0, atol=1e-9)
    assert np.array_equal(t["bbox"], [r.bbox for r in ref])
    for mine, theirs in [("eccentricity", "eccentricity"), ("major_axis_length", "axis_major_length"),
                         ("minor_axis_length", "axis_minor_length"), ("perimeter", "perimeter"),
                         ("equivalent_diameter", "equivalent_diameter_area"), ("solidity", "solidity"),
                         ("mean_intensity", "intensity_mean"), ("max_intensity", "intensity_max"),
                         ("min_intensity", "intensity_min")]:
        assert np.allclose(t[mine], [getattr(r, theirs) for r in ref], rtol=1e-9, atol=1e-9), mine
    # orientation: the same angle, +-pi/2 being one axis (skimage's sign there follows rounding noise)
    assert _angle_diff(t["orientation"], np.array([r.orientation for r in ref])).max() < 1e-6


def test_moments_match_numpy():
    lab = _blobs(2, (90, 100))
    t = regionprops(lab)
    for i, value in enumerate(t["label"][:10]):
        area, centroid, (mrr, mcc, mrc) = naive.region_moments(lab, value)
        assert t["area"][i] == area
        assert np.allclose(t["centroid"][i], centroid, atol=1e-12)
        half = math.sqrt(((mrr - mcc) / 2) ** 2 + mrc ** 2) / area
        l1 = (mrr + mcc) / (2 * area) + half
        assert t["major_axis_length"][i] == pytest.approx(4 * math.sqrt(l1), rel=1e-9)


def test_perimeter_of_a_disk_close_to_circumference():
    # the 4-neighbourhood estimator runs through border pixel centres and overestimates a digital disk by
    # about 5 % (skimage gives the same 329.7 for r = 50)
    y, x = np.ogrid[-60:61, -60:61]
    lab = (x * x + y * y <= 50 ** 2).astype(np.int32)
    assert regionprops(lab)["perimeter"][0] == pytest.approx(2 * math.pi * 50, rel=0.06)


def test_large_coordinates_keep_precision():
    lab = np.zeros((3000, 40), np.int32)
    lab[2900:2903, 10:30] = 1
    t = regionprops(lab)
    assert t["centroid"][0].tolist() == [2901.0, 19.5]
    assert t["minor_axis_length"][0] == pytest.approx(4 * math.sqrt(2 / 3), rel=1e-12)


# ------------------------------------------------------------------------------------------------- track


def _moving_blobs(frames=5, appear_at=3):
    out = np.zeros((frames, 60, 80), np.int32)
    yy, xx = np.mgrid[0:60, 0:80]
    for t in range(frames):
        centres = [(15, 10 + 4 * t), (40, 70 - 3 * t), (30 + 2 * t, 40)]
        if t >= appear_at:
            centres.append((50, 10))
        mask = np.zeros((60, 80), bool)
        for cy, cx in centres:
            mask |= (yy - cy) ** 2 + (xx - cx) ** 2 <= 9
        out[t] = label(mask)
    return out


def test_track_consistent_ids_and_new_object():
    frames = _moving_blobs()
    result = track(frames, max_distance=6)
    assert isinstance(result, Tracks) and result.labels.dtype == np.int32
    tab = result.table
    assert tab.columns == ("frame", "label", "track", "centroid")
    # three objects carried through every frame, then one that appears at frame 3 gets id 4
    for t in range(5):
        ids = set(np.unique(result.labels[t])) - {0}
        assert ids == ({1, 2, 3} if t < 3 else {1, 2, 3, 4})
    # each track id follows one physical blob: its centroid moves by the blob's speed
    for tid in (1, 2, 3):
        c = tab["centroid"][tab["track"] == tid]
        steps = np.linalg.norm(np.diff(c, axis=0), axis=1)
        assert len(c) == 5 and np.all(steps <= 4.01) and np.allclose(steps, steps[0])
    assert np.array_equal(result.labels > 0, frames > 0)


def test_track_refuses_far_links():
    frames = _moving_blobs()
    result = track(frames, max_distance=2.5)  # the blob moving by 4 and the one moving by 3 break each frame
    assert result.table["track"].max() > 4
    one = track(list(frames[:1]), max_distance=1)
    assert one.table["track"].tolist() == sorted(one.table["track"].tolist())


@settings(deadline=None, max_examples=15)
@given(st.integers(0, 2**32 - 1))
def test_track_of_a_static_sequence_keeps_labels(seed):
    lab = _blobs(seed, (40, 50), 2.0)
    result = track([lab, lab, lab], max_distance=0.5)
    n = lab.max()
    assert result.table["track"].tolist() == list(range(1, n + 1)) * 3
    assert np.array_equal(result.labels[2], lab)


# ------------------------------------------------------------------------------------------- pathologies


def test_empty_and_single_pixel():
    t = regionprops(np.zeros((4, 4), np.int32))
    assert len(t) == 0 and t.records() == []
    t = regionprops(np.array([[0, 0], [0, 5]]))
    assert t["area"].tolist() == [1.0] and t["eccentricity"].tolist() == [0.0]
    assert t["perimeter"].tolist() == [0.0] and t["solidity"].tolist() == [1.0]


def test_errors():
    with pytest.raises(TypeError, match="labels"):
        regionprops(np.ones((3, 3)))
    with pytest.raises(ValueError, match="negative"):
        regionprops(np.array([[-1, 1]]))
    with pytest.raises(ValueError, match="intensity"):
        regionprops(np.ones((3, 3), np.int32), intensity=np.ones((2, 3)))
    with pytest.raises(ValueError, match="spacing"):
        regionprops(np.ones((3, 3), np.int32), spacing=(1, 0))
    with pytest.raises(ValueError, match="labels"):
        regionprops(np.ones(3, np.int32))
    with pytest.raises(ValueError, match="max_distance"):
        track([np.ones((3, 3), np.int32)], max_distance=-1)
    with pytest.raises(ValueError, match="label_sequence"):
        track([], max_distance=1)
    with pytest.raises(ValueError, match="label_sequence"):
        track([np.ones((3, 3), np.int32), np.ones((3, 4), np.int32)], max_distance=1)
    with pytest.raises(TypeError, match="labels"):
        count(np.ones((2, 2)))
