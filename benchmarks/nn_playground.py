"""The /nn playground's training stream over HTTP on loopback: ``python -m benchmarks.nn_playground``.

A client polls ``POST /api/nn/sessions/{id}/step`` exactly as the page does (``epochs=100``, a time budget per
answer, ``since`` the last epoch seen) against a real ``fastdip serve`` (started by :class:`benchmarks.web.Server`),
on the default settings (XOR, 400 points, 200 for training, batch 10 so 20 updates per epoch, two hidden layers
of 6 tanh neurons, Adam). Reports epochs per second, answers per second, the round-trip median and the size of
an answer, for the page's budget (60 ms) and a longer one (200 ms). Bounded: ``--seconds`` per budget (8).
"""

from __future__ import annotations

import argparse
import statistics
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.nn_playground", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="polling time per budget (default 8)")
    args = parser.parse_args(argv)
    import httpx

    from benchmarks.web import Server

    with Server() as srv, httpx.Client(base_url=srv.url, timeout=60) as client:
        sid = client.post("/api/nn/sessions", json={}).json()["id"]
        client.post(f"/api/nn/sessions/{sid}/step", json={"epochs": 5})  # warm-up: torch import, first epoch
        for budget in (60, 200):
            sid = client.post("/api/nn/sessions", json={}).json()["id"]
            trips, sizes, since = [], [], 1
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < args.seconds:
                t = time.perf_counter()
                r = client.post(f"/api/nn/sessions/{sid}/step",
                                json={"epochs": 100, "budget_ms": budget, "since": since})
                r.raise_for_status()
                trips.append(time.perf_counter() - t)
                sizes.append(len(r.content))
                since = r.json()["epoch"] + 1
            wall = time.perf_counter() - t0
            epochs = since - 1
            print(f"budget {budget} ms: {epochs / wall:.1f} epochs/s ({20 * epochs / wall:.0f} updates/s), "
                  f"{len(trips) / wall:.1f} answers/s, round trip p50 {1000 * statistics.median(trips):.0f} ms, "
                  f"{statistics.median(sizes) / 1024:.0f} KiB per answer")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
