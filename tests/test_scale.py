"""fastdip.scale.apply: chunked == in memory (the in-memory pipeline run is the reference), for every registered
pointwise/neighbourhood op and every border mode, chains, deep halos, 3-D, colour, schedulers, fallbacks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import pipeline as fp
from fastdip import scale
from fastdip._modes import MODES
from tests._dask import LOOPBACK_HTTP

SHAPE = (200, 300)
CHUNKS = (37, 53)

#: values for the parameters an op requires (or that make a step interesting)
SAMPLE = {
    "filters.percentile": {"size": 5, "percentile": 30},
    "filters.rank": {"size": 3, "rank": 2},
    "filters.gaussian": {"sigma": 1.5},
    "filters.convolve": {"kernel": [[1, 2, 0], [0, 1, -1], [3, 0, 1]], "origin": 1},
    "filters.correlate": {"kernel": [[1, 0, 2, 1, 0], [0, 1, 0, 0, 1]]},
    "filters.separable": {"kernels": [[1, 2, 1], [1, 0, -1, 2, 1]]},
    "filters.unsharp_mask": {"sigma": 2.0},
    "filters.adaptive_median": {"max_size": 7},
    "filters.mean": {"size": 4},
    "filters.median": {"size": 5},
    "filters.sobel": {"axis": 1},
    "intensity.gamma": {"gamma": 0.5},
    "intensity.piecewise_linear": {"points": [[0, 0], [100, 50], [255, 255]]},
    "intensity.threshold": {"t": 100},
    "intensity.apply_lut": {"lut": list(range(255, -1, -1))},
    "intensity.bit_plane": {"k": 3},
    "segmentation.apply_thresholds": {"thresholds": [60, 160]},
    "morphology.erode": {"size": [3, 5]}, "morphology.dilate": {"size": 3},
    "morphology.open": {"size": 3}, "morphology.close": {"footprint": {"disk": 2}},
    "morphology.gradient": {"size": 3}, "morphology.tophat": {"size": 5}, "morphology.blackhat": {"size": 3},
}


def _image(shape=SHAPE, dtype=np.uint8, seed=0):
    """A smooth-plus-noise image: order statistics and thresholds see real structure, not only noise."""
    rng = np.random.default_rng(seed)
    grids = np.meshgrid(*[np.linspace(0, 3 * np.pi, n) for n in shape], indexing="ij")
    base = 100 + 60 * np.sin(sum(grids)) + rng.normal(0, 25, shape)
    return np.clip(base, 0, 255).astype(dtype)


def _same(chunked, expected, what):
    chunked = np.asarray(chunked)
    expected = np.asarray(expected)
    assert chunked.shape == expected.shape and chunked.dtype == expected.dtype, what
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(chunked, expected, err_msg=what)
    else:
        scale_ = float(np.max(np.abs(expected))) or 1.0
        np.testing.assert_allclose(chunked, expected, rtol=1e-5, atol=1e-5 * scale_, err_msg=what)


def _check(steps, image, chunks=CHUNKS, scheduler="synchronous", **kwargs):
    pipe = fp.Pipeline(steps)
    expected = pipe.run(image)
    got = scale.apply(pipe, image, chunks=chunks, progress=False, scheduler=scheduler, **kwargs)
    _same(got.compute(scheduler=scheduler), expected, repr(pipe))
    return got


def _blockwise_ops():
    for name, op in fp.registry().items():
        if op.kind in ("pointwise", "neighbourhood") and not op.random:
            yield name, op


def _cases():
    for name, op in _blockwise_ops():
        params = dict(SAMPLE.get(name, {}))
        if op.param("mode") is None:
            yield pytest.param(name, [params], id=name)
        else:
            yield pytest.param(name, [{**params, "mode": mode, **({"cval": 7} if mode == "constant" else {})}
                                      for mode in MODES], id=name)


@pytest.mark.parametrize("name, variants", list(_cases()))
def test_every_blockwise_op_and_mode_equals_in_memory(name, variants):
    """Every registered op with a finite halo, in every border mode, on 37 x 53 chunks of a 200 x 300 image:
    bit-identical for integer outputs, 1e-5 relative for float ones."""
    import dask

    image = _image()
    if name in ("dtype.to_uint8", "dtype.to_uint16"):
        image = image.astype(np.float32) / 255
    arrays = [scale.apply([(name, params)], image, chunks=CHUNKS, progress=False) for params in variants]
    for got, params in zip(dask.compute(*arrays, scheduler="synchronous"), variants):
        _same(got, fp.Pipeline([(name, params)]).run(image), f"{name} {params}")
    assert arrays[0].numblocks == (6, 6)


def test_the_sweep_covers_every_finite_halo_op():
    names = {n for n, _ in _blockwise_ops()}
    assert {"filters.median", "filters.gaussian", "morphology.close", "intensity.gamma"} <= names
    for name in names:
        assert fp.Pipeline([(name, SAMPLE.get(name, {}))]).halo(2) is not None


CHAINS = [
    [("filters.median", {"size": 3, "mode": "reflect"}), ("filters.gaussian", {"sigma": 1.0, "mode": "mirror"})],
    [("filters.gaussian", {"sigma": 1.2, "mode": "nearest", "dtype": "uint8"}),
     ("morphology.dilate", {"size": 3, "mode": "constant", "cval": 3}),
     ("filters.sobel", {"mode": "reflect"})],
    [("filters.mean", {"size": 5, "mode": "wrap"}), ("filters.maximum", {"size": 3, "mode": "wrap"}),
     ("intensity.threshold", {"t": 120})],
    [("filters.median", {"size": 5, "mode": "reflect"}), ("filters.gaussian", {"sigma": 2.0, "mode": "wrap"}),
     ("filters.laplacian", {"mode": "constant", "cval": 1.5})],
    [("dtype.to_float", {}), ("filters.unsharp_mask", {"sigma": 1.0, "mode": "mirror"}),
     ("filters.minimum", {"size": 3, "mode": "wrap"})],
]


@pytest.mark.parametrize("steps", CHAINS, ids=[" > ".join(s[0] for s in c) for c in CHAINS])
def test_chains_equal_in_memory(steps):
    _check(steps, _image(seed=3))


_PROPERTY_OPS = [("filters.median", {"size": 3}), ("filters.maximum", {"size": 5}),
                 ("filters.gaussian", {"sigma": 0.8}), ("morphology.open", {"size": 3}),
                 ("filters.sobel", {"axis": 0}), ("intensity.negative", {})]


@settings(max_examples=10, deadline=None)
@given(rows=st.integers(5, 45), cols=st.integers(5, 60),
       chain=st.lists(st.tuples(st.sampled_from(range(len(_PROPERTY_OPS))), st.sampled_from(MODES)), min_size=1,
                      max_size=3))
def test_any_chunking_of_any_chain_equals_in_memory(rows, cols, chain):
    """Property: chunks of any size (5 pixels up to the whole axis, smaller or larger than the summed halo) and any
    chain of blockwise steps in any modes give the in-memory result."""
    image = _image((41, 57), seed=rows * 61 + cols)
    steps = []
    for k, mode in chain:
        name, params = _PROPERTY_OPS[k]
        params = dict(params)
        if fp.get(name).param("mode") is not None:
            params["mode"] = mode
        steps.append((name, params))
    _check(steps, image, chunks=(rows, cols))


def test_a_run_of_steps_is_one_overlap_with_the_summed_halo():
    stages = scale.plan([("filters.median", {"size": 5}), ("intensity.gamma", {"gamma": 2}),
                         ("filters.gaussian", {"sigma": 1.0}), ("morphology.open", {"size": 3})])
    assert len(stages) == 1 and stages[0].kind == "blockwise"
    assert stages[0].depth == (2 + 0 + 4 + 2, 2 + 0 + 4 + 2)  # 5x5 median, gamma, gaussian 4 sigma, open 2 x 1
    # a switch between wrap and the other modes starts a new (periodic) overlap
    stages = scale.plan([("filters.median", {"size": 3}), ("filters.mean", {"size": 3, "mode": "wrap"}),
                         ("intensity.negative", {}), ("filters.mean", {"size": 5, "mode": "wrap"}),
                         ("filters.median", {"size": 3, "mode": "nearest"})])
    assert [(s.kind, s.boundary, s.depth) for s in stages] == [
        ("blockwise", "image edge", (1, 1)), ("blockwise", "periodic", (3, 3)), ("blockwise", "image edge", (1, 1))]
    # global, geometric and measurement steps are stages of their own
    kinds = [s.kind for s in scale.plan([("filters.median", {}), ("restoration.blur", {"psf": [[1]]}),
                                         ("filters.median", {})])]
    assert kinds == ["blockwise", "in-memory", "blockwise"]


def test_the_graph_has_one_overlap_per_run():
    """The overlap of a 3-step run is built once: the graph's size does not grow with the steps in the run."""
    image = _image()
    one = scale.apply([("filters.median", {})], image, chunks=CHUNKS, progress=False)
    three = scale.apply([("filters.median", {}), ("filters.gaussian", {"sigma": 1}), ("filters.sobel", {})],
                        image, chunks=CHUNKS, progress=False)
    assert len(three.__dask_graph__()) == len(one.__dask_graph__())


