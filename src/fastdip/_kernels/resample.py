"""Kernels for fastdip.geometry.resize: one separable resampling pass along one axis, from a weight table.

Layout. The wrapper views the image as ``(pre, n, post)`` with the resampled axis in the middle (``post`` is
the product of the later axes, the channels included) and gives, for every output index ``o`` along that axis,
``k`` input indices ``idx[o, t]`` (-1 for cval: mode 'constant') and weights ``w[o, t]``:
``out[p, o, :] = sum_t w[o, t] * src[p, idx[o, t], :]``. Axes before the last spatial one have a long ``post``
and the inner loop is an axpy over it (vectorised); the last spatial axis has ``post = C`` (1 for grey), where
the sum is kept in a scalar per channel.

Output. The accumulator is float64; ``out`` may be float32/float64 or, for the last pass, an integer dtype
(``is_int``: rounded half to even and clipped to [lo, hi] as written).

Shrinking by exactly 2 (both axes) has direct kernels that give the same values as the table passes: the
2x2 block mean for 'area' (``half_area*``) and the separable [1, 3, 3, 1] / 8 filter of antialiased
'bilinear' for uint8 in integers, grey (``half_triangle_u8``) and interleaved colour
(``half_triangle_u8_colour``): Pillow's triangle of half-width 2 at this scale (Pillow
``libImaging/Resample.c``; Gonzalez & Woods, *Digital Image Processing*, 4th ed., 2018, Sec. 2.4 on
resampling and aliasing).
"""

import math

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from ._config import INLINED, SERIAL, njit


def _copier(count: int):
    """An intrinsic ``copy(dst, j, src, s)``: ``dst[j:j + count] = src[s:s + count]`` for two 1-D C-contiguous
    arrays of one dtype, as ONE integer load and store of ``count`` items' width, unaligned (x86 and ARM64
    load unaligned words at full speed). No bounds check: the caller keeps both runs inside their arrays.
    A gather of ``count`` neighbouring samples from an arbitrary offset then costs one load instead of
    ``count`` (LLVM keeps separate scalar loads, and emits no AVX-512 gathers for these loops)."""

    @intrinsic
    def copy(typingctx, dst, j, src, s):
        if not (isinstance(dst, types.Array) and isinstance(src, types.Array) and dst.ndim == 1 == src.ndim
                and dst.layout == "C" == src.layout and dst.dtype == src.dtype
                and isinstance(j, types.Integer) and isinstance(s, types.Integer)):
            return None
        sig = types.void(dst, j, src, s)

        def codegen(context, builder, sig, args):
            width = 8 * context.get_abi_sizeof(context.get_data_type(sig.args[2].dtype)) * count
            word = ir.IntType(width).as_pointer()
            dst_ary = context.make_array(sig.args[0])(context, builder, args[0])
            src_ary = context.make_array(sig.args[2])(context, builder, args[2])
            to = cgutils.get_item_pointer(context, builder, sig.args[0], dst_ary, [args[1]])
            frm = cgutils.get_item_pointer(context, builder, sig.args[2], src_ary, [args[3]])
            value = builder.load(builder.bitcast(frm, word), align=1)
            builder.store(value, builder.bitcast(to, word), align=1)
            return context.get_dummy_value()

        return sig, codegen

    return copy


_copy2 = _copier(2)
_copy3 = _copier(3)
_copy4 = _copier(4)


@njit(**INLINED)
def _bounds(like, lo, hi):
    """``lo``, ``hi`` (float64 clip bounds of an integer output) in the dtype of the array ``like``: exact for
    the integer ranges up to 2^16, and a clip of float32 sums against them stays in float32, where one
    against float64 bounds converted every value (a uint8 row pass 136 -> 60 us)."""
    b = np.empty(2, like.dtype)
    b[0] = lo
    b[1] = hi
    return b[0], b[1]


@njit(**INLINED)
def _round_clip(v, lo, hi):
    """``v`` rounded half to even and clipped to [lo, hi], NaN to lo, as ``min(max(rint(v), lo), hi)`` gave
    in scalar code (two selects, the same in vector loops: min/max there took NaN to hi)."""
    r = np.rint(v)
    return (r if r <= hi else hi) if r >= lo else lo


@njit(**SERIAL)
def _resample_rows(src, idx, w, cval, is_int, lo, hi, out, acc):
    """The long-``post`` pass: whole lines of ``post`` values at a time, through the float row ``acc``
    (tap after tap, zero weights skipped), or, for an output line whose 2 or 4 taps all read the image with
    nonzero weights, in one pass over the line: per value the same sums in the same order, each rounded to
    the accumulator's type as its store into ``acc`` rounds it (numba computes a float32 times a uint16 or
    float64 sample in float64), then written (512² -> 701 x 653, the row pass 153 -> ~60 us)."""
    pre = src.shape[0]
    post = src.shape[2]
    m = out.shape[1]
    k = idx.shape[1]
    acc = acc[:post]  # (the caller's row may be longer, up to m: the one-pass sums run over acc's length)
    lo_a, hi_a = _bounds(acc, lo, hi)
    direct = not is_int and out.itemsize == acc.itemsize
    for p in range(pre):
        for o in range(m):
            dst = out[p, o]
            if (k == 2 or k == 4) and _all_live(idx, w, o):
                if direct:  # a float line of the accumulator's type is its own accumulator: no copy
                    if k == 2:
                        _vertical2(src[p], idx, w, o, dst)
                    else:
                        _vertical4(src[p], idx, w, o, dst)
                    continue
                if k == 2:
                    _vertical2(src[p], idx, w, o, acc)
                else:
                    _vertical4(src[p], idx, w, o, acc)
            else:
                _vertical(src[p], idx, w, o, cval, acc)
            if is_int:
                for x in range(post):
                    dst[x] = _round_clip(acc[x], lo_a, hi_a)
            else:
                for x in range(post):
                    dst[x] = acc[x]


@njit(**SERIAL)
def _resample_points(src, idx, w, cval, is_int, lo, hi, out):
    """The short-``post`` pass (last spatial axis, ``post`` = channels): a scalar sum per output value."""
    pre = src.shape[0]
    post = src.shape[2]
    m = out.shape[1]
    k = idx.shape[1]
    for p in range(pre):
        line = src[p]
        dst = out[p]
        for o in range(m):
            for x in range(post):
                v = 0.0
                for t in range(k):
                    s = idx[o, t]
                    if s < 0:
                        v += w[o, t] * cval
                    else:
                        v += w[o, t] * line[s, x]
                if is_int:
                    v = min(max(np.rint(v), lo), hi)
                dst[o, x] = v


