"""Point-transform kernels: look-up tables for integer images (out[i] = lut[image[i]] over flat C-contiguous
arrays) and a vectorised, correctly rounded float32 log1p for the log transform.

For uint8 images with a uint8 table on CPUs without AVX-512 VBMI (below) the wrapper passes uint32 *views* of
image and out and a 65536-entry pair table (pairs[hi << 8 | lo] = lut[hi] << 8 | lut[lo], little-endian): one
table read maps two pixels (4096²: 1.36 ms, against 3.3 ms for one read per pixel and 2.0 ms for cv2.LUT; the
table costs ~10 µs to build).
Parallel twins over two blocks were slower on this 2-core machine (4096² pairs: 2.1 vs 1.7 ms; the loop is
bound by the load ports, not by latency), so there are none.

On CPUs with AVX-512 VBMI (``byte_permute()``) a uint8 table is applied 64 pixels at a time with no table
reads at all (``apply_lut_u8_permute``): the 256 entries sit in four vector registers and two two-register
byte permutes (vpermi2b, each choosing among 128 entries by the low seven bits of every index byte) and a
select on the top bit map one vector of pixels, at the speed of a memory copy (one thread, here: 512² 5.7 µs
against 5.5 for np.copy and ~40 for the pair table; 2048² 96 µs against 90 and ~600; 4096² 0.76 ms against
0.83 and ~3.0).
"""

import functools
import platform

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from ._config import SERIAL, njit


@njit(**SERIAL)
def apply_lut(image, lut, out):
    n = image.size
    # Unrolled by 4: independent loads let the core overlap the table reads (~2x over the plain loop here).
    m = n - n % 4
    for i in range(0, m, 4):
        a = image[i]
        b = image[i + 1]
        c = image[i + 2]
        d = image[i + 3]
        out[i] = lut[a]
        out[i + 1] = lut[b]
        out[i + 2] = lut[c]
        out[i + 3] = lut[d]
    for i in range(m, n):
        out[i] = lut[image[i]]


@njit(**SERIAL)
def apply_lut_quads(words, pairs, out):
    """uint8 LUT on uint32 views (4 pixels a word) with a 65536-entry uint16 pair table: one load, two table
    reads and one store per 4 pixels."""
    n = words.size
    m = n - n % 2
    for i in range(0, m, 2):
        w = words[i]
        v = words[i + 1]
        out[i] = np.uint32(pairs[w & 0xFFFF]) | (np.uint32(pairs[w >> 16]) << np.uint32(16))
        out[i + 1] = np.uint32(pairs[v & 0xFFFF]) | (np.uint32(pairs[v >> 16]) << np.uint32(16))
    for i in range(m, n):
        w = words[i]
        out[i] = np.uint32(pairs[w & 0xFFFF]) | (np.uint32(pairs[w >> 16]) << np.uint32(16))


# --- uint8 tables by byte permutes (AVX-512 VBMI) --------------------------------------------------------------

_BYTES64 = ir.VectorType(ir.IntType(8), 64)


@functools.lru_cache(maxsize=1)
def byte_permute() -> bool:
    """Whether the kernels are compiled for a CPU with AVX-512 VBMI's byte permutes (``apply_lut_u8_permute``):
    an x86-64 host, numba targeting the host CPU (no ``NUMBA_CPU_NAME``, e.g. ``generic`` for a portable
    cache), compiling at all (not ``NUMBA_DISABLE_JIT``) and ``avx512f``, ``avx512bw`` and ``avx512vbmi``
    among the features numba compiles for (``NUMBA_CPU_FEATURES`` when set, else the host's). Elsewhere the
    intrinsic would not compile (or run), and the pair table is used."""
    import numba
    from llvmlite import binding

    if (platform.machine().lower() not in ("x86_64", "amd64") or numba.config.CPU_NAME not in (None, "host")
            or numba.config.DISABLE_JIT):
        return False
    features = numba.config.CPU_FEATURES or binding.get_host_cpu_features().flatten()
    have = set(features.split(","))
    return {"+avx512f", "+avx512bw", "+avx512vbmi"} <= have


