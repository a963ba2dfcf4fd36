"""fastdip.geometry.resize / rescale: hand cases, references (naive, OpenCV, Pillow, scikit-image), properties."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastdip
from fastdip import geometry as g
from tests import _naive_geometry as naive

KINDS = ("bilinear", "bicubic", "lanczos", "area")


def test_area_half_is_the_block_mean_exactly(camera):
    f = np.ascontiguousarray(camera[:100, :120])
    out = g.resize(f, (50, 60), interpolation="area")
    assert out.dtype == np.float32
    assert np.array_equal(out, f.reshape(50, 2, 60, 2).mean(axis=(1, 3)).astype(np.float32))
    third = g.resize(f[:99], (33, 40), interpolation="area")
    assert np.allclose(third, f[:99].reshape(33, 3, 40, 3).mean(axis=(1, 3)), atol=1e-4)


def test_hand_cases():
    f = np.array([[0, 2, 4, 6], [2, 4, 6, 8]], dtype=np.uint8)
    assert np.array_equal(g.resize(f, (1, 2), interpolation="area"), [[2, 6]])
    # nearest keeps the dtype and picks floor((o + 0.5) * n / m)
    near = g.resize(np.arange(6, dtype=np.uint16).reshape(1, 6), (1, 3), interpolation="nearest")
    assert near.dtype == np.uint16 and np.array_equal(near, [[1, 3, 5]])
    # enlarging by 2 with bilinear: centres at (o + 0.5) / 2 - 0.5
    up = g.resize(np.array([[0.0, 4.0]]), (1, 4), mode="nearest")
    assert np.allclose(up, [[0, 1, 3, 4]])
    # same shape: the input (converted by the dtype rule)
    f32 = g.resize(f, f.shape)
    assert f32.dtype == np.float32 and np.array_equal(f32, f)


@pytest.mark.parametrize("interp", KINDS)
@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("shape", [(7, 20), (23, 9), (31, 31)])
def test_matches_naive_definition(rng, interp, antialias, shape):
    f = rng.random((17, 13))
    for mode in ("reflect", "constant", "wrap", "mirror", "nearest"):
        out = g.resize(f, shape, interpolation=interp, antialias=antialias, mode=mode, cval=0.3)
        ref = naive.resize(f, shape, interp, antialias, mode, 0.3)
        assert np.allclose(out, ref, atol=1e-12), mode


def test_area_shrink_matches_opencv(camera):
    cv2 = pytest.importorskip("cv2")
    f = np.ascontiguousarray(camera[:200, :210]).astype(np.float32)
    for shape in ((100, 105), (77, 61), (40, 150)):
        ref = cv2.resize(f, shape[::-1], interpolation=cv2.INTER_AREA)
        assert np.abs(g.resize(f, shape, interpolation="area") - ref).max() < 1e-3
    u8 = np.ascontiguousarray(camera[:200, :210])
    ref = cv2.resize(u8, (105, 100), interpolation=cv2.INTER_AREA)
    assert np.abs(g.resize(u8, (100, 105), interpolation="area", dtype=np.uint8).astype(int) - ref).max() <= 1


def test_enlarge_matches_opencv_linear(camera):
    cv2 = pytest.importorskip("cv2")
    f = np.ascontiguousarray(camera[:64, :80])
    for shape in ((128, 160), (100, 203)):
        ref = cv2.resize(f.astype(np.float32), shape[::-1], interpolation=cv2.INTER_LINEAR)
        out = g.resize(f, shape)  # antialias has no effect when enlarging
        assert np.abs(out - ref).max() < 1e-3
        assert np.array_equal(out, g.resize(f, shape, antialias=False))
        ref8 = cv2.resize(f, shape[::-1], interpolation=cv2.INTER_LINEAR)
        assert np.abs(g.resize(f, shape, dtype=np.uint8).astype(int) - ref8).max() <= 1


def test_antialiased_shrink_matches_pillow(camera):
    image = pytest.importorskip("PIL.Image")
    f = np.ascontiguousarray(camera[:256, :256])
    for shape in ((128, 128), (100, 77)):
        ref = np.asarray(image.fromarray(f.astype(np.float32)).resize(shape[::-1], image.BILINEAR))
        out = g.resize(f, shape)
        # Pillow drops the taps beyond the border and renormalises: compare away from it
        assert np.abs(out - ref)[3:-3, 3:-3].max() < 1e-3
        ref8 = np.asarray(image.fromarray(f).resize(shape[::-1], image.BILINEAR))
        assert np.abs(g.resize(f, shape, dtype=np.uint8).astype(int) - ref8)[3:-3, 3:-3].max() <= 1


def test_antialiased_shrink_is_close_to_skimage(camera):
    transform = pytest.importorskip("skimage.transform")
    f = camera[:256, :256].astype(np.float64)
    ref = transform.resize(f, (128, 128), anti_aliasing=True, order=1, mode="reflect", preserve_range=True)
    out = g.resize(f, (128, 128))
    # skimage prefilters with a Gaussian (sigma = (1/s - 1)/2) before bilinear sampling: another low-pass
    assert np.abs(out - ref)[2:-2, 2:-2].mean() < 4.0


def test_shrink_to_half_without_antialias_aliases():
    # a fine vertical grating of period 2.5 px: sampling every 2nd pixel folds it to a visible low frequency
    x = np.arange(200)
    f = np.tile(0.5 + 0.5 * np.cos(2 * np.pi * x / 2.5), (20, 1))
    plain = g.resize(f, (10, 100), antialias=False)
    smooth = g.resize(f, (10, 100))
    # measured: 0.109 without antialias (a false pattern of period 5 output pixels), 0.0104 with it
    assert plain[5, 5:-5].std() > 0.08
    assert smooth[5, 5:-5].std() < plain[5, 5:-5].std() / 5


def test_colour_3d_and_rescale(rng, astronaut):
    f = np.ascontiguousarray(astronaut[:64, :64])
    out = g.resize(f, (32, 48), channel_axis=-1)
    assert out.shape == (32, 48, 3)
    for ch in range(3):
        assert np.allclose(out[..., ch], g.resize(f[..., ch], (32, 48)))
    first = g.resize(np.moveaxis(f, -1, 0), (32, 48), channel_axis=0)
    assert np.allclose(first, np.moveaxis(out, -1, 0))
    v = rng.random((10, 12, 14))
    vol = g.resize(v, (5, 6, 7), interpolation="area")
    assert np.allclose(vol, v.reshape(5, 2, 6, 2, 7, 2).mean(axis=(1, 3, 5)))
    assert g.rescale(v, 0.5).shape == (5, 6, 7)
    assert g.rescale(f, (0.5, 2), channel_axis=-1).shape == (32, 128, 3)
    assert g.rescale(np.zeros((3, 3)), 0.1).shape == (1, 1)


@settings(deadline=None, max_examples=25)
@given(st.integers(1, 30), st.integers(1, 30), st.integers(1, 40), st.integers(1, 40),
       st.sampled_from(KINDS + ("nearest",)), st.booleans())
def test_constant_images_stay_constant(h, w, m, n, interp, antialias):
    f = np.full((h, w), 7, dtype=np.uint8)
    out = g.resize(f, (m, n), interpolation=interp, antialias=antialias)
    assert out.shape == (m, n)
    assert np.allclose(out, 7, atol=1e-4)


@settings(deadline=None, max_examples=25)
@given(st.integers(2, 6), st.integers(2, 6))
def test_area_mean_is_preserved_for_integer_factors(a, b):
    rng = np.random.default_rng(a * 10 + b)
    f = rng.random((6 * a, 6 * b))
    out = g.resize(f, (6, 6), interpolation="area")
    assert np.isclose(out.mean(), f.mean())


def test_dtype_rules_and_integer_output(rng):
    f = (rng.random((20, 20)) * 65535).astype(np.uint16)
    assert g.resize(f, (10, 10)).dtype == np.float32
    assert g.resize(f.astype(np.float64), (10, 10)).dtype == np.float64
    out = g.resize(f, (10, 10), interpolation="lanczos", dtype=np.uint16)
    exact = g.resize(f, (10, 10), interpolation="lanczos")
    assert out.dtype == np.uint16
    assert np.abs(out.astype(np.int64) - np.clip(np.rint(exact), 0, 65535)).max() <= 1
    assert g.resize(f.astype(np.int16), (10, 10), interpolation="nearest").dtype == np.int16


def test_errors():
    f = np.zeros((4, 4))
    with pytest.raises(ValueError, match="output_shape"):
        g.resize(f, (0, 3))
    with pytest.raises(ValueError, match="output_shape"):
        g.resize(f, (3, 3, 3))
    with pytest.raises(ValueError, match="interpolation"):
        g.resize(f, (2, 2), interpolation="linear")
    with pytest.raises(ValueError, match="mode"):
        g.resize(f, (2, 2), mode="edge")
    with pytest.raises(TypeError, match="antialias"):
        g.resize(f, (2, 2), antialias="yes")
    with pytest.raises(ValueError, match="scale"):
        g.rescale(f, 0)
    with pytest.raises(ValueError, match="scale"):
        g.rescale(f, (1, 2, 3))
    with pytest.raises(ValueError, match="image"):
        g.resize(np.zeros(5), (2,))
    # the wrapper's quick checks (a tuple of ints, a finite float cval) hand everything else to the full ones
    with pytest.raises(ValueError, match="cval"):
        g.resize(f, (2, 2), cval=float("nan"))
    with pytest.raises(ValueError, match="output_shape"):
        g.resize(f, (True, 2))
    assert g.resize(f, (np.int64(2), 2)).shape == (2, 2)
    # a result no machine holds: numpy's MemoryError, named for the call and its parameter
    with pytest.raises(MemoryError, match="resize: .*output_shape"):
        g.resize(f.astype(np.float32), (10**6, 10**6))
    with pytest.raises(MemoryError, match="rescale: .*scale"):
        g.rescale(f.astype(np.float32), 10**6)


def test_halving_uint8_at_an_odd_address_gives_the_aligned_values(rng):
    # the grey kernel reads uint16 pairs of columns: an image at an odd address is copied first
    buf = rng.integers(0, 256, 20 * 26 + 1, dtype=np.uint8)
    odd = buf[1:].reshape(20, 26)
    assert odd.ctypes.data % 2 == 1
    assert np.array_equal(g.resize(odd, (10, 13), dtype=np.uint8), g.resize(odd.copy(), (10, 13), dtype=np.uint8))
    # 'area' reads the pairs where the address allows, else the byte kernel: the same block means
    s = odd.reshape(10, 2, 13, 2).astype(np.int64).sum(axis=(1, 3))
    for image in (odd, odd.copy()):
        assert np.array_equal(g.resize(image, (10, 13), interpolation="area", dtype=np.uint8), np.rint(s / 4.0))


@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap", "mirror", "nearest"])
def test_halving_fast_paths_give_the_table_values(rng, mode):
    # shrinking by exactly 2: 'area' (2x2 block mean) and antialiased 'bilinear' ([1, 3, 3, 1] / 8) run
    # direct kernels; uint8 makes every float operation exact, so the results are the rounded definitions
    f = rng.integers(0, 256, (18, 26), dtype=np.uint8)
    s = f.reshape(9, 2, 13, 2).astype(np.int64).sum(axis=(1, 3))
    area = g.resize(f, (9, 13), interpolation="area", mode=mode, dtype=np.uint8)
    assert np.array_equal(area, np.rint(s / 4.0))
    assert np.array_equal(g.resize(f, (9, 13), interpolation="area", mode=mode), (s / 4.0).astype(np.float32))
    exact = naive.resize(f.astype(np.float64), (9, 13), "bilinear", True, mode, 7.0)
    tri = g.resize(f, (9, 13), mode=mode, cval=7, dtype=np.uint8)
    assert tri.dtype == np.uint8 and np.array_equal(tri, np.rint(exact))
    assert np.allclose(g.resize(f, (9, 13), mode=mode, cval=7), exact, atol=1e-12, rtol=0)
    f32 = rng.standard_normal((18, 26)).astype(np.float32)
    ref = naive.resize(f32.astype(np.float64), (9, 13), "bilinear", True, mode, 0.3)
    assert np.allclose(g.resize(f32, (9, 13), mode=mode, cval=0.3), ref, atol=1e-5)


def test_halving_colour_uint16_and_float64():
    rng = np.random.default_rng(5)
    f = rng.integers(0, 65536, (10, 14, 3), dtype=np.uint16)
    s = f.reshape(5, 2, 7, 2, 3).astype(np.int64).sum(axis=(1, 3))
    out = g.resize(f, (5, 7), interpolation="area", channel_axis=-1, dtype=np.uint16)
    assert out.dtype == np.uint16 and np.array_equal(out, np.rint(s / 4.0))
    grey = g.resize(f[..., 0], (5, 7), interpolation="area", dtype=np.uint16)
    assert np.array_equal(grey, out[..., 0])
    d = rng.standard_normal((10, 14))
    assert np.allclose(g.resize(d, (5, 7), interpolation="area"), d.reshape(5, 2, 7, 2).mean(axis=(1, 3)),
                       atol=1e-15, rtol=0)


def test_halving_keeps_nan_local():
    f = np.zeros((8, 8), np.float32)
    f[2, 5] = np.nan
    out = g.resize(f, (4, 4), interpolation="area")
    assert np.isnan(out[1, 2]) and np.isnan(out).sum() == 1


def test_parallel_twins_give_the_serial_values(monkeypatch):
    from fastdip.geometry import _resize

    rng = np.random.default_rng(3)
    cases = [(rng.integers(0, 256, (40, 34), dtype=np.uint8), "area", np.uint8),
             (rng.random((40, 34)).astype(np.float32), "area", None),
             (rng.integers(0, 256, (40, 34), dtype=np.uint8), "bilinear", np.uint8),
             (rng.random((40, 34)).astype(np.float32), "bilinear", None),
             (rng.random((40, 34)).astype(np.float32), "bicubic", None),
             (rng.integers(0, 256, (40, 34, 3), dtype=np.uint8), "bilinear", np.uint8)]
    shapes = [(20, 17), (29, 23), (61, 23), (29, 50)]  # halving, and the per-axis passes in bands (_axis_pass)
    serial = [[g.resize(f, shape, interpolation=i, dtype=dt, channel_axis=-1 if f.ndim == 3 else None)
               for f, i, dt in cases] for shape in shapes]
    monkeypatch.setattr(_resize, "PARALLEL_MIN_PIXELS", 0)
    for shape, refs in zip(shapes, serial):
        for (f, i, dt), ref in zip(cases, refs):
            out = g.resize(f, shape, interpolation=i, dtype=dt, channel_axis=-1 if f.ndim == 3 else None)
            assert np.array_equal(out, ref), (i, shape)


def test_halving_colour_uint8_gives_the_per_channel_values(rng):
    # the interleaved integer kernel: each channel equals the grey result, channel axis first or last
    f = rng.integers(0, 256, (22, 30, 3), dtype=np.uint8)
    for mode in ("reflect", "constant"):
        for dt in (np.uint8, None):
            out = g.resize(f, (11, 15), channel_axis=-1, mode=mode, cval=3, dtype=dt)
            first = g.resize(np.moveaxis(f, -1, 0), (11, 15), channel_axis=0, mode=mode, cval=3, dtype=dt)
            for c in range(3):
                grey = g.resize(f[..., c], (11, 15), mode=mode, cval=3, dtype=dt)
                assert np.array_equal(out[..., c], grey)
                assert np.array_equal(first[c], grey)


def test_enlarging_uint8_by_two_gives_the_table_values(rng):
    # grey uint8 -> uint8 enlarged by exactly 2 ('reflect', 'nearest') runs an integer kernel: the values of the
    # float32 table passes (exact multiples of 1/16 here), rounded half to even; the other modes keep the tables
    f = rng.integers(0, 256, (21, 34), dtype=np.uint8)
    f[::4, ::4] = 1  # sparse ones next to zeros: sums ending in exactly .5 after / 16
    f[:3, :3] = 0
    for mode in ("reflect", "nearest", "mirror", "constant"):
        out = g.resize(f, (42, 68), mode=mode, cval=3.0, dtype=np.uint8)
        assert np.array_equal(out, np.rint(g.resize(f, (42, 68), mode=mode, cval=3.0))), mode
    odd = np.empty(21 * 34 + 1, np.uint8)[1:].reshape(21, 34)
    odd[...] = f
    assert np.array_equal(g.resize(odd[:, ::-1], (42, 68), dtype=np.uint8), g.resize(f[:, ::-1].copy(), (42, 68),
                                                                                       dtype=np.uint8))


def test_doubling_width_fused_path_matches_the_naive_resize(rng):
    # grey 2-D doubling the width with growing rows runs the paired column pass into a ring of rows; float32
    # within float32 rounding of the float64 definition, uint8 output the rounded float32 result
    f = rng.random((13, 11)).astype(np.float32)
    for shape in ((26, 22), (40, 22)):
        for mode in ("reflect", "wrap", "constant"):
            ref = naive.resize(f.astype(np.float64), shape, "bilinear", True, mode, 0.25)
            out = g.resize(f, shape, mode=mode, cval=0.25)
            assert out.dtype == np.float32 and np.allclose(out, ref, atol=2e-6, rtol=0), (shape, mode)
    u8 = rng.integers(0, 256, (13, 11), dtype=np.uint8)
    up = g.resize(u8, (39, 22), dtype=np.uint8)
    assert np.array_equal(up, np.clip(np.rint(g.resize(u8, (39, 22))), 0, 255))


def test_non_integer_factors_take_the_gathered_run():
    # 512 -> 300 columns: the middle output's strided pattern repeats over one output only by chance; the plan
    # must not take that run (leaving every other output to the per-point loop) but the gathered one
    from fastdip.geometry import _resize

    for n, m, antialias in ((512, 300, False), (512, 700, False), (300, 512, True), (97, 41, True)):
        _, _, (start, stride, o0, o1), _, first, wt = _resize._plan(n, m, "bilinear", antialias, "reflect",
                                                                    "float32")
        assert stride == 0 and o1 - o0 >= m - 4, (n, m)
        assert wt.shape[1] == m and wt.shape[0] in (2, 4, 8)


@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
@pytest.mark.parametrize("interp,antialias", [("bilinear", False), ("bilinear", True), ("bicubic", True)])
def test_non_integer_factors_match_the_naive_definition(rng, dtype, interp, antialias):
    # the gathered column pass (taps gathered into scratch rows, then vectorised sums) on grey images, in the
    # fused row-by-row path, the two-pass path and a column pass alone, every mode
    f = (rng.random((45, 64)) * 255).astype(dtype)
    for shape in ((45, 37), (45, 91), (30, 130), (70, 100), (20, 37)):
        for mode in ("reflect", "constant", "nearest"):
            ref = naive.resize(f.astype(np.float64), shape, interp, antialias, mode, 5.0)
            out = g.resize(f, shape, interpolation=interp, antialias=antialias, mode=mode, cval=5.0)
            assert out.dtype == np.float32
            np.testing.assert_allclose(out, ref, rtol=0, atol=2e-4 * 255, err_msg=f"{shape} {mode}")
            if dtype == np.uint8:
                u8 = g.resize(f, shape, interpolation=interp, antialias=antialias, mode=mode, cval=5.0,
                              dtype=np.uint8)
                diff = np.abs(u8.astype(int) - np.clip(np.rint(ref), 0, 255))
                assert diff.max() <= 1 and np.mean(diff) < 0.01, f"{shape} {mode}"


def test_columns_first_fused_path_gives_the_two_pass_values(rng, monkeypatch):
    # the ring path runs from FUSED_MIN_INTERMEDIATE bytes of intermediate (16 MB): forced on small images it
    # gives the two passes' values bit for bit, grey float32 and uint8, into float32 and uint8, on threads too
    from fastdip.geometry import _resize

    for dtype in (np.float32, np.uint8):
        f = (rng.random((37, 52)) * 255).astype(dtype)
        for shape, interp, antialias in (((50, 90), "bilinear", False), ((30, 20), "bicubic", True),
                                         ((80, 41), "lanczos", True), ((37 * 3, 52 * 2 + 1), "bilinear", True)):
            for out_dtype in (np.float32, np.uint8):
                kwargs = dict(interpolation=interp, antialias=antialias, mode="reflect", dtype=out_dtype)
                monkeypatch.setattr(_resize, "FUSED_MIN_INTERMEDIATE", 1 << 40)
                two = g.resize(f, shape, **kwargs)
                monkeypatch.setattr(_resize, "FUSED_MIN_INTERMEDIATE", 0)
                fused = g.resize(f, shape, **kwargs)
                assert np.array_equal(fused, two), (dtype, shape, interp, out_dtype)
                monkeypatch.setattr(_resize, "PARALLEL_MIN_PIXELS", 0)
                with fastdip.threads(2):
                    assert np.array_equal(g.resize(f, shape, **kwargs), two)
                monkeypatch.setattr(_resize, "PARALLEL_MIN_PIXELS", 1 << 20)


@pytest.mark.parametrize("dtype,out_dtype,channels", [(np.uint8, np.uint8, 3), (np.float32, None, 3), (np.uint8, None, 3),
                                                      (np.uint16, None, 2), (np.float32, None, 4),
                                                      (np.float32, None, 5)])
def test_colour_resize_is_the_grey_resize_of_each_channel(rng, dtype, out_dtype, channels):
    # interleaved channels take the grey column pass's gathers and sums on their own samples
    # (resample._gather_channels; 2 to 4 channels copied a pixel's run at a time): every channel equals its grey
    # resize bit for bit, any factor and kernel
    rgb = (rng.random((64, 90, channels)) * 250).astype(dtype)
    for shape, interp, antialias in (((45, 63), "bilinear", False), ((45, 63), "bilinear", True),
                                     ((100, 130), "bicubic", True), ((64, 130), "bilinear", True),
                                     ((30, 91), "lanczos", True), ((128, 180), "bilinear", True)):
        colour = g.resize(rgb, shape, channel_axis=-1, interpolation=interp, antialias=antialias, dtype=out_dtype)
        for c in range(channels):
            grey = g.resize(np.ascontiguousarray(rgb[..., c]), shape, interpolation=interp, antialias=antialias,
                            dtype=out_dtype)
            assert np.array_equal(colour[..., c], grey), (shape, interp, c)


def test_pass_order_takes_the_cheaper_estimate_and_both_orders_agree(rng):
    # 2-D: rows first when the gathered (last-axis) outputs it saves outweigh its longer row pass; a growing
    # width goes first; halving and doubling keep their fast paths' orders. Either order is the same resize
    # up to float32 rounding (the naive definition: test_non_integer_factors_match_the_naive_definition)
    from fastdip.geometry import _resize

    order = functools.partial(_resize._pass_order, interpolation="bilinear", antialias=False, mode="reflect")
    assert order((512, 512), (358, 333)) == (0, 1)  # 183 K row-pass + 119 K gathered against 170 K gathered
    assert order((512, 512), (701, 653)) == (1, 0)
    assert order((512, 512), (256, 256)) == (0, 1)
    assert order((512, 512), (1024, 1024)) == (1, 0)
    assert order((512, 512), (512, 300)) == (1,) and order((64, 64, 64), (32, 80, 80)) == (2, 0, 1)
    f = rng.random((90, 120)).astype(np.float32)
    ref = g.resize(f, (63, 77), antialias=False)
    other = g.resize(np.ascontiguousarray(f.T), (77, 63), antialias=False).T  # the other order, transposed
    np.testing.assert_allclose(ref, other, rtol=0, atol=1e-5)


@pytest.mark.parametrize("shape", [(45, 37), (70, 100), (45, 90), (23, 32)])
def test_nan_pixels_give_the_low_bound_in_integer_outputs(shape):
    # rounding and clipping to an integer dtype sends NaN to the dtype's minimum (0) on every path (vector
    # loops and the per-point edges alike), inf and -inf to the bounds
    f = np.full((45, 64), 100.0, np.float32)
    f[10, 20] = np.nan
    f[30, 50] = np.inf
    f[40, 5] = -np.inf
    for interp in ("bilinear", "bicubic"):
        flt = g.resize(f, shape, interpolation=interp, antialias=False)
        for dtype, top in ((np.uint8, 255), (np.uint16, 65535)):
            ints = g.resize(f, shape, interpolation=interp, antialias=False, dtype=dtype)
            assert np.array_equal(ints[np.isnan(flt)], np.zeros(np.isnan(flt).sum(), dtype))
            assert (ints[np.isposinf(flt)] == top).all() and (ints[np.isneginf(flt)] == 0).all()
            finite = np.isfinite(flt)
            assert np.array_equal(ints[finite], np.clip(np.rint(flt[finite]), 0, top).astype(dtype))
