"""Slow, plainly correct references for fastdip.filters' order statistics, and the generator of the median
selection networks in fastdip/_kernels/median.py (never imported by fastdip).

The networks are built symbolically: every value is a node of a min/max DAG with common subexpressions merged;
columns are sorted with optimal small sorting networks (sharing the rows two output rows have in common),
sorted columns are merged with Batcher's odd-even merge, and the k-th of two sorted lists is
``min_i max(S[k-i], C[i])``. Only the nodes the median depends on are emitted (dead-code elimination), so the
result is a pruned selection network. ``network_source(name)`` returns the exact text of the generated kernel;
tests/kernels/test_median.py checks that median.py still holds it and evaluates the DAG on 0/1 inputs.
"""

from __future__ import annotations

import itertools

import numpy as np

# ----------------------------------------------------------------------------------------------- references

_NUMPY_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}


def pad(image, widths, mode, cval):
    """numpy.pad with scipy.ndimage's mode names (the textbook border extension, independent of fastdip)."""
    if mode == "constant":
        return np.pad(image, widths, mode="constant", constant_values=cval)
    return np.pad(image, widths, mode=_NUMPY_PAD[mode])


def rank_filter(image, footprint, rank, mode="reflect", cval=0.0):
    """The rank-th smallest value (negative: from the top) under ``footprint`` at every pixel, one window at a
    time: pad, gather, sort. Works in the input's dtype (cval converted as scipy's C cast does)."""
    image = np.asarray(image)
    footprint = np.asarray(footprint, dtype=bool)
    n = int(footprint.sum())
    rank = rank + n if rank < 0 else rank
    widths = [(s // 2, s // 2) for s in footprint.shape]
    if mode == "constant" and image.dtype.kind in "ui":
        fill = np.trunc(cval)
    else:
        fill = cval
    padded = pad(image.astype(np.float64), widths, mode, fill)
    out = np.empty(image.shape, dtype=np.float64)
    for index in itertools.product(*(range(k) for k in image.shape)):
        window = padded[tuple(slice(i, i + s) for i, s in zip(index, footprint.shape))]
        out[index] = np.sort(window[footprint])[rank]
    return out.astype(image.dtype)


def median_filter(image, size, mode="reflect", cval=0.0):
    footprint = np.ones((size,) * np.ndim(image) if np.isscalar(size) else size, dtype=bool)
    return rank_filter(image, footprint, int(footprint.sum()) // 2, mode, cval)


def running_extreme(line, size, func):
    """Sliding minimum or maximum of a 1-D sequence (valid windows only), one window at a time."""
    line = np.asarray(line)
    return np.array([func(line[i:i + size]) for i in range(len(line) - size + 1)], dtype=line.dtype)


def disk(radius: int) -> np.ndarray:
    y, x = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return x * x + y * y <= radius * radius


def cross(radius: int) -> np.ndarray:
    fp = np.zeros((2 * radius + 1,) * 2, dtype=bool)
    fp[radius, :] = True
    fp[:, radius] = True
    return fp


# ----------------------------------------------------------------------------------- network construction

class Dag:
    """A min/max DAG with hash-consing: equal subexpressions are one node; ``live`` is dead-code elimination."""

    def __init__(self):
        self.index = {}
        self.nodes = []  # ('in', name) | ('min', a, b) | ('max', a, b); ids are in topological order

    def _add(self, key):
        if key not in self.index:
            self.index[key] = len(self.nodes)
            self.nodes.append(key)
        return self.index[key]

    def input(self, name):
        return self._add(("in", name))

    def min(self, a, b):
        return a if a == b else self._add(("min", min(a, b), max(a, b)))

    def max(self, a, b):
        return a if a == b else self._add(("max", min(a, b), max(a, b)))

    def exchange(self, a, b):
        return self.min(a, b), self.max(a, b)

    def live(self, outputs):
        seen, stack = set(), list(outputs)
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                if self.nodes[n][0] != "in":
                    stack += [self.nodes[n][1], self.nodes[n][2]]
        return sorted(seen)

    def count(self, outputs):
        return sum(self.nodes[n][0] != "in" for n in self.live(outputs))

    def evaluate(self, outputs, values):
        out = {}
        for n in self.live(outputs):
            node = self.nodes[n]
            if node[0] == "in":
                out[n] = values[node[1]]
            else:
                a, b = out[node[1]], out[node[2]]
                out[n] = np.minimum(a, b) if node[0] == "min" else np.maximum(a, b)
        return [out[o] for o in outputs]


# optimal sorting networks for 2..5 inputs (Knuth, TAOCP vol. 3, sec. 5.3.4)
_SORT = {
    2: [(0, 1)],
    3: [(0, 2), (0, 1), (1, 2)],
    4: [(0, 1), (2, 3), (0, 2), (1, 3), (1, 2)],
    5: [(0, 3), (1, 4), (0, 2), (1, 3), (0, 1), (2, 4), (1, 2), (3, 4), (2, 3)],
}


def sort(dag, xs):
    xs = list(xs)
    for i, j in _SORT.get(len(xs), []):
        xs[i], xs[j] = dag.exchange(xs[i], xs[j])
    return xs


def merge(dag, a, b):
    """Batcher's odd-even merge of two sorted lists of any lengths."""
    if not a or not b:
        return list(a) + list(b)
    if len(a) == 1 and len(b) == 1:
        return list(dag.exchange(a[0], b[0]))
    v = merge(dag, a[0::2], b[0::2])
    w = merge(dag, a[1::2], b[1::2])
    out = [v[0]]
    rest = v[1:]
    for t in range(max(len(rest), len(w))):
        if t < len(rest) and t < len(w):
            out += dag.exchange(w[t], rest[t])
        else:
            out.append(w[t] if t < len(w) else rest[t])
    return out


def kth_of_two(dag, s, c, k):
    """The k-th smallest (0-based) of two sorted lists: min over i of max(c[i-1], s[k-i])."""
    terms = []
    for i in range(len(c) + 1):
        j = k + 1 - i
        if 0 <= j <= len(s):
            parts = ([c[i - 1]] if i else []) + ([s[j - 1]] if j else [])
            term = parts[0]
            for p in parts[1:]:
                term = dag.max(term, p)
            terms.append(term)
    out = terms[0]
    for term in terms[1:]:
        out = dag.min(out, term)
    return out


def median25_rows2():
    """5x5 medians of two output rows (source rows r0..r5, columns j..j+4): the four shared rows are sorted once
    per column, each output row inserts its own fifth row, then ((c0 c1)(c2 c3)) are merged and the 13th is
    taken against c4."""
    dag = Dag()
    x = [[dag.input(f"src[r{r}, j{c if c else ''}]") for c in range(5)] for r in range(6)]
    outs = []
    cols = {}
    for c in range(5):
        shared = sort(dag, [x[r][c] for r in (1, 2, 3, 4)])
        cols[0, c] = merge(dag, shared, [x[0][c]])
        cols[1, c] = merge(dag, shared, [x[5][c]])
    for o in (0, 1):
        cs = [cols[o, c] for c in range(5)]
        s = merge(dag, merge(dag, cs[0], cs[1]), merge(dag, cs[2], cs[3]))
        outs.append((f"dst[o{o}, j + sh]", kth_of_two(dag, s, cs[4], 12)))
    return dag, outs


def median27_planes2():
    """3x3x3 medians of two output planes (source planes z0..z3, rows y..y+2, columns j..j+2): the two shared
    planes are sorted once per (row, column), each output plane inserts its own third plane, the three columns
    of a row are merged, two rows merged and the 14th taken against the third row."""
    dag = Dag()
    x = [[[dag.input(f"src[z{p}, y{dy if dy else ''}, j{c if c else ''}]") for c in range(3)] for dy in range(3)]
         for p in range(4)]
    outs = []
    tri = {}
    for y in range(3):
        for c in range(3):
            shared = list(dag.exchange(x[1][y][c], x[2][y][c]))
            tri[0, y, c] = merge(dag, shared, [x[0][y][c]])
            tri[1, y, c] = merge(dag, shared, [x[3][y][c]])
    for o in (0, 1):
        row = [merge(dag, merge(dag, tri[o, y, 0], tri[o, y, 1]), tri[o, y, 2]) for y in range(3)]
        outs.append((f"dst[o{o}, oy, j]", kth_of_two(dag, merge(dag, row[0], row[1]), row[2], 13)))
    return dag, outs


# name: (builder, arguments, lines before the loop, index variables computed in the loop)
NETWORKS = {
    "_median25_rows2": (median25_rows2, "src, r0, r1, r2, r3, r4, r5, dst, o0, o1, d, c, n",
                        [], ["j1", "j2", "j3", "j4"]),
    "_median27_planes2": (median27_planes2, "src, z0, z1, z2, z3, y, dst, o0, o1, oy, c, n",
                          ["y1 = y + one", "y2 = y1 + one"], ["j1", "j2"]),
}


def network_body(name):
    """The loop body of a generated kernel: loads, then one compare-exchange (or half of one) per line."""
    build = NETWORKS[name][0]
    dag, outs = build()
    live = dag.live([n for _, n in outs])
    lines, loads = [], []
    emitted = set()
    for n in live:
        node = dag.nodes[n]
        if node[0] == "in":
            loads.append(f"v{n} = {node[1]}")
            continue
        if n in emitted:
            continue
        _, a, b = node
        other = dag.index.get(("max" if node[0] == "min" else "min", a, b))
        if other is not None and other in live and other not in emitted:
            lo, hi = (n, other) if node[0] == "min" else (other, n)
            lines.append(f"v{lo} = min(v{a}, v{b}); v{hi} = max(v{a}, v{b})")
            emitted.update((lo, hi))
        else:
            lines.append(f"v{n} = {node[0]}(v{a}, v{b})")
            emitted.add(n)
    load_lines = ["; ".join(loads[i:i + 4]) for i in range(0, len(loads), 4)]
    # the second output first: a caller with a single last row passes o1 == o0 and keeps the first result
    out_lines = [f"{target} = v{n}" for target, n in reversed(outs)]
    return load_lines + lines + out_lines


def network_source(name):
    """The generated kernel's source. Indices are uint64 and the loop is a while loop: with signed indices or
    ``range(n)`` numba keeps its negative-index checks inside the loop and LLVM does not vectorise it."""
    _, args, setup, steps = NETWORKS[name]
    head = ["one = np.uint64(1)", *setup, "j = np.uint64(c)", "end = j + np.uint64(n)"]
    if "d" in args.split(", "):
        head.insert(1, "sh = np.uint64(d)")
    index = [f"{v} = {'j' if i == 0 else steps[i - 1]} + one" for i, v in enumerate(steps)]
    body = index + network_body(name) + ["j += one"]
    text = "\n".join("    " + line for line in head) + "\n    while j < end:\n"
    text += "\n".join("        " + line for line in body) + "\n"
    return f"def {name}({args}):\n{text}"
