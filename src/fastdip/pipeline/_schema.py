"""Parameter schemas derived from a public function's signature and numpy docstring, and the checks they drive.

A schema is plain data (JSON-serialisable): the web playground builds its controls from it, the CLI parses
``--op name:key=value`` with it, and :class:`~fastdip.pipeline.Pipeline` validates every step with it before
anything runs.
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import dataclass, field

import numpy as np

#: schema types: what a parameter accepts
TYPES = ("int", "number", "bool", "string", "choice", "ints", "numbers", "array", "mask", "image", "any")

#: footprint shapes a ``mask`` parameter may name instead of listing its values: {"disk": 15}
FOOTPRINTS = ("disk", "square", "rectangle", "cross", "diamond", "ball", "cube")

_CHOICES = re.compile(r"\{([^}]*)\}")


@dataclass(frozen=True)
class Param:
    """One parameter of a registered operation.

    Attributes
    ----------
    name : str
        The keyword the function takes.
    type : str
        One of :data:`TYPES`: ``int``; ``number`` (a real); ``bool``; ``string``; ``choice`` (one of
        ``choices``, or a number too when ``number_ok``); ``ints`` / ``numbers`` (one value or a list, e.g.
        per-axis sizes); ``array`` (a nested list of numbers, e.g. a kernel or footprint); ``image`` (the
        pipeline's input, written ``"@input"``); ``any`` (checked by the function itself).
    default : object
        The default (JSON form), or None; ``required`` says whether one must be given.
    required : bool
    nullable : bool
        Whether None (JSON null) is accepted.
    choices : list of str
        For ``choice``.
    minimum, maximum : float or None
        Inclusive bounds for numbers (each value of a list).
    help : str
        The first sentence of the docstring's description.
    number_ok : bool
        A ``choice`` that also takes a number (e.g. ``binarize``'s threshold).
    exclusive_minimum : bool
        ``minimum`` itself is not allowed.
    odd : bool
        Integers must be odd (window sides of order filters).
    """

    name: str
    type: str
    default: object = None
    required: bool = False
    nullable: bool = False
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    number_ok: bool = False
    exclusive_minimum: bool = field(default=False)
    odd: bool = False

    def to_dict(self) -> dict:
        """The schema as plain data."""
        out = {"name": self.name, "type": self.type, "default": self.default, "required": self.required,
               "nullable": self.nullable, "help": self.help}
        if self.choices:
            out["choices"] = list(self.choices)
        if self.number_ok:
            out["number_ok"] = True
        if self.minimum is not None:
            out["minimum"] = self.minimum
            out["exclusive_minimum"] = self.exclusive_minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.odd:
            out["odd"] = True
        return out


def docstring_parameters(doc: str) -> dict[str, tuple[str, str]]:
    """``{name: (type text, first sentence)}`` from a numpy docstring's Parameters section."""
    lines = (doc or "").splitlines()
    out = {}
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Parameters") + 2
    except StopIteration:
        return out
    base = None
    i = start
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped and lines[i + 1:i + 2] and set(lines[i + 1].strip()) == {"-"}:
            break  # the next section
        indent = len(line) - len(line.lstrip())
        if stripped and (base is None or indent <= base):
            base = indent
            names, _, type_text = stripped.partition(" : ")
            desc = []
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
                if not lines[j].strip() and desc:
                    break
                desc.append(lines[j].strip())
                j += 1
            text = " ".join(desc)
            sentence = text.split(". ")[0].rstrip(".:") + "." if text else ""
            for name in names.split(","):
                out[name.strip()] = (type_text.strip(), sentence)
            i = j
            continue
        i += 1
    return out


def _json_default(value):
    if value is inspect.Parameter.empty:
        return None
    if isinstance(value, tuple):
        return [_json_default(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return None


def derive(func, overrides: dict | None = None, skip=("image",)) -> tuple[Param, ...]:
    """The schema of ``func``'s parameters after the first (the image), from its signature and docstring.

    ``overrides`` maps a parameter name to a dict of :class:`Param` fields that replace the derived ones (a
    type the docstring cannot tell, bounds), or to None to hide the parameter (it keeps its default).
    """
    overrides = overrides or {}
    doc = docstring_parameters(func.__doc__ or "")
    params = []
    for i, (name, p) in enumerate(inspect.signature(func).parameters.items()):
        if i == 0 or name in skip or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if name in overrides and overrides[name] is None:
            continue
        type_text, help_text = doc.get(name, ("", ""))
        spec = _from_type_text(type_text, p.default)
        spec.update(name=name, help=help_text, required=p.default is inspect.Parameter.empty,
                    default=_json_default(p.default))
        if p.default is None or "None" in type_text:
            spec["nullable"] = True
        spec.update(overrides.get(name, {}))
        params.append(Param(**spec))
    return tuple(params)


def _from_type_text(text: str, default) -> dict:
    low = text.lower()
    choices = _CHOICES.search(text)
    if choices:
        values = [v.strip().strip("'\"") for v in choices.group(1).split(",") if v.strip()]
        if all(re.fullmatch(r"-?\d+", v) for v in values):
            return {"type": "choice", "choices": tuple(values), "number_ok": True}
        return {"type": "choice", "choices": tuple(values), "number_ok": "float" in low or "int" in low}
    if "ndarray" in low or "array" in low:
        return {"type": "array"}
    if low.startswith("bool") or isinstance(default, bool):
        return {"type": "bool"}
    if ("sequence" in low or "tuple" in low or "list" in low) and "int" in low and "float" not in low:
        return {"type": "ints"}
    if "sequence" in low or "tuple" in low or "list" in low:
        return {"type": "numbers"}
    if low.startswith("int"):
        return {"type": "int"}
    if low.startswith(("float", "real", "number")):
        return {"type": "number"}
    if low.startswith("str"):
        return {"type": "string"}
    if isinstance(default, int):
        return {"type": "int"}
    if isinstance(default, float):
        return {"type": "number"}
    if isinstance(default, str):
        return {"type": "string"}
    return {"type": "any"}


class ParamError(ValueError):
    """A step's parameter is not allowed; the message names the step, the op, the parameter and the value."""


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_value(param: Param, value, where: str):
    """Check ``value`` against ``param``; return it in the form the function takes (lists of numbers for
    arrays become float64 arrays, lists for per-axis values become tuples)."""
    def fail(allowed):
        raise ParamError(f"{where}: parameter {param.name!r} must be {allowed}, got {_show(value)}")

    if value is None:
        if param.nullable or not param.required and param.default is None:
            return None
        fail(f"a {param.type}" + (f" (one of {list(param.choices)})" if param.choices else ""))
    kind = param.type
    if kind == "any":
        return value
    if kind == "image":
        if isinstance(value, str) and value == "@input":
            return value
        if isinstance(value, np.ndarray):
            return value
        fail('"@input" (the pipeline\'s input image) or an array')
    if kind == "bool":
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        fail("true or false")
    if kind == "string":
        if isinstance(value, str):
            return value
        fail("a string")
    if kind == "choice":
        if isinstance(value, str) and value in param.choices:
            return value
        if param.number_ok and _is_number(value):
            number = float(value)
            if str(int(number)) in param.choices and number == int(number):
                return int(number)
            if param.number_ok and not all(re.fullmatch(r"-?\d+", c) for c in param.choices):
                return _bounded(param, value, fail)
        fail("one of " + ", ".join(repr(c) for c in param.choices) + (" or a number" if param.number_ok else ""))
    if kind in ("int", "number"):
        if kind == "int" and not _is_int(value):
            fail("an integer" + _bounds_text(param))
        if kind == "number" and not _is_number(value):
            fail("a finite number" + _bounds_text(param))
        return _bounded(param, value, fail)
    if kind in ("ints", "numbers"):
        ok = _is_int if kind == "ints" else _is_number
        what = "integers" if kind == "ints" else "finite numbers"
        if ok(value):
            return _bounded(param, value, fail)
        if isinstance(value, (list, tuple)) and value and all(ok(v) for v in value):
            return tuple(_bounded(param, v, fail) for v in value)
        fail(f"one of the {what} or a non-empty list of them" + _bounds_text(param))
    if kind == "mask":
        return _mask(value, fail)
    if kind == "array":
        if isinstance(value, np.ndarray):
            return value
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            fail("a (nested) list of numbers")
        if arr.size == 0 or not np.isfinite(arr).all():
            fail("a non-empty (nested) list of finite numbers")
        return arr
    raise AssertionError(f"unknown schema type {kind!r}")


class NamedFootprint(dict):
    """A footprint given by name, ``{"disk": 15}``: kept in this form for files and scripts, built on use."""

    def build(self) -> np.ndarray:
        from fastdip import morphology

        (shape, arg), = self.items()
        return getattr(morphology, shape)(*arg) if isinstance(arg, (list, tuple)) else getattr(morphology, shape)(arg)


def _mask(value, fail):
    allowed = ("a nested list of booleans or 0/1, or one named shape such as {\"disk\": 15} "
               f"(shapes: {', '.join(FOOTPRINTS)})")
    if isinstance(value, np.ndarray) and value.dtype == bool:
        return value
    if isinstance(value, dict):
        if len(value) != 1 or next(iter(value)) not in FOOTPRINTS:
            fail(allowed)
        (shape, arg), = value.items()
        named = NamedFootprint({shape: list(arg) if isinstance(arg, (list, tuple)) else arg})
        try:
            named.build()
        except (TypeError, ValueError) as exc:
            fail(f"a valid {shape} ({exc})")
        return named
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        fail(allowed)
    if arr.size == 0 or arr.dtype.kind not in "biu" or not np.isin(arr, (0, 1)).all():
        fail(allowed)
    return arr.astype(bool)


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_number(v) -> bool:
    return (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
            and math.isfinite(float(v)))


def _bounds_text(param: Param) -> str:
    if param.odd:
        return " (odd)" + ("" if param.minimum is None and param.maximum is None else
                           _bounds_text(Param(param.name, param.type, minimum=param.minimum, maximum=param.maximum,
                                              exclusive_minimum=param.exclusive_minimum)))
    if param.minimum is None and param.maximum is None:
        return ""
    lo = "-inf" if param.minimum is None else f"{param.minimum:g}"
    hi = "inf" if param.maximum is None else f"{param.maximum:g}"
    return f" in {'(' if param.exclusive_minimum else '['}{lo}, {hi}]"


def _bounded(param: Param, value, fail):
    v = float(value)
    low_bad = param.minimum is not None and (v <= param.minimum if param.exclusive_minimum else v < param.minimum)
    if low_bad or (param.maximum is not None and v > param.maximum) or (param.odd and v % 2 != 1):
        fail(("an integer" if param.type in ("int", "ints") else "a number") + _bounds_text(param))
    return int(value) if _is_int(value) else float(value)


def parse_text(param: Param, text: str):
    """A value written on the command line (``size=5``, ``size=3,5``, ``mode=nearest``, ``kernel=[[1,2]]``),
    converted by the parameter's type (then checked with :func:`check_value`)."""
    import json

    text = text.strip()
    if param.type in ("string", "any") or (param.type == "choice" and text in param.choices):
        if param.type == "any":
            try:
                return json.loads(text)
            except ValueError:
                return text
        return text
    if text.lower() in ("none", "null"):
        return None
    if param.type == "bool":
        lowered = text.lower()
        if lowered in ("true", "yes", "1", "on"):
            return True
        if lowered in ("false", "no", "0", "off"):
            return False
        return text
    if param.type in ("ints", "numbers") and "," in text and not text.startswith("["):
        text = "[" + text + "]"
    try:
        return json.loads(text)
    except ValueError:
        return text