@njit(**SERIAL)
def _regular4(src, w, start, stride, o0, o1, is_int, lo, hi, out):
    """Outputs o0..o1 of a grey last-axis pass with regular taps, ``idx[o, t] = start + stride*o + t`` and
    weights ``w[t]`` (4 of them, zero-padded): the taps are unrolled and, for stride 2, the loads are an
    interleaved pattern that LLVM vectorises (10x faster than a loop over the taps, 4096^2 -> 2048^2)."""
    w0 = w[0]
    w1 = w[1]
    w2 = w[2]
    w3 = w[3]
    n = o1 - o0
    lo_w, hi_w = _bounds(w, lo, hi)
    for p in range(src.shape[0]):
        dst = out[p, o0:o1]
        if stride == 2:
            seg = src[p, start + 2 * o0:]
            for o in range(n):
                v = w0 * seg[2 * o] + w1 * seg[2 * o + 1] + w2 * seg[2 * o + 2] + w3 * seg[2 * o + 3]
                if is_int:
                    v = _round_clip(v, lo_w, hi_w)
                dst[o] = v
        else:
            seg = src[p, start + stride * o0:]
            for o in range(n):
                b = stride * o
                v = w0 * seg[b] + w1 * seg[b + 1] + w2 * seg[b + 2] + w3 * seg[b + 3]
                if is_int:
                    v = _round_clip(v, lo_w, hi_w)
                dst[o] = v


@njit(**SERIAL)
def _regular8(src, w, start, stride, o0, o1, is_int, lo, hi, out):
    """``_regular4`` with 8 taps."""
    n = o1 - o0
    lo_w, hi_w = _bounds(w, lo, hi)
    for p in range(src.shape[0]):
        dst = out[p, o0:o1]
        seg = src[p, start + stride * o0:]
        for o in range(n):
            b = stride * o
            v = (w[0] * seg[b] + w[1] * seg[b + 1] + w[2] * seg[b + 2] + w[3] * seg[b + 3]
                 + w[4] * seg[b + 4] + w[5] * seg[b + 5] + w[6] * seg[b + 6] + w[7] * seg[b + 7])
            if is_int:
                v = _round_clip(v, lo_w, hi_w)
            dst[o] = v


@njit(**SERIAL)
def _gather(src, first, wt, o0, o1, is_int, lo, hi, out, gq):
    """Outputs o0..o1 of a grey last-axis pass whose taps are contiguous and inside the image,
    ``idx[o, t] = first[o] + t``, with the weights ``wt[t, o]`` (2, 4 or 8 taps, zero-padded).

    2 and 4 taps: per row, each output's run of samples is copied first into the scratch ``gq`` (4, >= o1 -
    o0; the source's dtype; read flat, output j's taps at k j .. k j + k - 1) by one unaligned load and store
    of the whole run (``_copy2`` / ``_copy4``), then summed in a loop LLVM vectorises, in the order of the
    fused loop before (the same values: w0 s0 + w1 s1 [+ w2 s2 + w3 s3]). The fused loop took 2.6 ns an
    output (scalar loads and sums); gathering the taps one by one into rows, then summing, ~0.7-1.0; one load
    a run (serial, this machine, 512 rows -> 336 columns): 2 taps 110 -> 72 us (float32, uint8), 4 taps
    225 -> 98 (float32), 216 -> 81 (uint8)."""
    k = wt.shape[0]
    n = o1 - o0
    f = first[o0:o1]
    g = gq.reshape(-1)
    wa = wt[0, o0:o1]
    wb = wt[1, o0:o1]
    wc = wt[min(2, k - 1), o0:o1]
    wd = wt[min(3, k - 1), o0:o1]
    lo_w, hi_w = _bounds(wt, lo, hi)
    for p in range(src.shape[0]):
        line = src[p]
        dst = out[p, o0:o1]
        if k == 2:
            for j in range(n):
                _copy2(g, 2 * j, line, f[j])
            if is_int:
                for j in range(n):
                    dst[j] = _round_clip(wa[j] * g[2 * j] + wb[j] * g[2 * j + 1], lo_w, hi_w)
            else:
                for j in range(n):
                    dst[j] = wa[j] * g[2 * j] + wb[j] * g[2 * j + 1]
        elif k == 4:
            for j in range(n):
                _copy4(g, 4 * j, line, f[j])
            if is_int:
                for j in range(n):
                    v = wa[j] * g[4 * j] + wb[j] * g[4 * j + 1] + wc[j] * g[4 * j + 2] + wd[j] * g[4 * j + 3]
                    dst[j] = _round_clip(v, lo_w, hi_w)
            else:
                for j in range(n):
                    dst[j] = wa[j] * g[4 * j] + wb[j] * g[4 * j + 1] + wc[j] * g[4 * j + 2] + wd[j] * g[4 * j + 3]
        else:
            dst = out[p]
            for o in range(o0, o1):
                s = first[o]
                v = 0.0
                for t in range(k):
                    v += wt[t, o] * line[s + t]
                if is_int:
                    v = min(max(np.rint(v), lo), hi)
                dst[o] = v


@njit(**INLINED)
def _interior(src2, plan, wreg, first, wt, is_int, lo, hi, out2, gq):
    """Outputs plan[2]..plan[3] of a grey last-axis pass: strided regular taps when plan[1] (the stride) > 0,
    contiguous gathered taps otherwise (``gq``: ``_gather``'s scratch). ``plan`` = (start, stride, o0, o1)."""
    start, stride, o0, o1 = plan
    if stride > 0:
        if wreg.shape[0] == 4:
            _regular4(src2, wreg, start, stride, o0, o1, is_int, lo, hi, out2)
        else:
            _regular8(src2, wreg, start, stride, o0, o1, is_int, lo, hi, out2)
    else:
        _gather(src2, first, wt, o0, o1, is_int, lo, hi, out2, gq)


