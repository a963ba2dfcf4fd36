"""Shared docstring fragments, filled in by the ``fill`` decorator (STYLE.md principle 10).

A docstring names a fragment as ``{name}`` alone on a line (indented as the fragment should be); only the
names in ``FRAGMENTS`` are replaced, so other braces in a docstring are left alone.
"""

from __future__ import annotations

import re

FRAGMENTS = {
    "image": """image : ndarray
    The input image, never modified.""",
    "mode": """mode : {'reflect', 'mirror', 'nearest', 'wrap', 'constant'}, optional
    How the image is extended past its border (scipy.ndimage's names), for input ``a b c d``:

    ========== ===================
    'reflect'  ``d c b a | a b c d | d c b a``
    'mirror'   ``d c b | a b c d | c b a``
    'nearest'  ``a a a a | a b c d | d d d d``
    'wrap'     ``a b c d | a b c d | a b c d``
    'constant' ``k k k k | a b c d | k k k k`` (k = ``cval``)
    ========== ===================""",
    "cval": """cval : float, optional
    The value outside the border when ``mode='constant'``.""",
    "channel_axis": """channel_axis : int or None, optional
    The axis that holds colour channels (usually -1), or None for a grey-level image.""",
    "rng": """rng : None, int or numpy.random.Generator, optional
    The random source: a seed for reproducible results, a Generator, or None for fresh entropy.""",
    "out": """out : ndarray, optional
    A C-contiguous array of the result's shape and dtype to write into; the only array written.""",
    "dtype_point": """The input dtype (a point operation keeps the dtype; integer results are rounded and clipped to the
    dtype's range [0, L-1], never wrapped).""",
    "dtype_float": """float32 for inputs of up to 32 bits, float64 for float64 input, in the input's value scale
    (nothing rescaled); ``dtype=`` asks for another dtype (integer dtypes are rounded and clipped).""",
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>\w+)\}[ \t]*$", re.MULTILINE)


def _substitute(match: re.Match) -> str:
    name = match.group("name")
    if name not in FRAGMENTS:
        return match.group(0)
    indent = match.group("indent")
    return "\n".join(indent + line if line else line for line in FRAGMENTS[name].splitlines())


def fill(func):
    """Replace ``{name}`` placeholder lines in ``func.__doc__`` with the shared fragments."""
    if func.__doc__:
        func.__doc__ = _PLACEHOLDER.sub(_substitute, func.__doc__)
    return func