@pytest.mark.parametrize("sigma, chunks", [(12.0, CHUNKS), (40.0, CHUNKS), (3.0, (9, 40))])
def test_halo_deeper_than_a_chunk_rechunks(sigma, chunks):
    """Halo 48 and 160 on 37 x 53 chunks, 12 on 9 x 11: rechunked (or one chunk per axis), never an error."""
    steps = [("filters.gaussian", {"sigma": sigma, "mode": "reflect"}), ("filters.median", {"mode": "wrap"})]
    got = _check(steps, _image(seed=1), chunks=chunks)
    assert len(got.chunks[0]) >= 1


def test_volume_3d():
    vol = _image((40, 50, 60), seed=2)
    _check([("filters.median", {"size": 3, "mode": "mirror"}), ("filters.gaussian", {"sigma": 1.0, "mode": "wrap"})],
           vol, chunks=(13, 17, 19))
    _check([("morphology.close", {"size": 3}), ("filters.laplacian", {"mode": "constant", "cval": 2})], vol,
           chunks=(13, 17, 19))


def test_colour_channels_are_never_split():
    rgb = np.stack([_image((120, 150), seed=s) for s in range(3)], axis=-1)
    got = _check([("filters.median", {"size": 3, "channel_axis": -1}),
                  ("filters.gaussian", {"sigma": 1.0, "channel_axis": -1, "mode": "wrap"})], rgb)
    assert got.chunks[2] == (3,)
    _check([("filters.median", {"size": 3})], rgb)  # a 3-D median across the channels: still the same result