@njit(**SERIAL)
def resample_axis(src, idx, w, cval, is_int, lo, hi, out, acc, regular, wreg, first, wt):
    """out[p, o, :] = sum_t w[o, t] * src[p, idx[o, t], :] (cval where idx < 0); src (pre, n, post).

    ``acc`` is the accumulator row (float32 for images of up to 32 bits, float64 otherwise; at least
    max(post, m) long) and ``w`` has its dtype. ``regular`` = (start, stride, o0, o1): outputs o0..o1 of a
    grey (post 1) pass run through ``_interior`` (strided taps with the weights ``wreg`` when stride > 0,
    else gathered taps ``first``/``wt``); o1 = o0 when there is no such run.
    """
    post = src.shape[2]
    if post >= 16:
        _resample_rows(src, idx, w, cval, is_int, lo, hi, out, acc)
        return
    start, stride, o0, o1 = regular
    if post == 1 and o1 > o0:
        pre = src.shape[0]
        n = src.shape[1]
        m = out.shape[1]
        gq = np.empty((4, o1 - o0 if stride == 0 else 0), src.dtype)
        _interior(src.reshape(pre, n), regular, wreg, first, wt, is_int, lo, hi, out.reshape(pre, m), gq)
        _resample_points(src, idx[:o0], w[:o0], cval, is_int, lo, hi, out[:, :o0])
        _resample_points_from(src, idx, w, cval, is_int, lo, hi, out, o1)
    elif stride == 0 and o1 > o0 and wt.shape[0] <= 4:
        _gather_channels(src, first, wt, o0, o1, is_int, lo, hi, out)
        _resample_points(src, idx[:o0], w[:o0], cval, is_int, lo, hi, out[:, :o0])
        _resample_points_from(src, idx, w, cval, is_int, lo, hi, out, o1)
    else:
        _resample_points(src, idx, w, cval, is_int, lo, hi, out)


@njit(**SERIAL)
def _copy_channel_runs(line, bases, C, k, qa, qb, qc, qd):
    """``_gather_channels``' gathers for 2 to 4 channels: tap t of output j, its C samples at bases[j] + t C,
    into q*[j C:(j + 1) C] by one unaligned load and store each (``_copy2/3/4``, one loop per width: the
    intrinsics take it at compile time): 1024² RGB -> 717 x 700 float32, the column pass ~2.3x faster than one
    load and store a value."""
    four = k == 4
    if C == 3:
        for j in range(bases.shape[0]):
            s = bases[j]
            _copy3(qa, 3 * j, line, s)
            _copy3(qb, 3 * j, line, s + 3)
            if four:
                _copy3(qc, 3 * j, line, s + 6)
                _copy3(qd, 3 * j, line, s + 9)
    elif C == 4:
        for j in range(bases.shape[0]):
            s = bases[j]
            _copy4(qa, 4 * j, line, s)
            _copy4(qb, 4 * j, line, s + 4)
            if four:
                _copy4(qc, 4 * j, line, s + 8)
                _copy4(qd, 4 * j, line, s + 12)
    else:
        for j in range(bases.shape[0]):
            s = bases[j]
            _copy2(qa, 2 * j, line, s)
            _copy2(qb, 2 * j, line, s + 2)
            if four:
                _copy2(qc, 2 * j, line, s + 4)
                _copy2(qd, 2 * j, line, s + 6)


@njit(**SERIAL)
def _gather_channels(src, first, wt, o0, o1, is_int, lo, hi, out):
    """``_gather`` for a last-axis pass over interleaved channels (src (pre, n, C), 1 < C < 16): the outputs
    (o, ch) of o0..o1 in their memory order, tap t at (first[o] + t) C + ch, the weights of output o repeated
    over its channels once per call, then per row the gathers and the sums as ``_gather`` makes them (the same
    float arithmetic, so each channel gets the values of its grey resize; the per-point loop took ~30 ns a
    value: 1024² RGB -> 717 x 700, serial, 5.4 ms before). Its row loops repeat ``_gather``'s: one routine for
    both, called per row with a variable tap stride, made the grey column pass 15 % slower."""
    C = src.shape[2]
    n = src.shape[1]
    N = (o1 - o0) * C
    k = wt.shape[0]  # 2 or 4 (the caller's test)
    runs = 2 <= C <= 4  # a pixel's samples copied a run at a time (_copy_channel_runs), else value by value
    offs = np.empty(0 if runs else N, np.uint32)
    wq = np.empty((k, N), wt.dtype)
    g = np.empty((k, N), src.dtype)
    for j in range(o1 - o0):
        base = np.uint32(first[o0 + j] * C)
        for ch in range(C):
            q = j * C + ch
            if not runs:
                offs[q] = base + np.uint32(ch)
            for t in range(k):
                wq[t, q] = wt[t, o0 + j]
    step = np.uint32(C)
    lo_w, hi_w = _bounds(wq, lo, hi)
    wa = wq[0]
    wb = wq[1]
    wc = wq[min(2, k - 1)]
    wd = wq[min(3, k - 1)]
    qa = g[0]
    qb = g[1]
    qc = g[min(2, k - 1)]
    qd = g[min(3, k - 1)]
    bases = np.empty(o1 - o0, np.int64)
    for j in range(o1 - o0):
        bases[j] = first[o0 + j] * C
    for p in range(src.shape[0]):
        line = src[p].reshape(n * C)
        dst = out[p, o0:o1].reshape(N)
        if runs:
            _copy_channel_runs(line, bases, C, k, qa, qb, qc, qd)
        if k == 2:
            if not runs:
                for q in range(N):
                    s = offs[q]
                    qa[q] = line[s]
                    qb[q] = line[s + step]
            if is_int:
                for q in range(N):
                    dst[q] = _round_clip(wa[q] * qa[q] + wb[q] * qb[q], lo_w, hi_w)
            else:
                for q in range(N):
                    dst[q] = wa[q] * qa[q] + wb[q] * qb[q]
        else:
            if not runs:
                for q in range(N):
                    s = offs[q]
                    qa[q] = line[s]
                    qb[q] = line[s + step]
                    qc[q] = line[s + 2 * step]
                    qd[q] = line[s + 3 * step]
            if is_int:
                for q in range(N):
                    dst[q] = _round_clip(wa[q] * qa[q] + wb[q] * qb[q] + wc[q] * qc[q] + wd[q] * qd[q], lo_w, hi_w)
            else:
                for q in range(N):
                    dst[q] = wa[q] * qa[q] + wb[q] * qb[q] + wc[q] * qc[q] + wd[q] * qd[q]


@njit(**SERIAL)
def _resample_points_from(src, idx, w, cval, is_int, lo, hi, out, o1):
    """``_resample_points`` for the outputs o1..m only."""
    pre = src.shape[0]
    post = src.shape[2]
    m = out.shape[1]
    k = idx.shape[1]
    for p in range(pre):
        line = src[p]
        dst = out[p]
        for o in range(o1, m):
            for x in range(post):
                v = 0.0
                for t in range(k):
                    s = idx[o, t]
                    if s < 0:
                        v += w[o, t] * cval
                    else:
                        v += w[o, t] * line[s, x]
                if is_int:
                    v = min(max(np.rint(v), lo), hi)
                dst[o, x] = v


