"""fastdip.scale inputs and outputs: zarr v3, OME-Zarr 0.5 (checked with the ome-zarr library that reads it),
tiled BigTIFF (checked with tifffile), atomic writes (an error or a kill leaves nothing), overwrite rules, and
the `fastdip run` CLI in its chunked and cluster forms."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from fastdip import pipeline as fp
from fastdip import scale
from tests._dask import LOOPBACK_HTTP

zarr = pytest.importorskip("zarr")
tifffile = pytest.importorskip("tifffile")


def _image(shape=(200, 300), seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, shape, dtype=np.uint8)


def _ome(path):
    return json.loads((path / "zarr.json").read_text())["attributes"]["ome"]


# -- zarr ----------------------------------------------------------------------------------------------------


def test_zarr_round_trip_with_dimension_names(tmp_path):
    img = _image()
    path = scale.write(img, tmp_path / "a.zarr", chunks=64)
    z = zarr.open_array(str(path), mode="r")
    assert z.metadata.zarr_format == 3 and z.chunks == (64, 64) and z.metadata.dimension_names == ("y", "x")
    assert np.array_equal(z[...], img)
    back = scale.open_array(path)
    assert back.chunks[0][:2] == (64, 64) and np.array_equal(back.compute(), img)
    vol = _image((6, 20, 30)).astype(np.float32)
    z = zarr.open_array(str(scale.write(vol, tmp_path / "v.zarr")), mode="r")
    assert z.metadata.dimension_names == ("z", "y", "x") and np.array_equal(z[...], vol)


def test_apply_from_zarr_to_zarr_keeps_the_store_chunks_aligned(tmp_path):
    img = _image()
    src = scale.write(img, tmp_path / "in.zarr", chunks=(50, 60))
    steps = [("filters.median", {"size": 5}), ("filters.gaussian", {"sigma": 1.0, "dtype": "uint8"})]
    out = scale.apply(steps, src, chunks=(50, 60), out=tmp_path / "out.zarr", progress=False)
    assert np.array_equal(scale.open_array(out).compute(), fp.Pipeline(steps).run(img))
    # auto chunks of a big store: whole multiples of its chunks (never one stored chunk read by two tasks)
    lazy = scale.apply(steps, src, in_memory_below=0, progress=False)
    assert all(c % 50 == 0 for c in lazy.chunks[0][:-1]) and all(c % 60 == 0 for c in lazy.chunks[1][:-1])


# -- OME-Zarr ------------------------------------------------------------------------------------------------


def test_ome_zarr_metadata_and_pyramid(tmp_path):
    img = _image((200, 300))
    path = scale.write(img, tmp_path / "a.ome.zarr", chunks=64, pyramid_levels=2)
    ome = _ome(path)
    assert ome["version"] == "0.5"
    ms = ome["multiscales"][0]
    assert [a["name"] for a in ms["axes"]] == ["y", "x"] and all(a["type"] == "space" for a in ms["axes"])
    assert len(ms["datasets"]) == 3
    scales = [d["coordinateTransformations"][0]["scale"] for d in ms["datasets"]]
    assert scales == [[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]]
    shapes = []
    for d in ms["datasets"]:
        arr = zarr.open_array(str(path / d["path"]), mode="r")
        assert arr.metadata.zarr_format == 3 and arr.metadata.dimension_names == ("y", "x")
        shapes.append(arr.shape)
    assert shapes == [(200, 300), (100, 150), (50, 75)]
    assert np.array_equal(scale.open_array(path).compute(), img)
    assert scale.open_array(path, level=2).shape == (50, 75)
    with pytest.raises(ValueError, match="level must be a level of .*0 to 2"):
        scale.open_array(path, level=3)
    # the library that wrote it reads it back: one multiscale image node with three levels
    from ome_zarr.io import parse_url
    from ome_zarr.reader import Reader

    nodes = list(Reader(parse_url(str(path)))())
    assert len(nodes[0].data) == 3 and np.array_equal(np.asarray(nodes[0].data[0]), img)


def test_ome_zarr_colour_has_a_channel_axis_first_and_reads_back_channel_last(tmp_path):
    rgb = np.stack([_image((64, 80), s) for s in range(3)], axis=-1)
    path = scale.write(rgb, tmp_path / "c.ome.zarr", channel_axis=-1, pyramid_levels=1)
    ms = _ome(path)["multiscales"][0]
    assert [(a["name"], a["type"]) for a in ms["axes"]] == [("c", "channel"), ("y", "space"), ("x", "space")]
    assert zarr.open_array(str(path / ms["datasets"][0]["path"]), mode="r").shape == (3, 64, 80)
    back = scale.open_array(path)
    assert back.shape == (64, 80, 3) and np.array_equal(back.compute(), rgb)


def test_apply_reads_an_ome_zarr_level_and_writes_ome_zarr(tmp_path):
    img = _image((128, 160))
    src = scale.write(img, tmp_path / "in.ome.zarr", pyramid_levels=1)
    level1 = scale.open_array(src, level=1).compute()
    out = scale.apply("filters.median", src, level=1, chunks=(30, 40), out=tmp_path / "out.ome.zarr",
                      progress=False, pyramid_levels=1)
    assert _ome(out)["version"] == "0.5"
    assert np.array_equal(scale.open_array(out).compute(), fp.Pipeline(["filters.median"]).run(level1))


# -- TIFF ----------------------------------------------------------------------------------------------------


def test_tiff_tiled_bigtiff_round_trips(tmp_path):
    img = _image((300, 530))
    path = scale.write(img, tmp_path / "a.tif")
    with tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        assert tif.is_bigtiff and page.is_tiled and (page.tilelength, page.tilewidth) == (256, 256)
        assert np.array_equal(tif.asarray(), img)
    rgb = np.stack([_image((100, 120), s) for s in range(3)], axis=-1)
    path = scale.write(rgb, tmp_path / "c.tif", channel_axis=-1, tile=(32, 48))
    with tifffile.TiffFile(path) as tif:
        assert tif.pages[0].photometric == tifffile.PHOTOMETRIC.RGB and np.array_equal(tif.asarray(), rgb)
    vol = _image((4, 70, 90)).astype(np.uint16) * 200
    path = scale.write(vol, tmp_path / "v.tif", tile=(32, 32))
    assert np.array_equal(tifffile.imread(path), vol)
    with pytest.raises(ValueError, match="tile must be positive multiples of 16"):
        scale.write(img, tmp_path / "b.tif", tile=(100, 100))


def test_tiff_is_read_lazily_tile_by_tile(tmp_path):
    img = _image((300, 530))
    path = tmp_path / "big.tif"
    tifffile.imwrite(path, img, tile=(64, 64), bigtiff=True)
    arr = scale.open_array(path)
    assert arr.chunks[0][0] == 64 and arr.chunks[1][0] == 64  # the file's tiles, nothing decoded yet
    steps = [("filters.gaussian", {"sigma": 2.0, "mode": "wrap"}), ("filters.median", {"size": 3})]
    out = scale.apply(steps, path, chunks=(100, 128), out=tmp_path / "o.tif", progress=False)
    np.testing.assert_allclose(tifffile.imread(out), fp.Pipeline(steps).run(img), rtol=1e-5, atol=1e-4)


# -- atomic writes, overwrite --------------------------------------------------------------------------------


def _failing(shape=(64, 64), chunks=16, bad=(2, 3)):
    import dask.array as da

    def block(x, block_info=None):
        if block_info is not None and tuple(block_info[0]["chunk-location"]) == bad:
            raise RuntimeError("disk on fire")
        return x

    return da.zeros(shape, np.uint8, chunks=chunks).map_blocks(block, dtype=np.uint8)


@pytest.mark.parametrize("name", ["f.zarr", "f.ome.zarr", "f.tif"])
def test_a_failed_write_leaves_nothing(tmp_path, name):
    with pytest.raises(RuntimeError, match="disk on fire"):
        scale.write(_failing(), tmp_path / name, pyramid_levels=1)
    assert os.listdir(tmp_path) == []


def test_existing_outputs_are_kept_unless_overwrite(tmp_path):
    img = _image((40, 50))
    path = scale.write(img, tmp_path / "a.zarr")
    with pytest.raises(FileExistsError, match="already exists"):
        scale.write(_failing(), path)  # refused before anything is computed: no 'disk on fire'
    with pytest.raises(FileExistsError, match="already exists"):
        scale.apply("filters.median", img, out=path, chunks=20)
    with pytest.raises(RuntimeError):
        scale.write(_failing(), path, overwrite=True)  # the old store survives a failed replacement
    assert np.array_equal(scale.open_array(path).compute(), img)
    scale.write(img[::-1], path, overwrite=True)
    assert np.array_equal(scale.open_array(path).compute(), img[::-1])
    assert sorted(os.listdir(tmp_path)) == ["a.zarr"]
    with pytest.raises(ValueError, match="out .* is the input"):
        scale.apply("filters.median", path, out=path, overwrite=True)
    with pytest.raises(ValueError, match="cannot tell the format"):
        scale.apply("filters.median", img, out=tmp_path / "x.png")


def test_a_killed_write_leaves_no_store_at_the_destination(tmp_path):
    """A child writing a slow zarr store is killed with SIGKILL mid-write: nothing at the destination."""
    dest = tmp_path / "k.zarr"
    code = textwrap.dedent(f"""
        import time, numpy as np, dask.array as da
        from fastdip import scale
        def slow(x):
            time.sleep(0.05)
            return x
        arr = da.zeros((400, 400), np.uint8, chunks=20).map_blocks(slow, dtype=np.uint8)
        scale.write(arr, {str(dest)!r})
    """)
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".k.zarr.partial") for p in tmp_path.iterdir()):
            assert child.poll() is None and time.monotonic() < deadline, "the child never started writing"
            time.sleep(0.02)
        time.sleep(0.2)
        assert not dest.exists()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert not dest.exists()


def test_tables_are_written_as_csv(tmp_path):
    img = np.zeros((60, 70), np.uint8)
    img[5:15, 5:20] = 1
    img[30:50, 40:45] = 1
    steps = [("segmentation.label", {}), ("measure.count", {})]
    with pytest.warns(UserWarning, match="in memory") if "segmentation.label" not in scale._apply._handlers() \
            else _nothing():
        out = scale.apply(steps, img, chunks=20, out=tmp_path / "n.csv", progress=False)
    assert out.read_text().split() == ["count", "2"]
    with pytest.raises(ValueError, match="must end in .csv"):
        scale.apply(steps, img, chunks=20, out=tmp_path / "n.zarr")


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- the CLI ---------------------------------------------------------------------------------------------------


def test_cli_run_to_zarr_and_tiff(tmp_path, capsys):
    from fastdip.cli import main

    img = _image((150, 170))
    src = tmp_path / "big.tif"
    tifffile.imwrite(src, img, tile=(64, 64))
    steps = [("filters.median", {"size": 3}), ("filters.maximum", {"size": 3, "mode": "wrap"})]
    pipe = fp.Pipeline(steps)
    pipe.to_file(tmp_path / "p.json")
    expected = pipe.run(img)
    assert main(["run", str(tmp_path / "p.json"), str(src), "-o", str(tmp_path / "o.zarr"), "--chunks", "64",
                 "-q"]) == 0
    assert np.array_equal(scale.open_array(tmp_path / "o.zarr").compute(), expected)
    assert main(["run", str(tmp_path / "p.json"), str(src), "-o", str(tmp_path / "o.ome.zarr"), "-q"]) == 0
    assert np.array_equal(scale.open_array(tmp_path / "o.ome.zarr").compute(), expected)
    assert main(["run", str(tmp_path / "p.json"), str(src), "-o", str(tmp_path / "o.tif"), "--chunks", "40,50",
                 "-q"]) == 0
    assert np.array_equal(tifffile.imread(tmp_path / "o.tif"), expected)
    # an existing output: exit 2, untouched
    assert main(["run", str(tmp_path / "p.json"), str(src), "-o", str(tmp_path / "o.zarr"), "--chunks", "64",
                 "-q"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "p.json"), str(src), str(src), "-o", str(tmp_path / "p.zarr"), "-q"]) == 2
    assert main(["run", str(tmp_path / "p.json"), str(src), "-o", str(tmp_path / "q.zarr"), "--chunks", "0"]) == 2


def test_cli_run_distributes_a_batch_over_a_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    from fastdip import io
    from fastdip.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    images = {f"im{k}.png": _image((40, 50), k) for k in range(5)}
    for name, img in images.items():
        io.imwrite(folder / name, img)
    (folder / "broken.png").write_bytes(b"not a png")
    pipe = fp.Pipeline([("filters.median", {"size": 3})])
    pipe.to_file(tmp_path / "p.json")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None, scheduler_kwargs=LOOPBACK_HTTP) as cluster:
        code = main(["run", str(tmp_path / "p.json"), str(folder), "-o", str(tmp_path / "out"), "--scheduler",
                     cluster.scheduler.address, "-q", "--report", str(tmp_path / "r.json")])
    assert code == 1  # the broken file failed, the others went on
    report = json.loads((tmp_path / "r.json").read_text())
    assert sorted(f["status"] for f in report["files"]) == ["failed"] + ["ok"] * 5
    for name, img in images.items():
        assert np.array_equal(io.imread(tmp_path / "out" / name), pipe.run(img))