@intrinsic
def _permute_blocks(typingctx, image, table, out, blocks):
    """``_permute_blocks(image, table, out, blocks)``: out[:64 blocks] = table[image[:64 blocks]] for 1-D
    C-contiguous uint8 arrays and a 256-entry uint8 ``table``: the table loaded once into four 64-byte vectors,
    then per block of 64 pixels one unaligned load, vpermi2b over entries 0-127 and over 128-255 (each lane
    picks by its index's low seven bits), a select on the index's top bit and one unaligned store (the loop
    built here in LLVM IR, so the table stays in registers: an intrinsic per block re-read it, since the
    stores may alias it, 1.5x the time). x86 AVX-512 VBMI only: callers check ``byte_permute()``. No bounds
    check: the caller keeps 64 ``blocks`` within both arrays and ``table`` at 256 entries."""
    u8 = types.Array(types.uint8, 1, "C")
    if not (isinstance(image, types.Array) and image.dtype == types.uint8 and image.ndim == 1
            and image.layout == "C" and isinstance(table, types.Array) and table.dtype == types.uint8
            and table.ndim == 1 and table.layout == "C" and out == u8 and isinstance(blocks, types.Integer)):
        return None
    sig = types.void(image, table, out, blocks)

    def codegen(context, builder, sig, args):
        def vectors(aty, arr):
            return builder.bitcast(context.make_array(aty)(context, builder, arr).data, _BYTES64.as_pointer())

        i64 = ir.IntType(64)
        entries = vectors(sig.args[1], args[1])
        t = [builder.load(builder.gep(entries, [ir.Constant(i64, q)]), align=1) for q in range(4)]
        src = vectors(sig.args[0], args[0])
        dst = vectors(sig.args[2], args[2])
        permute = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(_BYTES64, [_BYTES64, _BYTES64, _BYTES64]),
            "llvm.x86.avx512.vpermi2var.qi.512")  # (a, index, b): lane i = (a ++ b)[index[i] & 127]
        count = context.cast(builder, args[3], sig.args[3], types.int64)
        with cgutils.for_range(builder, count) as loop:
            index = builder.load(builder.gep(src, [loop.index]), align=1)
            low = builder.call(permute, [t[0], index, t[1]])
            high = builder.call(permute, [t[2], index, t[3]])
            top = builder.icmp_signed("<", index, ir.Constant(_BYTES64, None))  # index >= 128
            builder.store(builder.select(top, high, low), builder.gep(dst, [loop.index]), align=1)
        return context.get_dummy_value()

    return sig, codegen


@njit(**SERIAL)
def apply_lut_u8_permute(image, table, out):
    """out = table[image] over flat uint8 arrays with a 256-entry uint8 table, 64 pixels a step by byte
    permutes (``_permute_blocks``; only where ``byte_permute()``), the last ``size % 64`` one by one.
    (Intel 64 and IA-32 Architectures Software Developer's Manual, vol. 2: VPERMI2B; look-up tables:
    Gonzalez & Woods, *Digital Image Processing*, 4th ed., 2018, sec. 3.2.)"""
    if table.shape[0] != 256 or out.shape[0] != image.shape[0]:
        raise ValueError("apply_lut_u8_permute: a 256-entry table and an output of the image's size")
    n = image.shape[0]
    blocks = n // 64
    _permute_blocks(image, table, out, blocks)
    for i in range(blocks * 64, n):
        out[i] = table[image[i]]


# --- float32 log1p -----------------------------------------------------------------------------------------
# log1p(x) for float32 x, evaluated in float64 and rounded once: u = 1 + x is exact in float64 for
# |x| >= 2**-29 (x has 24 significant bits), and log(u) = k ln2 + log(m), m = u / 2**k in [sqrt(2)/2, sqrt(2)),
# comes from fdlibm's e_log.c polynomial (error < 1 ulp of float64), so the float32 result is correctly rounded
# unless the float64 value lies within ~2**-52 of a float32 rounding midpoint (none among 17 M values checked
# against float64 log1p). Below 2**-29, log1p(x) rounds to x itself.
# One branch-free loop LLVM vectorises (8 float64 lanes with AVX-512): k and m come from the bits of u through
# bit casts (``_f64_bits`` / ``_f64_from_bits``, LLVM bitcasts: no instruction in vector code). Four passes
# over an L1 block with the bits read back through array views (the earlier way to get at them) cost
# 1.15-1.28 ns a value serial here, the one loop 1.04-1.08 (numpy's float32 log1p on this AVX-512 machine,
# its own SIMD loop, up to 2 ulp off: 0.45).
# error_model="numpy": the Python model's zero-division check on f / (2 + f) (never zero there) stopped the
# vectorisation. fastmath "contract" (fused multiply-adds, each rounded once: never less accurate): the float32
# results equal those without it on 92 M values (random bit patterns over the whole positive range, [0, 1) in
# steps of 2**-20, [0, 300)).


