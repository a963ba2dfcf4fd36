"""PixelClassifier model files: a numpy ``.npz`` of plain numeric arrays plus one JSON text, nothing that can
run code when read (no pickle, no joblib). Every array is checked before the kernel may index with it."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from . import _features, _forest

FORMAT = "fastdip.learn.PixelClassifier"
FORMAT_VERSION = 1
_SETTINGS = "settings_json"
_ARRAYS = _forest.RAW_KEYS + ("importances",)


def _digest(arrays: dict) -> str:
    h = hashlib.sha256()
    for key in _ARRAYS:
        arr = np.ascontiguousarray(arrays[key])
        h.update(f"{key}:{arr.dtype.str}:{arr.shape};".encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def write(path, settings: dict, arrays: dict, *, overwrite: bool, func: str) -> Path:
    from .. import __version__

    path = Path(os.fspath(path))
    if path.exists() and not overwrite:
        raise FileExistsError(17, "already exists; pass overwrite=True to replace it", str(path))
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "fastdip_version": __version__, **settings,
            "sha256": _digest(arrays)}
    text = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, **{_SETTINGS: text}, **{k: np.ascontiguousarray(arrays[k]) for k in _ARRAYS})
    os.replace(tmp, path)
    return path


def _refuse(func: str, path, why: str):
    raise ValueError(f"{func}: {os.fspath(path)} is not a fastdip model file ({why})")


def read(path, func: str) -> tuple[dict, dict]:
    """(settings, arrays) of a model file, or ValueError naming what is wrong with it."""
    try:
        with np.load(os.fspath(path), allow_pickle=False) as npz:
            keys = set(npz.files)
            if keys != set(_ARRAYS) | {_SETTINGS}:
                _refuse(func, path, f"unexpected contents {sorted(keys)}")
            arrays = {k: npz[k] for k in _ARRAYS}
            text = npz[_SETTINGS]
    except (zipfile.BadZipFile, EOFError, UnicodeDecodeError) as exc:
        _refuse(func, path, f"unreadable archive: {exc}")
    except ValueError as exc:
        if str(exc).startswith(func):
            raise
        _refuse(func, path, f"{exc}")
    if text.dtype != np.uint8 or text.ndim != 1:
        _refuse(func, path, "settings are not UTF-8 text")
    try:
        meta = json.loads(text.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _refuse(func, path, f"settings are not JSON: {exc}")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        _refuse(func, path, f"format is not {FORMAT!r}")
    if meta.get("format_version") != FORMAT_VERSION:
        _refuse(func, path, f"format version {meta.get('format_version')!r}; this fastdip reads {FORMAT_VERSION}")
    if meta.get("sha256") != _digest(arrays):
        _refuse(func, path, "its arrays do not match their recorded SHA-256: the file was changed after saving")
    why = _check_settings(meta, func)
    if why is None:
        n_features = len(meta["feature_names"])
        why = _forest.check(arrays, n_features, len(meta["classes"]))
        imp = arrays["importances"]
        if why is None and (imp.shape != (n_features,) or imp.dtype.kind != "f" or not np.isfinite(imp).all()):
            why = "importances must be one finite number per feature"
    if why is not None:
        _refuse(func, path, why)
    return meta, arrays


def _check_settings(meta: dict, func: str) -> str | None:
    feat = meta.get("features")
    if not isinstance(feat, dict) or feat.get("mode") not in ("reflect", "nearest"):
        return "feature settings are missing"
    try:
        plan = _features._make_plan(func, feat.get("ndim"), feat.get("sigmas"), feat.get("kinds"),
                                    feat.get("spacing"))
    except (TypeError, ValueError) as exc:
        return f"feature settings are invalid: {exc}"
    channels = meta.get("channels")
    if not isinstance(channels, int) or not 1 <= channels <= 64:
        return "channels must be an int in 1..64"
    axis = feat.get("channel_axis")
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool)):
        return "channel_axis must be an int or null"
    classes = meta.get("classes")
    if (not isinstance(classes, list) or len(classes) < 2 or len(set(classes)) != len(classes)
            or not all(isinstance(c, int) and not isinstance(c, bool) and 1 <= c <= 65535 for c in classes)):
        return "classes must be at least two distinct labels in 1..65535"
    names = meta.get("feature_names")
    expected = len(plan.per_channel()) * channels
    if not isinstance(names, list) or len(names) != expected or not all(isinstance(n, str) for n in names):
        return f"feature_names must list the {expected} features of its settings"
    if not isinstance(meta.get("estimator"), str):
        return "estimator must be a name"
    return None