@njit(**SERIAL)
def resample2_fused(src, idx0, w0, idx1, w1, regular, wreg, first, wt, cval, is_int, lo, hi, out, acc, r0, r1):
    """Both passes of a grey 2-D resize, a block of rows at a time: the vertical pass makes up to
    ``acc.shape[0]`` float rows in the block ``acc`` (R, W), which stays in cache, and the horizontal pass
    writes those output rows from it in one call (per-row calls of kernels with array views cost tens of ns
    each: three calls and a 3-D view a row took ~90 of the ~180 us of a 512² -> 358 x 333 float32 resize).
    No full-size intermediate (at 4096^2 -> 2048^2 its first touch alone cost ~2 ms). Output rows r0..r1
    (all: 0, m); the wrapper runs bands of rows on fastdip's worker threads above its threshold, each band
    with its own ``acc``. Rows with 2 or 4 live taps take one pass (``_vertical2`` / ``_vertical4``)."""
    _fused_rows(src, idx0, w0, idx1, w1, regular, wreg, first, wt, cval, is_int, lo, hi, out, acc, r0, r1)


@njit(**SERIAL)
def _fused_rows(src, idx0, w0, idx1, w1, regular, wreg, first, wtab, cval, is_int, lo, hi, out, acc, r0, r1):
    R, W = acc.shape
    M1 = out.shape[1]
    k = idx0.shape[1]
    start, stride, o0, o1 = regular
    gq = np.empty((4, o1 - o0 if stride == 0 else 0), acc.dtype)
    for b0 in range(r0, r1, R):
        b1 = min(b0 + R, r1)
        for o in range(b0, b1):
            row = acc[o - b0]
            if k == 4 and _all_live(idx0, w0, o):
                _vertical4(src, idx0, w0, o, row)
            elif k == 2 and _all_live(idx0, w0, o):
                _vertical2(src, idx0, w0, o, row)
            else:
                _vertical(src, idx0, w0, o, cval, row)
        lines = acc[:b1 - b0]
        dst = out[b0:b1]
        if o1 > o0:
            _interior(lines, regular, wreg, first, wtab, is_int, lo, hi, dst, gq)
        if o0 > 0 or o1 < M1 or o1 <= o0:
            lines3 = lines.reshape(b1 - b0, W, 1)
            dst3 = dst.reshape(b1 - b0, M1, 1)
            if o1 <= o0:
                _resample_points(lines3, idx1, w1, cval, is_int, lo, hi, dst3)
            else:
                if o0 > 0:
                    _resample_points(lines3, idx1[:o0], w1[:o0], cval, is_int, lo, hi, dst3[:, :o0])
                if o1 < M1:
                    _resample_points_from(lines3, idx1, w1, cval, is_int, lo, hi, dst3, o1)


@njit(**INLINED)
def _all_live(idx, w, o):
    """Whether every tap of output ``o`` reads the image (no cval) with a nonzero weight."""
    for t in range(idx.shape[1]):
        if idx[o, t] < 0 or w[o, t] == 0.0:
            return False
    return True


@njit(**INLINED)
def _vertical4(src, idx, w, o, acc):
    """``_vertical`` for 4 live taps in one pass over the row: per value the sums of the tap-by-tap loop in
    its order, each rounded to the accumulator's type as its store into ``acc`` rounds it (a float32 times a
    uint16 or float64 sample is float64 in numba: without the stores, one rounding at the end), in one loop
    (4096^2 -> 2048^2 bilinear: the vertical pass 2.3x faster than a loop a tap)."""
    ra = src[idx[o, 0]]
    rb = src[idx[o, 1]]
    rc = src[idx[o, 2]]
    rd = src[idx[o, 3]]
    wa = w[o, 0]
    wb = w[o, 1]
    wc = w[o, 2]
    wd = w[o, 3]
    zero = wa - wa
    for x in range(acc.shape[0]):
        acc[x] = zero + wa * ra[x]
        acc[x] += wb * rb[x]
        acc[x] += wc * rc[x]
        acc[x] += wd * rd[x]


@njit(**INLINED)
def _vertical2(src, idx, w, o, acc):
    """``_vertical4`` for 2 live taps."""
    ra = src[idx[o, 0]]
    rb = src[idx[o, 1]]
    wa = w[o, 0]
    wb = w[o, 1]
    zero = wa - wa
    for x in range(acc.shape[0]):
        acc[x] = zero + wa * ra[x]
        acc[x] += wb * rb[x]


@njit(**SERIAL)
def _vertical(src, idx, w, o, cval, acc):
    """acc = sum_t w[o, t] src[idx[o, t]] (cval where idx < 0), tap after tap, zero weights skipped."""
    W = acc.shape[0]
    for x in range(W):
        acc[x] = 0.0
    for t in range(idx.shape[1]):
        wt = w[o, t]
        if wt == 0.0:
            continue
        s = idx[o, t]
        if s < 0:
            c = wt * cval
            for x in range(W):
                acc[x] += c
        else:
            r = src[s]
            for x in range(W):
                acc[x] += wt * r[x]


# -- shrinking by exactly 2 ---------------------------------------------------------------------------------


@njit(**SERIAL)
def _half_area_rows(src, half, is_int, lo, hi, out, i0, i1):
    C = out.shape[2]
    if C == 1:  # grey: 2-D rows, a loop LLVM vectorises
        s2 = src.reshape(src.shape[0], src.shape[1])
        o2 = out.reshape(out.shape[0], out.shape[1])
        for i in range(i0, i1):
            r0 = s2[2 * i]
            r1 = s2[2 * i + 1]
            d = o2[i]
            for j in range(o2.shape[1]):
                a = half * r0[2 * j] + half * r1[2 * j]
                b = half * r0[2 * j + 1] + half * r1[2 * j + 1]
                v = half * a + half * b
                if is_int:
                    v = min(max(np.rint(v), lo), hi)
                d[j] = v
        return
    for i in range(i0, i1):
        r0 = src[2 * i]
        r1 = src[2 * i + 1]
        d = out[i]
        for j in range(out.shape[1]):
            for c in range(C):
                a = half * r0[2 * j, c] + half * r1[2 * j, c]
                b = half * r0[2 * j + 1, c] + half * r1[2 * j + 1, c]
                v = half * a + half * b
                if is_int:
                    v = min(max(np.rint(v), lo), hi)
                d[j, c] = v


