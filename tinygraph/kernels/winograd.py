"""Winograd F(2x2, 3x3) convolution for 3x3, stride-1, undilated filters (NHWC, HWIO).

Algorithm
---------
The output is cut into 2x2 tiles; tile t reads a 4x4 input patch d_t.  With the
constant matrices B (4x4), G (4x3) and A (4x2) of Lavin & Gray (2015),

    out_tile[t, :, :, o] = A^T [ sum_c (B^T d_t[:, :, c] B) * (G w[:, :, c, o] G^T) ] A

where * is elementwise over the 4x4 "Winograd positions" k.  For each k the sum over c
is a matrix product, so a chunk of tiles becomes 16 GEMMs (tiles x C_in) @ (C_in x
C_out): 16 multiplies per 4 outputs instead of 36 (2.25x fewer than im2col + GEMM).

* Work is cut into chunks of "tile rows" (2 output rows of one image; g = n*th + ti
  numbers them over the batch), a few dozen per chunk so that a chunk's buffers stay
  in one core's L2 cache through the four steps:
  `_pad_split_columns` (numba) copies the 4 input rows of each tile row, zero-padded,
  with even and odd columns apart; `_input_transform` (numba) writes
  V[k, t, c] = (B^T d_t B)[k]; `np.matmul` multiplies the 16 stacked V[k] by
  U[k] = (G w G^T)[k] on BLAS; `_output_transform` (numba) applies A^T . A.
* Each of `blas.WORKERS` Python threads pulls chunks and runs all four steps itself on
  private buffers: the numba kernels are `nogil` and BLAS releases the GIL, so the
  threads run in parallel on the single-threaded OpenBLAS tinygraph uses (see
  tinygraph/__init__.py).  Small calls (< _MIN_PARALLEL_FLOPS) stay on one thread.
* Filter gradient: the adjoint of the tile formula in w is
  dw = G^T [ sum_t (A dY_t A^T) * (B^T d_t B) ] G, so the same chunks and input
  transform feed, per k, a product (C_in x tiles) @ (tiles x C_out) of V[k] with
  M[k] = (A dY A^T)[k] (`_grad_transform`), summed per worker.  Worker i takes chunks
  i, i + workers, ... so the float32 sum does not depend on thread timing.
* The filter transforms are done in float64 and rounded once; the data transforms only
  add and subtract, so float32 results are about as accurate as im2col's (see tests).
* Measured here, it beats im2col + GEMM when C_in is at least ~4-8 (forward and both
  gradients); with C_in = 1 the GEMMs have a dimension of 1 and it is 2 or more times
  slower.
"""

import functools
import itertools

import numpy as np
from numba import njit

from . import blas

__all__ = ["conv3x3_stride1", "conv3x3_stride1_backprop_input",
           "conv3x3_stride1_backprop_filter"]

# Below this many flops of products a call runs on the caller's thread alone: waking the
# pool's threads costs ~0.1-0.3 ms here, and 2 threads only paid from ~25 MFLOP (8 images
# of 14x14, 32 -> 64 channels).
_MIN_PARALLEL_FLOPS = 2.5e7

# Bytes of buffers per chunk: small enough to stay in a core's L2 (2 MB here); measured
# flat between 1 and 2 MB, 10-20% slower at 0.5 and 4 MB.
_CHUNK_BYTES = 3 << 19

# G of F(2x2, 3x3): U = G w G^T maps a 3x3 filter to its 4x4 Winograd form.
_G = np.array([[1.0, 0.0, 0.0],
               [0.5, 0.5, 0.5],
               [0.5, -0.5, 0.5],
               [0.0, 0.0, 1.0]])
# _GG[4a+b, 3i+j] = G[a, i] G[b, j]: U[4a+b] = sum_{ij} _GG[4a+b, 3i+j] w[i, j] as one small
# product (a 3-operand np.einsum took ~0.3 ms, as long as a whole small convolution).
_GG = np.kron(_G, _G)

