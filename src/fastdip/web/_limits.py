"""The playground server's limits: upload size, pixel count, time per request, worker threads, cache size."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

#: hosts the server answers by default (the Host header, port aside): DNS-rebinding pages are refused
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Limits:
    """What one playground server accepts and spends.

    Attributes
    ----------
    max_upload_bytes : int
        Largest upload body (bytes of the file as sent); larger is refused with 413. Default 50 MB.
    max_pixels : int
        Largest image (rows x cols) accepted, read from the file header before decoding (decompression bombs
        are refused with 413). Default 40 million.
    max_image_bytes : int
        Largest decoded array (bytes). Default 512 MiB.
    timeout_s : float
        Time limit of one request's work; past it the request gets 504 and its remaining steps are skipped.
    workers : int
        Threads that run operations (the event loop never runs one, so the page stays responsive).
    cache_bytes : int
        Budget of the cache of uploaded images and step results (least recently used evicted first).
    preview_side : int
        Longest side of the downsized copy that slider drags run on.
    max_steps : int
        Most steps one request may hold.
    max_json_bytes : int
        Largest JSON request body.
    """

    max_upload_bytes: int = 50 * 2**20
    max_pixels: int = 40_000_000
    max_image_bytes: int = 512 * 2**20
    timeout_s: float = 60.0
    workers: int = max(2, min(4, os.cpu_count() or 2))
    cache_bytes: int = 1024 * 2**20
    preview_side: int = 512
    max_steps: int = 64
    max_json_bytes: int = 2 * 2**20

    def with_(self, **changes) -> Limits:
        """A copy with these fields changed (each checked: a positive number)."""
        known = {f.name for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise TypeError(f"create_app: unknown limit {name!r}; known: {', '.join(sorted(known))}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"create_app: limit {name!r} must be a positive number, got {value!r}")
            if name != "timeout_s" and not isinstance(value, int):
                raise ValueError(f"create_app: limit {name!r} must be an integer, got {value!r}")
        return replace(self, **changes)