@njit(**SERIAL)
def half_area(src, half, is_int, lo, hi, out, r0, r1):
    """'area' shrink by exactly 2 on both axes: the 2x2 block mean, ``src`` (2 m0, 2 m1, C) -> ``out``
    (m0, m1, C), in the arithmetic of the general passes (``half`` = 0.5 in the accumulator dtype: the column
    sums first, ``a = half r0 + half r1``, then ``half a_left + half a_right``), so the values are those of
    the table passes (which also add the zero-weight third tap: 0 x NaN/inf leaked a neighbour's NaN there).
    One pass reading two input rows per output row, no weight table (4096^2 float32: 2.3 ms against
    4.6 ms)."""
    _half_area_rows(src, half, is_int, lo, hi, out, r0, r1)


@njit(**SERIAL)
def half_area_int(src, out):
    """:func:`half_area` for an integer image into its own dtype (uint8, uint16), in integers: ``s`` the sum of
    the block, ``(s + 1 + ((s >> 2) & 1)) >> 2`` is ``s / 4`` rounded half to even (the float passes' exact
    ``rint``; OpenCV's INTER_AREA rounds halves up, ``(s + 2) >> 2``: 1 level above at 1/8 of the pixels).
    Colour images; grey ones go through :func:`half_area_pairs`."""
    m0 = out.shape[0]
    m1 = out.shape[1]
    C = out.shape[2]
    for i in range(m0):
        r0 = src[2 * i]
        r1 = src[2 * i + 1]
        d = out[i]
        for j in range(m1):
            for c in range(C):
                s = ((np.int32(r0[2 * j, c]) + np.int32(r0[2 * j + 1, c]))
                     + (np.int32(r1[2 * j, c]) + np.int32(r1[2 * j + 1, c])))
                d[j, c] = (s + 1 + ((s >> 2) & 1)) >> 2


@njit(**SERIAL)
def _half_pairs_rows(pairs, out, i0, i1):
    m1 = out.shape[1]
    if pairs.itemsize == 2:
        for i in range(i0, i1):
            r0 = pairs[2 * i]
            r1 = pairs[2 * i + 1]
            d = out[i]
            for j in range(m1):
                a = r0[j]
                b = r1[j]
                s = (a & 255) + (a >> 8) + (b & 255) + (b >> 8)
                d[j] = (s + 1 + ((s >> 2) & 1)) >> 2
    else:
        for i in range(i0, i1):
            r0 = pairs[2 * i]
            r1 = pairs[2 * i + 1]
            d = out[i]
            for j in range(m1):
                a = r0[j]
                b = r1[j]
                s = (a & 65535) + (a >> 16) + (b & 65535) + (b >> 16)
                d[j] = (s + 1 + ((s >> 2) & 1)) >> 2


@njit(**SERIAL)
def half_area_pairs(pairs, out, r0, r1):
    """:func:`half_area_int` for a grey image read as pairs: ``pairs`` is the (2 m0, m1) image viewed with
    items of twice the width (uint16 for uint8, uint32 for uint16), so that each item holds one horizontal
    pair; ``(p & mask) + (p >> bits)`` is the pair's sum whatever the byte order. Contiguous loads instead of
    deinterleaving ones (4096^2 uint8: 0.35 ms against 0.5 ms; 2.6 ms for the table passes)."""
    _half_pairs_rows(pairs, out, r0, r1)


@njit(**SERIAL)
def _edge_taps(idx1, w1, m1, C):
    """The first and last output columns' taps of the halving kernels in integers: ``ix`` (2, k) the source
    offsets (column times ``C``, the channel count), ``iw`` (2, k) eight times the weights, and ``exact``: True
    when every tap is inside the image (no cval) and every weight a multiple of 1/8, so that the integer sums
    are 64 times the float passes' exact values."""
    k = idx1.shape[1]
    iw = np.zeros((2, k), np.int64)
    ix = np.zeros((2, k), np.int64)
    exact = True
    for e in range(2):
        j = 0 if e == 0 else m1 - 1
        for t in range(k):
            x = idx1[j, t]
            wv = w1[j, t] * 8.0
            if x < 0 or wv < 0.0 or wv != math.floor(wv):
                exact = False
            ix[e, t] = max(x, 0) * C
            iw[e, t] = int(wv) if exact else 0
    return iw, ix, exact


@njit(**SERIAL)
def _triangle_rows(src, pairs, idx1, w1, cval, is_int, lo, hi, out, acc, even, odd, i0, i1):
    """Output rows i0..i1 (all inside: input rows 2i-1..2i+2) of :func:`half_triangle_u8`.

    ``pairs`` is the (2 m0, m1) uint16 view of ``src``: item w holds columns 2w (low byte, little-endian) and
    2w+1 (high byte), so masks split the even and the odd columns with contiguous loads. The vertical sums go
    to ``even`` and ``odd`` (uint16, m1 each), and output column j is ``odd[j-1] + 3 (even[j] + odd[j]) +
    even[j+1]``: unit strides everywhere, 16-bit lanes LLVM vectorises (2048^2: 0.28 ms against 0.70 ms with
    the strided reads of one row of sums; a strided ``vsum[2j-1]`` became one scalar insert per value)."""
    m1 = out.shape[1]
    k = idx1.shape[1]
    mask = np.uint16(255)
    eight = np.uint16(8)
    three = np.uint16(3)
    # the first and last columns in integers too when their taps are all inside ('reflect', 'nearest', 'wrap',
    # 'mirror') with weights in multiples of 1/8 (checked here; 'constant' with its cval: the table sums below):
    # s = sum (8 w) v is 64 times the float passes' exact value (at 512^2 the float sums of these two columns
    # took ~35 % of the row time)
    iw, ix, exact = _edge_taps(idx1, w1, m1, 1)
    for i in range(i0, i1):
        ra = pairs[2 * i - 1]
        rb = pairs[2 * i]
        rc = pairs[2 * i + 1]
        rd = pairs[2 * i + 2]
        for w in range(m1):
            a = ra[w]
            b = rb[w]
            c = rc[w]
            d = rd[w]
            even[w] = np.uint16((a & mask) + (d & mask) + three * np.uint16((b & mask) + (c & mask)))
            odd[w] = np.uint16((a >> eight) + (d >> eight) + three * np.uint16((b >> eight) + (c >> eight)))
        dst = out[i, 1:m1 - 1]
        e1 = even[1:]
        e2 = even[2:]
        o1 = odd[1:]
        if is_int:
            for j in range(m1 - 2):
                s = np.uint16(odd[j] + e2[j] + three * np.uint16(e1[j] + o1[j]))
                dst[j] = np.uint8(np.uint16(s + np.uint16(31) + ((s >> np.uint16(6)) & np.uint16(1))) >> np.uint16(6))
        else:
            for j in range(m1 - 2):
                s = np.uint16(odd[j] + e2[j] + three * np.uint16(e1[j] + o1[j]))
                dst[j] = np.float32(s) * np.float32(0.015625)
        d = out[i]
        if exact:
            for e in range(2):
                j = 0 if e == 0 else m1 - 1
                si = 0
                for t in range(k):
                    x = ix[e, t]
                    si += iw[e, t] * (even[x >> 1] if (x & 1) == 0 else odd[x >> 1])
                if is_int:
                    d[j] = (si + 31 + ((si >> 6) & 1)) >> 6
                else:
                    d[j] = np.float32(si) * np.float32(0.015625)
            continue
        # the first and last columns from the table (mode at the border), as _resample_points sums them
        for j in (0, m1 - 1):
            for t in range(k):
                x = idx1[j, t]
                if x >= 0:
                    v = even[x >> 1] if (x & 1) == 0 else odd[x >> 1]
                    acc[x] = v * 0.125  # exact: the float pass's vertical sum
            v = 0.0
            for t in range(k):
                x = idx1[j, t]
                if x < 0:
                    v += w1[j, t] * cval
                else:
                    v += w1[j, t] * acc[x]
            if is_int:
                v = min(max(np.rint(v), lo), hi)
            d[j] = v


