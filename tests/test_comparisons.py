"""Reference tests driven by the comparison table (``tests/_comparisons.py``), which the benchmarks also read.

For every operation, fastdip's result must match each peer declared to agree, within the table's tolerance,
on the camera image and on seeded random 257x263 images (odd sizes). Peers that disagree by design must stay
within the bound their note records, so the notes cannot go stale.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from tests._comparisons import COMPARISONS, KIND_DTYPES, Comparison, Target, make_input

# values through the public API on one thread; bands on threads have their own tests (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")

TEST_SHAPE = (257, 263)
TEST_VOLUME = (33, 40, 37)


def _image(kind: str) -> np.ndarray:
    return make_input(kind, TEST_VOLUME if kind == "vol" else TEST_SHAPE, seed=7)


def _cases(agreeing: bool):
    for comparison in COMPARISONS:
        for peer, call in comparison.peers.items():
            if call is None or call.agrees != agreeing or comparison.fastdip is None:
                continue
            for kind in comparison.inputs:
                if not call.supports(KIND_DTYPES[kind]):
                    continue
                yield pytest.param(comparison, peer, kind, id=f"{comparison.label}-{peer}-{kind}")


def _check_against_fastdip(comparison: Comparison, peer: str, kind: str) -> None:
    call = comparison.peers[peer]
    image = _image(kind)
    if not call.available(peer):
        pytest.skip(f"{peer} is not installed")
    operands = comparison.operands(image)
    expected = call(*operands)
    actual = comparison.fastdip(*operands)
    tolerance = comparison.tolerance_for(peer)
    assert np.shape(actual) == np.shape(expected)
    excess = tolerance.excess(actual, expected)
    assert excess <= 0, (
        f"{comparison.label} on {kind}: differs from {peer} by {excess:g} beyond tolerance ({tolerance}); "
        f"{call.note or comparison.note}"
    )


@pytest.mark.parametrize(("comparison", "peer", "kind"), list(_cases(agreeing=True)))
def test_fastdip_matches_agreeing_peer(comparison, peer, kind):
    _check_against_fastdip(comparison, peer, kind)


@pytest.mark.parametrize(("comparison", "peer", "kind"), list(_cases(agreeing=False)))
def test_disagreeing_peer_stays_within_recorded_bound(comparison, peer, kind):
    # The recorded bound is the distance from fastdip's definition, so it is checked against fastdip's result.
    _check_against_fastdip(comparison, peer, kind)


def test_every_fastdip_call_exists():
    missing = [c.label for c in COMPARISONS if c.fastdip is not None and not c.fastdip.available()]
    assert not missing, f"fastdip functions named in the comparison table do not exist: {missing}"


def test_every_disagreeing_peer_has_a_note_and_a_bound():
    for comparison in COMPARISONS:
        for peer, call in comparison.peers.items():
            if call is not None and not call.agrees:
                assert call.note, f"{comparison.label}: {peer} disagrees without a note"
                assert call.tolerance is not None, f"{comparison.label}: {peer} disagrees without a bound"


def test_labels_are_unique():
    labels = [c.label for c in COMPARISONS]
    assert len(labels) == len(set(labels))


def test_target_ratios_read_the_right_way_round():
    within_copy = Target("copy", 1.5)
    assert within_copy.met(within_copy.ratio(fastdip_time=1.4, reference_time=1.0))
    assert not within_copy.met(within_copy.ratio(fastdip_time=1.6, reference_time=1.0))
    faster = Target("skimage", 2.0, inputs=("u8 4096×4096",))
    assert faster.met(faster.ratio(fastdip_time=1.0, reference_time=2.5))
    assert not faster.met(faster.ratio(fastdip_time=1.0, reference_time=1.5))
    assert faster.applies_to("u8 4096×4096") and not faster.applies_to("u8 512×512")


def test_benchmark_runner_smoke(capsys, monkeypatch):
    # benchmarks/ is a top-level package beside tests/; importable from the root as `make bench` runs it.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    from benchmarks._runner import main

    assert main(["--quick", "--no-write", "--filter", "negative", "--sizes", "32", "--repeat", "3"]) == 0
    out = capsys.readouterr().out
    assert "negative" in out
    assert "u8 32×32" in out
    assert "fastdip" in out


def _timing_module(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    from benchmarks import _timing

    return _timing


def test_time_rounds_interleaves_the_libraries_and_meets_every_budget(monkeypatch):
    _timing = _timing_module(monkeypatch)
    log = []
    entered = []

    class Context:
        def __enter__(self):
            entered.append(len(log))

        def __exit__(self, *exc):
            entered.append(len(log))

    bodies = {name: (lambda name=name: log.append(name) or name) for name in ("a", "b", "c")}
    out = _timing.time_rounds(bodies, _timing.Budget(seconds=0.02, min_repeat=3), {"c": Context})
    assert {name: result for name, (_, result) in out.items()} == {"a": "a", "b": "b", "c": "c"}
    assert log[:3] == ["a", "b", "c"]  # the first calls, in order
    for name, (timing, _) in out.items():
        assert timing.repeat == log.count(name) - 1 >= 3
        assert timing.best <= timing.median
    # interleaved: every library's timed calls come in several separate slices, the order rotating
    runs = [log[3]]
    for name in log[4:]:
        if name != runs[-1]:
            runs.append(name)
    assert all(runs.count(name) >= 2 for name in "abc")
    assert runs[:3] == ["a", "b", "c"] and runs[3] == "b"
    # the context is entered around c's first call and each of its slices (only c's calls inside), not per call
    spans = list(zip(entered[::2], entered[1::2]))
    assert all(set(log[lo:hi]) == {"c"} for lo, hi in spans)
    assert sum(hi - lo for lo, hi in spans) == log.count("c")
    assert 3 <= len(spans) < log.count("c")


def test_time_rounds_fixed_repeat_and_slow_bodies(monkeypatch):
    _timing = _timing_module(monkeypatch)
    counts = {"fast": 0, "slow": 0}

    def fast():
        counts["fast"] += 1

    def slow():
        counts["slow"] += 1
        time.sleep(0.02)

    out = _timing.time_rounds({"fast": fast, "slow": slow}, _timing.Budget(repeat=7))
    assert out["fast"][0].repeat == out["slow"][0].repeat == 7
    assert counts == {"fast": 8, "slow": 8}
    # a slow body stops at min_repeat calls once they add up to the seconds, one call a round
    counts.update(fast=0, slow=0)
    out = _timing.time_rounds({"fast": fast, "slow": slow}, _timing.Budget(seconds=0.03, min_repeat=3))
    assert out["slow"][0].repeat == 3 and out["slow"][0].median >= 0.02
    assert out["fast"][0].repeat >= 3


def test_time_rounds_settles_before_a_slice_that_follows_another_body(monkeypatch):
    _timing = _timing_module(monkeypatch)
    naps = []
    monkeypatch.setattr(_timing, "_wait", naps.append)
    log = []
    bodies = {name: (lambda name=name: log.append(name)) for name in ("a", "b")}
    _timing.time_rounds(bodies, _timing.Budget(repeat=4), settle=0.25)
    switches = sum(1 for x, y in zip(log, log[1:]) if x != y)
    assert naps == [0.25] * switches and switches >= 4
    naps.clear()
    _timing.time_rounds({"a": bodies["a"]}, _timing.Budget(repeat=4), settle=0.25)
    assert naps == []  # one body: never another before it