def _f64_bits(x):
    """The bits of the float64 ``x`` as an int64 (compiled: an LLVM bitcast)."""
    return np.array(x, np.float64).view(np.int64)[()]


def _f64_from_bits(bits):
    """The float64 whose bits are the int64 ``bits`` (compiled: an LLVM bitcast)."""
    return np.array(bits, np.int64).view(np.float64)[()]


@intrinsic
def _bitcast_f64_i64(typingctx, x):
    sig = types.int64(types.float64)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _bitcast_i64_f64(typingctx, bits):
    sig = types.float64(types.int64)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@overload(_f64_bits)
def _f64_bits_compiled(x):
    return lambda x: _bitcast_f64_i64(np.float64(x))


@overload(_f64_from_bits)
def _f64_from_bits_compiled(bits):
    return lambda bits: _bitcast_i64_f64(np.int64(bits))


@njit(**SERIAL, error_model="numpy", fastmath={"contract"})
def log1p_f32(image, bits, scale, out):
    """out = scale · log1p(image) over flat float32 arrays (``scale`` a float32 applied after rounding): x
    itself for |x| < 2**-29, inf and NaN; -inf at -1, NaN below. ``bits`` is the int32 view of ``image``.
    Returns whether any input has its sign bit set (a negative, -0.0 or a negative-signed NaN), for the
    wrapper's exact check: an int32 minimum, one vector operation (counting negatives and NaNs took two
    compares and two int64 sums: 1.16 -> 1.08 ns a value).

    u = 1 + x = 2**k · m with m in [sqrt(2)/2, sqrt(2)): adding (1 - sqrt(2)/2's high word) << 32 to u's bits
    carries into the exponent exactly when m's mantissa reaches sqrt(2)/2; k + 2**52 + 1023 is read as the
    float64 whose bits are 0x433 << 52 | biased exponent (no int64 -> float64 conversion, which AVX2 lacks).
    log(m) as fdlibm's e_log.c: f = m - 1, s = f / (2 + f), log(m) = f - hfsq + s (hfsq + R(s²)) with R's
    coefficients Lg1..Lg7 and ln 2 split in a high and a low part (literals: kernels read no globals).
    Infinite and NaN inputs take u = 1 (their results are selected from the input), so no integer step
    overflows.
    """
    lo = np.int32(0)
    for j in range(image.size):
        v = image[j]
        d = np.float64(v)
        a = abs(d)
        finite = a < np.inf
        ix = _f64_bits(1.0 + (d if finite else 0.0)) + 0x0009_5F62_0000_0000  # (0x3ff00000 - 0x3fe6a09e) << 32
        kk = _f64_from_bits(0x4330_0000_0000_0000 | (ix >> 52)) - 4503599627371519.0  # 2**52 + 1023
        m = _f64_from_bits((ix & 0x000F_FFFF_FFFF_FFFF) + 0x3FE6_A09E_0000_0000)
        f = m - 1.0
        hfsq = 0.5 * f * f
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01))
        t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01
                                                  + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)))
        r = t2 + t1
        y = kk * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + r) + kk * 1.90821492927058770002e-10)) - f)
        o = np.float32(y)
        o = o if (a >= 1.862645149230957e-09) & finite else v  # 2**-29
        o = o if d > -1.0 else (np.float32(-np.inf) if d == -1.0 else np.float32(np.nan))
        out[j] = o * scale
        b = bits[j]
        lo = b if b < lo else lo
    return lo < 0


# --- float32 square root (gamma 0.5) ---------------------------------------------------------------------

@njit(**SERIAL)
def sqrt_f32(image, bits, out):
    """out = sqrt(image) over flat float32 arrays (IEEE, correctly rounded: vsqrtps on 8 lanes); ``bits`` is
    the int32 view of ``image``. Returns whether any input has its sign bit set (a negative, -0.0 or a
    negative-signed NaN), for the wrapper's exact check. The sign test is an int32 minimum: a count or an OR
    of the bits instead made LLVM fall back to 4-lane square roots (512²: 104 µs, as numpy's, against 55 µs)."""
    lo = np.int32(0)
    for i in range(image.size):
        out[i] = np.sqrt(image[i])
        b = bits[i]
        lo = b if b < lo else lo
    return lo < 0