@njit(**SERIAL)
def half_triangle_u8(src, pairs, idx0, w0, idx1, w1, regular, wreg, first, wt, cval, is_int, lo, hi, out, acc,
                     even, odd, r0, r1):
    """Antialiased 'bilinear' shrink by exactly 2 of a grey uint8 image (``src`` (2 m0, 2 m1), m0, m1 >= 3;
    ``pairs`` its uint16 view, little-endian): the separable filter [1, 3, 3, 1] / 8 (Pillow's triangle of
    half-width 2 at this scale) at input rows/columns 2i-1..2i+2, in integers, ``s = sum (a_r a_c) f`` (at
    most 64 x 255) and ``out = s / 64`` rounded half to even, ``(s + 31 + ((s >> 6) & 1)) >> 6``, or ``s / 64``
    for a float ``out``. Every float operation of the table passes on uint8 values is exact (multiples of 1/64
    below 2^8), so the values are theirs bit for bit.

    The first and last output rows (the border ``mode``) run through the table passes (:func:`_fused_rows`),
    the first and last columns of the other rows through the column table, in integers (8 times the weights)
    unless a tap reads cval ('constant') (``_triangle_rows``: even and odd
    columns apart, 4096^2: 1.9 ms against 3.8 ms with one row of sums read at stride 2)."""
    m0 = out.shape[0]
    if r0 == 0 < r1:  # (the call or non-empty band that starts at row 0 makes both edge rows)
        block = acc.reshape(1, acc.shape[0])
        _fused_rows(src, idx0, w0, idx1, w1, regular, wreg, first, wt, cval, is_int, lo, hi, out, block, 0, 1)
        _fused_rows(src, idx0, w0, idx1, w1, regular, wreg, first, wt, cval, is_int, lo, hi, out, block, m0 - 1, m0)
    i0 = max(r0, 1)
    i1 = min(r1, m0 - 1)
    if i1 > i0:
        _triangle_rows(src, pairs, idx1, w1, cval, is_int, lo, hi, out, acc, even, odd, i0, i1)


# -- the same filter on interleaved colour ------------------------------------------------------------------


@njit(**SERIAL)
def _triangle_colour_rows(src, C, idx1, w1, cval, is_int, lo, hi, out, vsum, tsum, i0, i1):
    """Output rows i0..i1 (all inside) of :func:`half_triangle_u8_colour`: ``src`` (2 m0, 2 m1 C), ``out``
    (m0, m1 C), channels interleaved. Per row: the vertical sums ``vsum`` (uint16, 2 m1 C), then the
    horizontal sums at every column ``tsum[x] = vsum[x-C] + 3 (vsum[x] + vsum[x+C]) + vsum[x+2C]`` (twice the
    work needed, but unit strides in 16-bit lanes), then every second pixel's C values rounded into ``out``.
    No transposes and no per-channel passes (4096^2 RGB: ~15 ms against 80 ms for the two table passes)."""
    m1 = out.shape[1] // C
    W = 2 * m1
    k = idx1.shape[1]
    three = np.uint16(3)
    n = (W - 5) * C
    # the first and last pixels in integers when their taps are inside and their weights multiples of 1/8
    # (as in _triangle_rows)
    iw, ix, exact = _edge_taps(idx1, w1, m1, C)
    for i in range(i0, i1):
        ra = src[2 * i - 1]
        rb = src[2 * i]
        rc = src[2 * i + 1]
        rd = src[2 * i + 2]
        for x in range(W * C):
            vsum[x] = np.uint16(np.uint16(ra[x]) + np.uint16(rd[x]) + three * np.uint16(np.uint16(rb[x])
                                                                                       + np.uint16(rc[x])))
        a = vsum[C:]
        b = vsum[2 * C:]
        c = vsum[3 * C:]
        d = vsum[4 * C:]
        # output pixel j = 1..m1-2, channel ch: tsum[2 (j-1) C + ch]
        dst = out[i, C:(m1 - 1) * C]
        if is_int:
            for y in range(n):
                s = np.uint16(a[y] + d[y] + three * np.uint16(b[y] + c[y]))
                tsum[y] = np.uint16(s + np.uint16(31) + ((s >> np.uint16(6)) & np.uint16(1))) >> np.uint16(6)
            if C == 3:
                for j in range(m1 - 2):
                    dst[3 * j] = tsum[6 * j]
                    dst[3 * j + 1] = tsum[6 * j + 1]
                    dst[3 * j + 2] = tsum[6 * j + 2]
            else:
                for j in range(m1 - 2):
                    for ch in range(C):
                        dst[j * C + ch] = tsum[2 * j * C + ch]
        else:
            for y in range(n):
                tsum[y] = np.uint16(a[y] + d[y] + three * np.uint16(b[y] + c[y]))
            for j in range(m1 - 2):
                for ch in range(C):
                    dst[j * C + ch] = np.float32(tsum[2 * j * C + ch]) * np.float32(0.015625)
        row = out[i]
        if exact:
            for e in range(2):
                q = 0 if e == 0 else (m1 - 1) * C
                for ch in range(C):
                    si = 0
                    for t in range(k):
                        si += iw[e, t] * vsum[ix[e, t] + ch]
                    if is_int:
                        row[q + ch] = (si + 31 + ((si >> 6) & 1)) >> 6
                    else:
                        row[q + ch] = np.float32(si) * np.float32(0.015625)
            continue
        # the first and last columns from the table, with the arithmetic of _resample_points on the float32
        # vertical pass (vsum / 8, exact)
        for j in (0, m1 - 1):
            for ch in range(C):
                v = 0.0
                for t in range(k):
                    x = idx1[j, t]
                    if x < 0:
                        v += w1[j, t] * cval
                    else:
                        v += w1[j, t] * (np.float32(vsum[x * C + ch]) * np.float32(0.125))
                if is_int:
                    v = min(max(np.rint(v), lo), hi)
                row[j * C + ch] = v