# B^T of F(2x2, 3x3): row a of B^T d is d[_I0[a]] + _SG[a] * d[_I1[a]].
_I0 = (0, 1, 2, 1)
_I1 = (2, 2, 1, 3)
_SG = (-1.0, 1.0, -1.0, -1.0)

# A of F(2x2, 3x3) (4x2): row a is (_A0[a], _A1[a]); the output tile is A^T M A.
_A0 = (1.0, 1.0, 1.0, 0.0)
_A1 = (0.0, 1.0, -1.0, -1.0)


# --------------------------------------------------------------------------
# numba kernels (serial, nogil: parallelism comes from the worker threads)
# --------------------------------------------------------------------------

@njit(cache=True, nogil=True)
def _pad_split_columns(x, g0, g1, th, pt, pl, xe):
    """xe[g - g0, a, P % 2, P // 2, :] = x[n, 2*ti - pt + a, P - pl, :] for tile rows g.

    (g = n*th + ti; a < xe.shape[1]: 4 input rows per tile row, or 2 rows of dy.)  Rows
    outside x are zeroed.  Columns outside x are never written: they are at the same
    places in every row, so they stay 0 from the allocation of xe.  Splitting even and
    odd columns lets the tiles of a tile row read contiguous memory.
    """
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    Wp = 2 * xe.shape[3]
    zero = xe.dtype.type(0)
    for g in range(g0, g1):
        n, ti = g // th, g % th
        for a in range(xe.shape[1]):
            r = 2 * ti - pt + a
            if r < 0 or r >= H:
                xe[g - g0, a] = zero
                continue
            for col in range(max(0, -pl), min(W, Wp - pl)):
                p, j = (col + pl) % 2, (col + pl) // 2
                for c in range(C):
                    xe[g - g0, a, p, j, c] = x[n, r, col, c]