@pytest.mark.parametrize("scheduler", ["threads", "processes"])
def test_local_schedulers(scheduler, tmp_path):
    image = _image((90, 110))
    _check(CHAINS[0], image, chunks=(30, 40), scheduler="threads", num_workers=2)
    for k, steps in enumerate(CHAINS[:3:2]):  # written by apply: its own computation on that scheduler
        path = scale.apply(steps, image, chunks=(30, 40), scheduler=scheduler, num_workers=2, progress=False,
                           out=tmp_path / f"{k}.zarr")
        _same(scale.open_array(path).compute(), fp.Pipeline(steps).run(image), f"{scheduler} {steps}")


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    # in-process workers (inproc transport: no socket at all); worker processes would each load and compile the
    # kernels first (tens of seconds here); the 'processes' scheduler test covers pickling to other processes
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                                  scheduler_kwargs=LOOPBACK_HTTP) as cluster, distributed.Client(
            cluster, set_as_default=False) as client:
        yield client


def test_distributed_equals_threads(cluster, tmp_path):
    image = _image((90, 110))
    steps = CHAINS[0] + [("intensity.threshold", {"t": 100}), ("morphology.open", {"size": 3})]
    threaded = scale.apply(steps, image, chunks=(30, 40), progress=False).compute()
    path = scale.apply(steps, image, chunks=(30, 40), scheduler=cluster, progress=False, out=tmp_path / "d.zarr")
    assert np.array_equal(scale.open_array(path).compute(), threaded)
    # by address too (a Client made for the call and closed after it)
    address = cluster.scheduler.address
    path = scale.apply(steps, image, chunks=(30, 40), scheduler=address, progress=False, out=tmp_path / "e.zarr")
    assert np.array_equal(scale.open_array(path).compute(), threaded)


def test_own_local_cluster_stays_on_the_loopback_beside_another_cluster(tmp_path):
    """scheduler='distributed' without a client makes its own LocalCluster: its scheduler's HTTP server must not
    take port 8787 (another cluster's, held here; the warning would be an error under this configuration)."""
    import socket

    pytest.importorskip("distributed")
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8787))
        holder.listen()
    except OSError:
        pass  # held by someone else already: the same situation
    try:
        image = _image((40, 50))
        path = scale.apply("intensity.negative", image, chunks=(20, 25), scheduler="distributed", num_workers=1,
                           progress=False, out=tmp_path / "n.zarr")
        assert np.array_equal(scale.open_array(path).compute(), fp.Pipeline([("intensity.negative", {})]).run(image))
    finally:
        holder.close()


def test_small_inputs_run_in_memory_unless_chunking_is_asked():
    image = _image((64, 80))
    auto = scale.apply("filters.median", image, params={"size": 3}, progress=False)
    assert auto.chunks == ((64,), (80,)) and len(auto.__dask_graph__()) == 1  # computed already, wrapped
    chunked = scale.apply("filters.median", image, params={"size": 3}, chunks=32, progress=False)
    assert chunked.numblocks == (2, 3)
    assert np.array_equal(auto.compute(), chunked.compute())