@njit(**SERIAL)
def _triangle_colour_edges(src, C, idx0, w0, idx1, w1, cval, is_int, lo, hi, out, acc, line):
    """The first and last output rows of :func:`half_triangle_u8_colour` by the two table passes of the general
    path (``_resample_rows`` into the float32 row ``line``, then ``_resample_points``): the same values."""
    H = src.shape[0]
    WC = src.shape[1]
    m0 = out.shape[0]
    m1 = out.shape[1] // C
    src3 = src.reshape(1, H, WC)
    line3 = line.reshape(1, 1, WC)
    for o in (0, m0 - 1):
        _resample_rows(src3, idx0[o:o + 1], w0[o:o + 1], cval, False, 0.0, 0.0, line3, acc)
        _resample_points(line.reshape(1, WC // C, C), idx1, w1, cval, is_int, lo, hi, out[o].reshape(1, m1, C))


@njit(**SERIAL)
def half_triangle_u8_colour(src, C, idx0, w0, idx1, w1, cval, is_int, lo, hi, out, acc, line, vsum, tsum, r0, r1):
    """:func:`half_triangle_u8` for a uint8 image of C interleaved channels, viewed as ``src`` (2 m0, 2 m1 C)
    -> ``out`` (m0, m1 C) (m0, m1 >= 3, 2 m1 C >= 16): the [1, 3, 3, 1] / 8 filter in integers on every
    channel at once, the values of the two table passes bit for bit (the vertical float32 pass of uint8
    values is exact, and so is the horizontal one). Scratch: ``acc`` and ``line`` (float32, 2 m1 C),
    ``vsum`` and ``tsum`` (uint16, 2 m1 C)."""
    m0 = out.shape[0]
    if r0 == 0 < r1:  # (the call or non-empty band that starts at row 0 makes both edge rows)
        _triangle_colour_edges(src, C, idx0, w0, idx1, w1, cval, is_int, lo, hi, out, acc, line)
    i0 = max(r0, 1)
    i1 = min(r1, m0 - 1)
    if i1 > i0:
        _triangle_colour_rows(src, C, idx1, w1, cval, is_int, lo, hi, out, vsum, tsum, i0, i1)


# -- enlarging by exactly 2 ---------------------------------------------------------------------------------


@njit(**SERIAL)
def _round16(s):
    """``s / 16`` rounded half to even, in uint16 lanes (``s`` <= 16 * 255)."""
    return (s + np.uint16(7) + ((s >> np.uint16(4)) & np.uint16(1))) >> np.uint16(4)


@njit(**SERIAL)
def _double_row_u8(v, dst):
    """One output row of :func:`double_u8` from the vertical sums ``v`` (W, uint16, 4x the row): ``dst[2m+1]``
    from ``3 v[m] + v[m+1]``, ``dst[2m+2]`` from ``v[m] + 3 v[m+1]`` (the ends: ``4 v``, the border clamped).
    The stores at 2m+1 and 2m+2 on one slice: an interleaved pattern LLVM vectorises."""
    n = v.shape[0]
    dst[0] = _round16(v[0] * np.uint16(4))
    dst[2 * n - 1] = _round16(v[n - 1] * np.uint16(4))
    d = dst[1:2 * n - 1]
    for m in range(n - 1):
        a = v[m]
        b = v[m + 1]
        d[2 * m] = _round16(np.uint16(3) * a + b)
        d[2 * m + 1] = _round16(a + np.uint16(3) * b)


@njit(**SERIAL)
def _double_rows_u8(src, out, ve, vo, i0, i1):
    """Input rows i0..i1 of :func:`double_u8` (output rows 2 i0 .. 2 i1)."""
    H = src.shape[0]
    W = src.shape[1]
    for k in range(i0, i1):
        a = src[max(k - 1, 0)]
        b = src[k]
        c = src[min(k + 1, H - 1)]
        for x in range(W):
            b3 = np.uint16(3) * np.uint16(b[x])
            ve[x] = np.uint16(a[x]) + b3
            vo[x] = b3 + np.uint16(c[x])
        _double_row_u8(ve, out[2 * k])
        _double_row_u8(vo, out[2 * k + 1])


@njit(**SERIAL)
def double_u8(src, out, ve, vo, r0, r1):
    """Bilinear enlarging by exactly 2 of a grey uint8 image, border clamped ('reflect' and 'nearest' give the
    same taps): ``src`` (H, W) -> ``out`` (2H, 2W) uint8. Output ``2k`` samples ``k - 1/4`` and ``2k + 1``
    samples ``k + 1/4`` on each axis, so the weights are 1/4 and 3/4 and the sum is
    ``s / 16``, ``s = Σ (4 w_r)(4 w_c) f`` an integer: rounded half to even in integers, ``(s + 7 + ((s >> 4) &
    1)) >> 4`` — the values of the two float32 table passes bit for bit (they are exact for uint8: multiples
    of 1/16 below 256). Scratch ``ve``, ``vo``: uint16 rows of W, the vertical sums of the even and the odd
    output row (Gonzalez & Woods, *Digital Image Processing*, 4th ed., 2018, Sec. 2.4, bilinear
    interpolation)."""
    _double_rows_u8(src, out, ve, vo, r0, r1)


# -- doubling the width, rows growing, grey 2-D: the column pass into a ring of rows -------------------------


@njit(**SERIAL)
def _pair_line(line, idx, w, regular, first, wt, cval, dst, dst3, src3):
    """The column pass of one grey row doubled in width (``resample_axis`` with contiguous 2-tap gathers whose
    taps are ``first[o] = (o - 1) // 2`` and weights repeat with period 2 on o0..o1): the same sums, ``wa[o]
    line[s] + wb[o] line[s + 1]``, the interior two outputs per input sample (stores at 2m + 1 and 2m + 2: a
    pattern LLVM vectorises, where the gathers did not); the ends by ``_resample_points``."""
    o0 = regular[2]
    o1 = regular[3]
    wa = wt[0]
    wb = wt[1]
    p = o0 + 1 - (o0 & 1)  # the first odd output
    for o in range(o0, min(p, o1)):
        s = first[o]
        dst[o] = wa[o] * line[s] + wb[o] * line[s + 1]
    npairs = max(0, (o1 - p) // 2)
    if npairs > 0:
        a1 = wa[p]
        b1 = wb[p]
        a2 = wa[p + 1]
        b2 = wb[p + 1]
        m0 = (p - 1) // 2
        seg = line[m0:m0 + npairs + 1]
        d = dst[p:p + 2 * npairs]
        for m in range(npairs):
            x = seg[m]
            y = seg[m + 1]
            d[2 * m] = a1 * x + b1 * y
            d[2 * m + 1] = a2 * x + b2 * y
    for o in range(p + 2 * npairs, o1):
        s = first[o]
        dst[o] = wa[o] * line[s] + wb[o] * line[s + 1]
    _resample_points(src3, idx[:o0], w[:o0], cval, False, 0.0, 0.0, dst3[:, :o0])
    _resample_points_from(src3, idx, w, cval, False, 0.0, 0.0, dst3, o1)


@njit(**SERIAL)
def _column_rows(src, idx, w, regular, wreg, first, wt, cval, dst, gq):
    """The column pass of the grey rows ``src`` (R, W) into ``dst`` (R, M1) as ``resample_axis`` makes it for
    ``post`` = 1 (the same calls on an R-row image): the interior run by ``_interior``, the ends by
    ``_resample_points``."""
    R = src.shape[0]
    M1 = dst.shape[1]
    src3 = src.reshape(R, src.shape[1], 1)
    dst3 = dst.reshape(R, M1, 1)
    o0 = regular[2]
    o1 = regular[3]
    if o1 > o0:
        _interior(src, regular, wreg, first, wt, False, 0.0, 0.0, dst, gq)
        if o0 > 0:
            _resample_points(src3, idx[:o0], w[:o0], cval, False, 0.0, 0.0, dst3[:, :o0])
        if o1 < M1:
            _resample_points_from(src3, idx, w, cval, False, 0.0, 0.0, dst3, o1)
    else:
        _resample_points(src3, idx, w, cval, False, 0.0, 0.0, dst3)


@njit(**SERIAL)
def _live_span(idx, w, b0, b1):
    """(lo, hi): the smallest and largest input index read with a nonzero weight by the outputs b0..b1
    (lo > hi when none is)."""
    lo = np.intp(1) << 62
    hi = -lo
    for o in range(b0, b1):
        for t in range(idx.shape[1]):
            s = idx[o, t]
            if s >= 0 and w[o, t] != 0.0:
                lo = min(lo, s)
                hi = max(hi, s)
    return lo, hi


@njit(**SERIAL)
def _columns_first_rows(src, idx0, w0, idx1, w1, regular, wreg, first, wt, paired, cval, is_int, lo, hi, out, acc,
                        r0, r1):
    """Output rows r0..r1 of :func:`columns_first_fused`, a block of R = 16 rows at a time."""
    R = 16
    k = idx0.shape[1]
    W = src.shape[1]
    M1 = out.shape[1]
    span = 0
    for b0 in range(r0, r1, R):
        s0, s1 = _live_span(idx0, w0, b0, min(b0 + R, r1))
        span = max(span, s1 - s0 + 1)
    buf = np.empty((max(span, 1), M1), acc.dtype)
    buf3 = buf.reshape(1, buf.shape[0], M1)
    rows3 = buf.reshape(buf.shape[0], M1, 1)
    src3 = src.reshape(src.shape[0], W, 1)
    gq = np.empty((4, regular[3] - regular[2] if regular[1] == 0 and not paired else 0), src.dtype)
    lidx = np.empty((R, k), idx0.dtype)
    c0 = 0  # buf[0:c1 - c0] holds the column passes of input rows c0..c1 - 1
    c1 = 0
    for b0 in range(r0, r1, R):
        b1 = min(b0 + R, r1)
        s0, s1 = _live_span(idx0, w0, b0, b1)
        if s1 >= s0:
            # rows the last block made move to the front (input rows are read in order, so only the last few
            # are shared); the others are made, in one call per run
            keep0 = max(s0, c0)
            keep1 = min(s1 + 1, c1)
            if keep1 <= keep0:
                keep0 = keep1 = s0
            elif s0 != c0:
                buf[keep0 - s0:keep1 - s0] = buf[keep0 - c0:keep1 - c0].copy()
            for a, z in ((s0, keep0), (keep1, s1 + 1)):
                if z <= a:
                    continue
                if paired:
                    for s in range(a, z):
                        _pair_line(src[s], idx1, w1, regular, first, wt, cval, buf[s - s0], rows3[s - s0:s - s0 + 1],
                                   src3[s:s + 1])
                else:
                    _column_rows(src[a:z], idx1, w1, regular, wreg, first, wt, cval, buf[a - s0:z - s0], gq)
            c0 = s0
            c1 = s1 + 1
        for o in range(b0, b1):
            for t in range(k):
                s = idx0[o, t]
                # buffer rows; a tap of weight 0 is never read (row 0 keeps the index inside), cval stays -1
                lidx[o - b0, t] = s - s0 if (s >= 0 and w0[o, t] != 0.0) else (-1 if s < 0 else 0)
        _resample_rows(buf3, lidx[:b1 - b0], w0[b0:b1], cval, is_int, lo, hi, out[b0:b1].reshape(1, b1 - b0, M1), acc)


@njit(**SERIAL)
def columns_first_fused(src, idx0, w0, idx1, w1, regular, wreg, first, wt, paired, cval, is_int, lo, hi, out, acc,
                        r0, r1):
    """Both passes of a grey 2-D resize whose column (last-axis) pass comes first, fused by blocks of 16
    output rows: the column pass, as :func:`resample_axis` makes it, of the input rows the block's outputs
    read (in one call; the rows the previous block made and this one reads are kept) into a buffer, then the
    row pass of the block from it (``_resample_rows``: the sums of the table pass, in the same order), rounded
    and clipped as written: the values of the two table passes bit for bit, without their full-size
    intermediate (2048² -> 2800 x 3000 float32: a 24 MB one), and input rows no output reads are never
    resampled. ``paired``: the width doubles with 2 taps whose weights repeat with period 2 on the interior
    run (checked by the caller), made by :func:`_pair_line` (two outputs per input sample, a pattern LLVM
    vectorises); else the gathered or strided column pass (:func:`_column_rows`). The earlier ring of rows
    made one at a time cost ~0.2 us a row in calls and views (512² -> 701 x 653 float32: 505 us, against 261
    for the two passes)."""
    _columns_first_rows(src, idx0, w0, idx1, w1, regular, wreg, first, wt, paired, cval, is_int, lo, hi, out, acc,
                        r0, r1)