@njit(cache=True, nogil=True)
def _input_transform(xe, v, rows, tw):
    """v[k, g, tj*C + c] = (B^T d B)[k] for the 4x4 patch d of tile tj of tile row g < rows.

    xe is `_pad_split_columns`'s buffer as [tile rows, 4, parity, (tw+1)*C]: column
    2*tj + b of a padded row is at parity b % 2, offset (tj + b // 2)*C.  The innermost
    loop runs over a whole tile row (tw*C values, 4 loads and 1 store each), which LLVM
    vectorises; loops over the C channels of one tile were dominated by loop set-up and
    runtime alias checks (measured 2x slower).
    """
    C = xe.shape[3] // (tw + 1)
    L = tw * C
    for g in range(rows):
        for a in range(4):
            ia, ja, sa = _I0[a], _I1[a], v.dtype.type(_SG[a])
            for b in range(4):
                # 1-D views, so that the inner loop indexes with q alone: wraparound
                # checks on computed indices stop the vectorisation
                oi, oj = (_I0[b] // 2) * C, (_I1[b] // 2) * C
                d_ii = xe[g, ia, _I0[b] % 2, oi:oi + L]
                d_ij = xe[g, ia, _I1[b] % 2, oj:oj + L]
                d_ji = xe[g, ja, _I0[b] % 2, oi:oi + L]
                d_jj = xe[g, ja, _I1[b] % 2, oj:oj + L]
                dst = v[4 * a + b, g]
                sb = v.dtype.type(_SG[b])
                for q in range(L):
                    dst[q] = (d_ii[q] + sb * d_ij[q]) + sa * (d_ji[q] + sb * d_jj[q])


@njit(cache=True, nogil=True, inline="always")
def _at_tile(m, t, dst, n, r0, c0):
    """dst[n, r0:r0+2, c0:c0+2, :] = A^T M A for M = m[:, t, :] (all in range)."""
    for o in range(m.shape[2]):
        # A^T along the rows, for each column b: (m0 + m1 + m2, m1 - m2 - m3)
        y00 = m[0, t, o] + m[4, t, o] + m[8, t, o]
        y01 = m[1, t, o] + m[5, t, o] + m[9, t, o]
        y02 = m[2, t, o] + m[6, t, o] + m[10, t, o]
        y03 = m[3, t, o] + m[7, t, o] + m[11, t, o]
        y10 = m[4, t, o] - m[8, t, o] - m[12, t, o]
        y11 = m[5, t, o] - m[9, t, o] - m[13, t, o]
        y12 = m[6, t, o] - m[10, t, o] - m[14, t, o]
        y13 = m[7, t, o] - m[11, t, o] - m[15, t, o]
        # ... then A along the columns
        dst[n, r0, c0, o] = y00 + y01 + y02
        dst[n, r0, c0 + 1, o] = y01 - y02 - y03
        dst[n, r0 + 1, c0, o] = y10 + y11 + y12
        dst[n, r0 + 1, c0 + 1, o] = y11 - y12 - y13


@njit(cache=True, nogil=True)
def _output_transform(m, out, g0, g1, th, tw):
    """The output rows of tile rows g0..g1-1 from the products m[k, t, o].

    Tiles sticking out of `out` (odd output sizes) go through a scratch tile, cropped.
    """
    OH, OW, CO = out.shape[1], out.shape[2], out.shape[3]
    tile = np.empty((1, 2, 2, CO), out.dtype)
    for g in range(g0, g1):
        n, r0 = g // th, 2 * (g % th)
        for tj in range(tw):
            t, c0 = (g - g0) * tw + tj, 2 * tj
            if r0 + 2 <= OH and c0 + 2 <= OW:
                _at_tile(m, t, out, n, r0, c0)
                continue
            _at_tile(m, t, tile, 0, 0, 0)
            for a in range(min(2, OH - r0)):
                for b in range(min(2, OW - c0)):
                    for o in range(CO):
                        out[n, r0 + a, c0 + b, o] = tile[0, a, b, o]


@njit(cache=True, nogil=True)
def _grad_transform(ye, m, rows):
    """m[k, g, tj*C + o] = (A dY A^T)[k] for the 2x2 dy tiles tj of tile row g < rows.

    ye is `_pad_split_columns`'s buffer of dy as [tile rows, 2, parity, tw*C]: entry
    (i, j) of tile tj, channel o, is ye[g, i, j, tj*C + o], so as in `_input_transform`
    the inner loop runs over a whole tile row.  For row a of A, (u, w) is row a of A dY
    and (u, u + w, u - w, -w) row a of A dY A^T.  The coefficients are cast to m's dtype:
    float64 constants would turn a float32 loop into a slower float64 one (4x here).
    """
    L = ye.shape[3]
    for g in range(rows):
        y00, y01, y10, y11 = ye[g, 0, 0], ye[g, 0, 1], ye[g, 1, 0], ye[g, 1, 1]
        for a in range(4):
            ra0, ra1 = m.dtype.type(_A0[a]), m.dtype.type(_A1[a])
            d0, d1, d2, d3 = m[4 * a, g], m[4 * a + 1, g], m[4 * a + 2, g], m[4 * a + 3, g]
            for q in range(L):
                u = ra0 * y00[q] + ra1 * y10[q]
                w = ra0 * y01[q] + ra1 * y11[q]
                d0[q] = u
                d1[q] = u + w
                d2[q] = u - w
                d3[q] = -w


# --------------------------------------------------------------------------
# Python wrappers
# --------------------------------------------------------------------------

def _filter_transform(w, dt):
    """U[4a+b, c, o] = (G w[:, :, c, o] G^T)[a, b], computed in float64."""
    u = _GG @ np.asarray(w, np.float64).reshape(9, -1)
    return u.reshape(16, w.shape[2], w.shape[3]).astype(dt)


def _plan(x, out_h, out_w, cout, extra_per_tile=0):
    """(th, tw, step, workers): tile rows and columns, tile rows per chunk, threads.

    A chunk's buffers (`_input_buffers`, the C_out-wide products and `extra_per_tile`
    more items per tile) take about _CHUNK_BYTES.
    """
    n, cin = x.shape[0], x.shape[3]
    th, tw = -(-out_h // 2), -(-out_w // 2)
    per_row = (tw * (16 * (cin + cout) + extra_per_tile) + 8 * (tw + 1) * cin) * x.itemsize
    flops = 32.0 * n * th * tw * cin * cout
    most = blas.WORKERS if flops >= _MIN_PARALLEL_FLOPS else 1
    step = int(max(1, min(_CHUNK_BYTES // per_row, -(-n * th // most))))
    return th, tw, step, min(most, -(-n * th // step))


def _on_workers(workers, job):
    """[job(i) for i in range(workers)], run on `workers` threads."""
    return blas.run_parallel([functools.partial(job, i) for i in range(workers)])


def _input_buffers(step, tw, cin, dt):
    """A worker's (xe, v) for `_transformed_input`; xe must start zeroed (see
    `_pad_split_columns`)."""
    return np.zeros((step, 4, 2, tw + 1, cin), dt), np.empty((16, step, tw * cin), dt)


def _transformed_input(x, g0, g1, th, tw, pt, pl, xe, v):
    """V[k, t, c] = (B^T d_t B)[k] for the tiles t of tile rows g0..g1-1 (a view of v)."""
    _pad_split_columns(x, g0, g1, th, pt, pl, xe)
    _input_transform(xe.reshape(xe.shape[0], 4, 2, -1), v, g1 - g0, tw)
    return v.reshape(16, -1, x.shape[3])[:, :(g1 - g0) * tw]


def _run_chunks(starts, x, u, out, pt, pl, th, tw, step):
    """Convolve chunks of `step` tile rows, pulling their first rows from `starts`."""
    total, cout = x.shape[0] * th, out.shape[3]
    xe, v = _input_buffers(step, tw, x.shape[3], out.dtype)
    m = np.empty((16, step * tw, cout), out.dtype)
    for g0 in starts:   # shared by the workers: next() on itertools.count is atomic
        if g0 >= total:
            return
        g1 = min(g0 + step, total)
        vk = _transformed_input(x, g0, g1, th, tw, pt, pl, xe, v)
        np.matmul(vk, u, out=m[:, :vk.shape[1]])
        _output_transform(m, out, g0, g1, th, tw)


def _compute_dtype(*arrays):
    """float32 stays float32; anything else is computed in float64."""
    dt = np.result_type(*(a.dtype for a in arrays))
    return dt if dt == np.float32 else np.dtype(np.float64)


def _prep(a, dt):
    """C-contiguous read-only view: writeable and read-only inputs share one numba
    specialisation."""
    a = np.ascontiguousarray(a, dtype=dt).view()
    a.flags.writeable = False
    return a


def conv3x3_stride1(x, w, pad_top, pad_left, out_h, out_w):
    """out[n, i, j, o] = sum_{a, b, c} x[n, i + a - pad_top, j + b - pad_left, c] * w[a, b, c, o].

    x: [N, H, W, C_in] (NHWC); w: [3, 3, C_in, C_out]; pixels outside x count as 0, so
    TensorFlow's SAME is pad 1 (H x W out) and VALID is pad 0 (H-2 x W-2 out).
    float32 stays float32; anything else is computed and returned in float64.
    """
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 4 or w.shape[:3] != (3, 3, x.shape[3]) or w.ndim != 4:
        raise ValueError("need x [N, H, W, C] and w [3, 3, C, C_out], got %r and %r"
                         % (x.shape, w.shape))
    dt = _compute_dtype(x, w)
    n, cin, cout = x.shape[0], x.shape[3], w.shape[3]
    out = np.empty((n, out_h, out_w, cout), dt)
    if out.size == 0 or cin == 0:
        out[...] = 0
        return out
    x = _prep(x, dt)
    u = _filter_transform(w, dt)
    th, tw, step, workers = _plan(x, out_h, out_w, cout)
    starts = itertools.count(0, step)
    _on_workers(workers, lambda i: _run_chunks(starts, x, u, out, pad_top, pad_left,
                                               th, tw, step))
    return out


def conv3x3_stride1_backprop_input(dy, w, pad_top, pad_left, in_h, in_w):
    """Gradient of `conv3x3_stride1(x, w, pad_top, pad_left, ...)` with respect to x.

    dx[p] = sum_a dy[p + pad_top - a] w[a] is itself a 3x3 stride-1 convolution of dy
    with the filter rotated 180 degrees, C_in and C_out swapped, and padding 2 - pad.
    """
    w_rot = np.asarray(w)[::-1, ::-1].transpose(0, 1, 3, 2)
    return conv3x3_stride1(dy, w_rot, 2 - pad_top, 2 - pad_left, in_h, in_w)


def _filter_grad_chunks(starts, x, dy, pt, pl, th, tw, step):
    """sum over the tiles t of the chunks starting at `starts` of V_t[k]^T M_t[k]:
    dU[k, c, o] = sum_t (B^T d_t B)[k, c] (A dY_t A^T)[k, o]."""
    total, cin, cout, dt = x.shape[0] * th, x.shape[3], dy.shape[3], dy.dtype
    xe, v = _input_buffers(step, tw, cin, dt)
    ye = np.zeros((step, 2, 2, tw, cout), dt)   # dy outside [OH, OW] stays 0
    m = np.empty((16, step * tw, cout), dt)
    acc, prod = np.zeros((16, cin, cout), dt), np.empty((16, cin, cout), dt)
    for g0 in starts:
        g1 = min(g0 + step, total)
        vk = _transformed_input(x, g0, g1, th, tw, pt, pl, xe, v)
        _pad_split_columns(dy, g0, g1, th, 0, 0, ye)
        _grad_transform(ye.reshape(step, 2, 2, -1), m.reshape(16, step, -1), g1 - g0)
        acc += np.matmul(vk.transpose(0, 2, 1), m[:, :vk.shape[1]], out=prod)
    return acc


def conv3x3_stride1_backprop_filter(x, dy, pad_top, pad_left):
    """Gradient of `conv3x3_stride1(x, w, pad_top, pad_left, OH, OW)` with respect to w.

    x: [N, H, W, C_in]; dy: [N, OH, OW, C_out]; returns dw [3, 3, C_in, C_out].  The
    forward is Y_t = A^T [U * V_t] A per tile with U = G w G^T, so the adjoint is
    dw = G^T dU G with dU = sum_t (A dY_t A^T) * V_t: for each of the 16 positions k a
    (C_in x tiles) @ (tiles x C_out) product.  Worker i takes chunks i, i + workers, ...
    and the partial sums are added in worker order, so the result does not depend on
    thread timing.
    """
    x, dy = np.asarray(x), np.asarray(dy)
    if x.ndim != 4 or dy.ndim != 4 or dy.shape[0] != x.shape[0]:
        raise ValueError("need x [N, H, W, C] and dy [N, OH, OW, C_out], got %r and %r"
                         % (x.shape, dy.shape))
    dt = _compute_dtype(x, dy)
    n, out_h, out_w, cout = dy.shape
    if dy.size == 0 or x.shape[3] == 0:
        return np.zeros((3, 3, x.shape[3], cout), dt)
    x, dy = _prep(x, dt), _prep(dy, dt)
    th, tw, step, workers = _plan(x, out_h, out_w, cout, 4 * cout)   # + dy's tiles
    total = n * th

    def job(i):
        starts = range(i * step, total, workers * step)
        return _filter_grad_chunks(starts, x, dy, pad_top, pad_left, th, tw, step)

    du = sum(_on_workers(workers, job)).reshape(16, -1)
    dw = _GG.T @ du.astype(np.float64)   # G^T dU G
    return dw.reshape(3, 3, x.shape[3], cout).astype(dt)