def test_large_numpy_input_gets_automatic_chunks(monkeypatch):
    monkeypatch.setattr(scale._apply, "AUTO_CHUNK_PIXELS", 64 * 64)
    image = _image((150, 170))
    got = scale.apply("filters.gaussian", image, params={"sigma": 1}, in_memory_below=1000, progress=False)
    assert got.chunks[0] == (64, 64, 22) and got.chunks[1] == (64, 64, 42)
    _same(got.compute(), fp.Pipeline([("filters.gaussian", {"sigma": 1})]).run(image), "auto chunks")


def test_global_step_without_handler_runs_in_memory_with_a_message(caplog):
    image = _image((60, 70)).astype(np.float32)
    steps = [("filters.median", {}), ("restoration.blur", {"psf": [[0, 1, 0], [1, 4, 1], [0, 1, 0]]}),
             ("filters.gaussian", {"sigma": 1})]
    with pytest.warns(UserWarning, match=r"step 2 \(restoration.blur\) has no out-of-core method; running it in "
                                         r"memory"):
        _check(steps, image, chunks=(20, 30))


def test_global_step_over_the_memory_budget_is_refused():
    image = _image((60, 70))
    with pytest.raises(scale.ScaleError, match=r"step 1 \(restoration.blur\).*\(60, 70\) uint8.*memory_limit"):
        scale.apply([("restoration.blur", {"psf": [[1, 1]]})], image, chunks=20, memory_limit=1000, progress=False)


def test_random_steps_in_memory_or_per_chunk():
    image = _image((60, 70))
    steps = [("noise.gaussian", {"sigma": 10, "rng": 5}), ("filters.median", {})]
    _check(steps, image, chunks=(20, 30))  # fits the budget: the in-memory stream, exactly
    with pytest.warns(UserWarning, match="per chunk"):
        a = scale.apply(steps, image, chunks=(20, 30), memory_limit=1000, progress=False).compute()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = scale.apply(steps, image, chunks=(20, 30), memory_limit=1000, progress=False).compute()
    assert np.array_equal(a, b) and not np.array_equal(a, fp.Pipeline(steps[1:]).run(image))


def test_progress_counts_every_task():
    image = _image((80, 90))
    with pytest.warns(UserWarning, match="in memory"):
        x = scale.apply([("filters.median", {}), ("restoration.blur", {"psf": [[1]]})], image, chunks=30,
                        progress=True)
    bar = scale._apply._RichProgress.last
    assert bar is not None and bar.total > 0 and bar.done == bar.total
    assert x.shape == image.shape


def test_errors_name_the_parameter():
    image = _image((40, 40))
    with pytest.raises(ValueError, match="apply: chunks must be"):
        scale.apply("filters.median", image, chunks=0)
    with pytest.raises(ValueError, match="apply: chunks must have one value per axis"):
        scale.apply("filters.median", image, chunks=(1, 2, 3, 4))
    with pytest.raises(ValueError, match="apply: scheduler must be"):
        scale.apply("filters.median", image, scheduler="gpu")
    with pytest.raises(ValueError, match="apply: memory_limit must be"):
        scale.apply("filters.median", image, memory_limit=-5)
    with pytest.raises(TypeError, match="apply: pipeline_or_op must be"):
        scale.apply(42, image)
    with pytest.raises(fp.PipelineError, match="size"):
        scale.apply("filters.median", image, params={"size": 4})


def test_input_is_not_modified():
    image = _image((70, 80))
    before = image.copy()
    scale.apply(CHAINS[1], image, chunks=25, progress=False).compute()
    assert np.array_equal(image, before)


def test_global_steps_use_the_out_of_core_handlers():
    """median + Gaussian + Otsu + label + regionprops on 37 x 53 chunks: the partner modules' two-pass, label
    and streamed-measure handlers, with the in-memory table (area, centroid, bbox, mean intensity)."""
    handlers = scale._apply._handlers()
    needed = ("segmentation.binarize", "segmentation.label", "measure.regionprops")
    if not all(n in handlers for n in needed):
        pytest.skip("the two-pass handlers are not there yet")
    image = _image()
    steps = [("filters.median", {"size": 5}), ("filters.gaussian", {"sigma": 2.0}),
             ("segmentation.binarize", {"threshold": "otsu"}), ("segmentation.label", {}),
             ("measure.regionprops", {"intensity": "@input"})]
    assert [s.kind for s in scale.plan(steps)] == ["blockwise", "two-pass", "two-pass", "measure"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no in-memory fallback
        got = scale.apply(steps, image, chunks=CHUNKS, progress=False, scheduler="synchronous")
    expected = fp.Pipeline(steps).run(image)
    assert len(got) == len(expected) > 1
    for column in ("area", "centroid_0", "centroid_1", "bbox_0", "bbox_3", "mean_intensity"):
        np.testing.assert_allclose(sorted(got.data[column]), sorted(expected.data[column]), rtol=1e-9)
