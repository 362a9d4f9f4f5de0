"""Fast 2-D convolution kernels (NHWC images, [KH, KW, C_in, C_out] filters).

Algorithm
---------
* *im2col + BLAS, pipelined per worker thread.*  The batch's images are split
  into one contiguous range per worker (`_per_worker`).  Each worker walks its
  range a few images at a time: a numba kernel copies their receptive fields
  into the worker's own ``(rows, KH*KW*C_in)`` buffer, small enough to stay in
  the core's L2 cache, and numpy's BLAS multiplies it with the filter matrix
  straight into those images' output rows.  There is no barrier between the
  copy and the product, and peak extra memory is one chunk buffer per worker,
  whatever the batch size.
* Backprop-input multiplies a chunk of dy by the transposed filter matrix and
  folds the columns back into dx (`_col2im`, the adjoint of `_im2col`).
  Backprop-filter: each worker sums ``cols.T @ dy`` over its chunks; the
  partial sums are added in a fixed order, so results do not depend on timing.
* C_in = 1 (e.g. the first layer of an MNIST model) takes the same route with
  the buffer transposed, so that each tap is a contiguous copy; measured, it
  beats direct numba loops, whose short C_out-wide inner loops LLVM
  vectorises poorly.
* 3x3, stride-1, undilated filters with at least WINOGRAD_MIN_CHANNELS input and output
  channels go to Winograd F(2x2, 3x3) instead (winograd.py), in all three directions.
* Threads: the numba kernels are single-threaded and ``nogil``, and BLAS
  releases the GIL, so the workers (Python threads) run in parallel.  OpenBLAS
  must be single-threaded: tinygraph/__init__.py sets OPENBLAS_NUM_THREADS=1
  before numpy loads.

float32 stays float32 and float64 stays float64.  Inputs are made
C-contiguous and every numba kernel is compiled for exactly one signature per
dtype, so there are few specialisations (``cache=True`` keeps them on disk).
"""

import numpy as np
from numba import njit

from . import blas, winograd
from .padding import _norm_padding, _pair, conv_output_and_padding

__all__ = ["conv2d", "conv2d_backprop_input", "conv2d_backprop_filter"]

# --------------------------------------------------------------------------
# Worker threads (the pool and the reasons for single-threaded BLAS: see blas.py)
# --------------------------------------------------------------------------
# 3x3, stride-1, undilated convolutions with at least this many input and output channels
# use Winograd F(2x2, 3x3) (winograd.py: 2.25x fewer multiplies; measured 1.5-1.75x faster
# than the pipelined im2col below for the benchmark CNN's second layer, in all three
# directions). With one input channel its products degenerate: several times slower.
WINOGRAD_MIN_CHANNELS = 4
# Below this many flops a call runs on the caller's thread alone.
_MIN_PARALLEL_FLOPS = 4e6
# A worker's chunk: its working set (im2col buffer + its output or dy rows) stays in a
# core's L2 cache (2 MB here) between the copy and the product, and its products have at
# most _CHUNK_ROWS rows: measured fastest for conv1 (K = 9), whose forward product then
# also takes OpenBLAS's faster small-matrix path; conv2's products get ~600 rows (<400
# made its K = 64 backprop-input product ~10% slower).
_CHUNK_BYTES = 1 << 20
_CHUNK_ROWS = 3136
# numpy's matmul keeps the GIL when its result has at most this many elements
# (NPY_BEGIN_THREADS_THRESHOLDED), however long the product takes: conv1's 9x32 dW
# product would run on one worker at a time.
_NUMPY_MATMUL_GIL_MAX = 500


def _per_worker(n, flops, job):
    """job(lo, hi) on one contiguous range of images per worker, at the same time (small
    calls on this thread alone); the results in range order."""
    return blas.run_in_ranges(n, job, split=flops >= _MIN_PARALLEL_FLOPS)


def _chunks(lo, hi, step, ohw, k, cin, dtype):
    """Walk images [lo, hi) at most ``step`` at a time, yielding (n0, n1, cols, mat): the
    chunk's im2col buffer as _im2col / _col2im index it, and the same memory as the
    (rows, k) matrix (cols.T when C_in == 1, see _im2col).  All chunks share one buffer."""
    buf = np.empty(min(step, hi - lo) * ohw * k, dtype)
    for n0 in range(lo, hi, step):
        n1 = min(n0 + step, hi)
        m = (n1 - n0) * ohw
        if cin == 1:
            cols = buf[:m * k].reshape(k, m)
            yield n0, n1, cols, cols.T
        else:
            cols = buf[:m * k].reshape(m, k)
            yield n0, n1, cols, cols


# --------------------------------------------------------------------------
# numba kernels (one specialisation per dtype; all arrays C-contiguous)
# --------------------------------------------------------------------------

@njit(cache=True)
def _valid_range(off, s, out_len, in_len):
    """Output positions j in [j0, j1) whose input position j*s + off is inside [0, in_len)."""
    if s == 1:                      # the common case, without integer divisions
        j0, j1 = max(-off, 0), in_len - off
    else:
        j0 = (s - 1 - off) // s if off < 0 else 0
        j1 = (in_len - 1 - off) // s + 1 if off < in_len else 0
    j0 = min(j0, out_len)
    return j0, max(min(j1, out_len), j0)


# The kernels index flat views with unsigned indices: numba checks every signed index for
# Python's negative wraparound, which keeps LLVM from vectorising the copy loops (measured
# 3x slower for C_in = 1).
_u = np.uintp


@njit(nogil=True, cache=True)
def _im2col(x, cols, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow):
    """Receptive fields of images n0..n1-1 (zero outside the image):
    cols[r, t*C + c] = x[n, i*sh + a*dh - pt, j*sw + b*dw - pl, c] for output pixel
    r = ((n-n0)*oh + i)*ow + j and tap t = a*kw + b.  With C == 1, cols is transposed,
    cols[t, r], so that each tap of an output row is one contiguous (vectorised) copy."""
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    m, k = (n1 - n0) * oh * ow, kh * kw * C
    xf, cf = x.reshape(-1), cols.reshape(-1)
    zero = cols.dtype.type(0)
    for nr in range((n1 - n0) * oh):
        n = n0 + nr // oh
        i = nr % oh
        r0 = nr * ow
        for a in range(kh):
            ii = i * sh - pt + a * dh
            xrow = (n * H + ii) * W                 # pixel index of x[n, ii, 0]
            for b in range(kw):
                t = a * kw + b
                off = b * dw - pl
                j0, j1 = _valid_range(off, sw, ow, W) if 0 <= ii < H else (ow, ow)
                if C == 1:
                    c0 = t * m + r0                 # cols[t, r0]
                    for j in range(j0):
                        cf[_u(c0 + j)] = zero
                    for j in range(j0, j1):
                        cf[_u(c0 + j)] = xf[_u(xrow + j * sw + off)]
                    for j in range(j1, ow):
                        cf[_u(c0 + j)] = zero
                    continue
                for j in range(ow):
                    c0 = (r0 + j) * k + t * C       # cols[r0 + j, t*C]
                    if j0 <= j < j1:
                        x0 = (xrow + j * sw + off) * C
                        for c in range(C):
                            cf[_u(c0 + c)] = xf[_u(x0 + c)]
                    else:
                        for c in range(C):
                            cf[_u(c0 + c)] = zero


@njit(nogil=True, cache=True)
def _col2im(dcols, dx, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow):
    """Adjoint of _im2col: dx[n0:n1] = every tap's column added back to the pixel it read."""
    H, W, C = dx.shape[1], dx.shape[2], dx.shape[3]
    m, k = (n1 - n0) * oh * ow, kh * kw * C
    xf, cf = dx.reshape(-1), dcols.reshape(-1)
    dx[n0:n1] = 0
    for nr in range((n1 - n0) * oh):
        n = n0 + nr // oh
        i = nr % oh
        r0 = nr * ow
        for a in range(kh):
            ii = i * sh - pt + a * dh
            if ii < 0 or ii >= H:
                continue
            xrow = (n * H + ii) * W
            for b in range(kw):
                t = a * kw + b
                off = b * dw - pl
                j0, j1 = _valid_range(off, sw, ow, W)
                if C == 1:
                    c0 = t * m + r0
                    for j in range(j0, j1):
                        xf[_u(xrow + j * sw + off)] += cf[_u(c0 + j)]
                    continue
                for j in range(j0, j1):
                    c0 = (r0 + j) * k + t * C
                    x0 = (xrow + j * sw + off) * C
                    for c in range(C):
                        xf[_u(x0 + c)] += cf[_u(c0 + c)]


# --------------------------------------------------------------------------
# Python wrappers
# --------------------------------------------------------------------------

def _float_dtype(*dts):
    dt = np.result_type(*dts)
    if dt == np.float32 or dt == np.float64:
        return dt, dt
    if dt == np.float16:
        return np.dtype(np.float32), dt   # compute in float32, return float16
    return np.dtype(np.float64), np.dtype(np.float64)


def _prep(a, dt):
    """C-contiguous array of dtype ``dt``, as a read-only view.

    Inputs are always handed to numba read-only, so writeable and read-only
    user arrays share one compiled specialisation instead of compiling two.
    """
    a = np.ascontiguousarray(a, dtype=dt).view()
    a.flags.writeable = False
    return a


def _geometry(in_hw, k_hw, strides, dilations, padding):
    oh, pt, _ = conv_output_and_padding(in_hw[0], k_hw[0], strides[0], dilations[0], padding)
    ow, pl, _ = conv_output_and_padding(in_hw[1], k_hw[1], strides[1], dilations[1], padding)
    return oh, ow, pt, pl


def _chunk_images(rows_per_image, row_items, itemsize, n):
    """Images per chunk: at most _CHUNK_ROWS rows of ``row_items`` items (im2col
    columns plus output or dy channels) taking at most _CHUNK_BYTES, and at least one."""
    per_image = max(rows_per_image * row_items * itemsize, 1)
    step = min(_CHUNK_BYTES // per_image, _CHUNK_ROWS // max(rows_per_image, 1))
    return int(min(max(step, 1), max(n, 1)))


def _winograd_applies(kh, kw, strides, dilations, cin, cout):
    return ((kh, kw) == (3, 3) and tuple(strides) == (1, 1) and tuple(dilations) == (1, 1)
            and min(cin, cout) >= WINOGRAD_MIN_CHANNELS)


def _check_4d(name, a):
    if a.ndim != 4:
        raise ValueError("%s must be 4-D, got shape %r" % (name, a.shape))


def conv2d(x, w, strides, padding, dilations=(1, 1)):
    """2-D convolution (TensorFlow's ``Conv2D``).

    x: [N, H, W, C_in]; w: [KH, KW, C_in, C_out]; strides, dilations: (h, w)
    pairs; padding: "SAME" or "VALID".  Returns [N, OH, OW, C_out].
    """
    strides, dilations = _pair(strides, "strides"), _pair(dilations, "dilations")
    padding = _norm_padding(padding)
    x, w = np.asarray(x), np.asarray(w)
    _check_4d("input", x)
    _check_4d("filter", w)
    ct, rt = _float_dtype(x.dtype, w.dtype)
    n, h, wd, cin = x.shape
    kh, kw, wcin, cout = w.shape
    if wcin != cin:
        raise ValueError("input has %d channels but filter expects %d" % (cin, wcin))
    oh, ow, pt, pl = _geometry((h, wd), (kh, kw), strides, dilations, padding)
    (sh, sw), (dh, dw) = strides, dilations
    out = np.empty((n, oh, ow, cout), ct)
    if out.size == 0:
        return out.astype(rt, copy=False)
    if cin * kh * kw == 0:
        out[...] = 0
        return out.astype(rt, copy=False)
    x, w = _prep(x, ct), _prep(w, ct)
    if _winograd_applies(kh, kw, strides, dilations, cin, cout):
        return winograd.conv3x3_stride1(x, w, pt, pl, oh, ow).astype(rt, copy=False)
    k, ohw = kh * kw * cin, oh * ow
    wmat = w.reshape(k, cout)
    out2 = out.reshape(n * ohw, cout)
    step = _chunk_images(ohw, k + cout, x.itemsize, n)

    def job(lo, hi):
        for n0, n1, cols, mat in _chunks(lo, hi, step, ohw, k, cin, ct):
            _im2col(x, cols, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow)
            np.matmul(mat, wmat, out=out2[n0 * ohw:n1 * ohw])

    _per_worker(n, 2.0 * out2.size * k, job)
    return out.astype(rt, copy=False)


def conv2d_backprop_input(input_shape, w, dy, strides, padding, dilations=(1, 1)):
    """Gradient of ``conv2d`` with respect to its input (``Conv2DBackpropInput``).

    input_shape: [N, H, W, C_in]; w: [KH, KW, C_in, C_out]; dy: [N, OH, OW, C_out].
    Returns dx with shape ``input_shape``.
    """
    strides, dilations = _pair(strides, "strides"), _pair(dilations, "dilations")
    padding = _norm_padding(padding)
    w, dy = np.asarray(w), np.asarray(dy)
    _check_4d("filter", w)
    _check_4d("out_backprop", dy)
    n, h, wd, cin = (int(s) for s in input_shape)
    kh, kw, wcin, cout = w.shape
    if wcin != cin:
        raise ValueError("input_shape has %d channels but filter expects %d" % (cin, wcin))
    ct, rt = _float_dtype(w.dtype, dy.dtype)
    oh, ow, pt, pl = _geometry((h, wd), (kh, kw), strides, dilations, padding)
    if dy.shape != (n, oh, ow, cout):
        raise ValueError("out_backprop has shape %r, expected %r"
                         % (dy.shape, (n, oh, ow, cout)))
    (sh, sw), (dh, dw) = strides, dilations
    dx = np.empty((n, h, wd, cin), ct)
    if dx.size == 0:
        return dx.astype(rt, copy=False)
    if dy.size == 0 or kh * kw == 0:
        dx[...] = 0
        return dx.astype(rt, copy=False)
    w, dy = _prep(w, ct), _prep(dy, ct)
    if _winograd_applies(kh, kw, strides, dilations, cin, cout):
        return winograd.conv3x3_stride1_backprop_input(dy, w, pt, pl, h, wd).astype(rt,
                                                                                   copy=False)
    k, ohw = kh * kw * cin, oh * ow
    wmat = w.reshape(k, cout)
    dy2 = dy.reshape(n * ohw, cout)
    step = _chunk_images(ohw, k + cout, dy.itemsize, n)

    def job(lo, hi):
        for n0, n1, dcols, _ in _chunks(lo, hi, step, ohw, k, cin, ct):
            dyc = dy2[n0 * ohw:n1 * ohw]
            # dcols = dy @ W^T, written in dcols' own layout (BLAS handles the transposes)
            if cin == 1:
                np.matmul(wmat, dyc.T, out=dcols)
            else:
                np.matmul(dyc, wmat.T, out=dcols)
            _col2im(dcols, dx, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow)

    _per_worker(n, 2.0 * dy2.size * k, job)
    return dx.astype(rt, copy=False)


def conv2d_backprop_filter(x, filter_shape, dy, strides, padding, dilations=(1, 1)):
    """Gradient of ``conv2d`` with respect to its filter (``Conv2DBackpropFilter``).

    x: [N, H, W, C_in]; filter_shape: [KH, KW, C_in, C_out]; dy: [N, OH, OW, C_out].
    Returns dw with shape ``filter_shape``.
    """
    strides, dilations = _pair(strides, "strides"), _pair(dilations, "dilations")
    padding = _norm_padding(padding)
    x, dy = np.asarray(x), np.asarray(dy)
    _check_4d("input", x)
    _check_4d("out_backprop", dy)
    n, h, wd, cin = x.shape
    kh, kw, fcin, cout = (int(s) for s in filter_shape)
    if fcin != cin:
        raise ValueError("input has %d channels but filter_shape says %d" % (cin, fcin))
    ct, rt = _float_dtype(x.dtype, dy.dtype)
    oh, ow, pt, pl = _geometry((h, wd), (kh, kw), strides, dilations, padding)
    if dy.shape != (n, oh, ow, cout):
        raise ValueError("out_backprop has shape %r, expected %r"
                         % (dy.shape, (n, oh, ow, cout)))
    (sh, sw), (dh, dw) = strides, dilations
    k = kh * kw * cin
    if dy.size == 0 or k * cout == 0:
        return np.zeros((kh, kw, cin, cout), rt)
    x, dy = _prep(x, ct), _prep(dy, ct)
    if _winograd_applies(kh, kw, strides, dilations, cin, cout):
        return winograd.conv3x3_stride1_backprop_filter(x, dy, pt, pl).astype(rt, copy=False)
    ohw = oh * ow
    dy2 = dy.reshape(n * ohw, cout)
    step = _chunk_images(ohw, k + cout, x.itemsize, n)

    def job(lo, hi):
        """This worker's share of dW: the sum of cols.T @ dy over its chunks."""
        acc = np.zeros((k, cout), ct)
        for n0, n1, cols, mat in _chunks(lo, hi, step, ohw, k, cin, ct):
            _im2col(x, cols, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow)
            dyc = dy2[n0 * ohw:n1 * ohw]
            if k * cout > _NUMPY_MATMUL_GIL_MAX:
                acc += np.matmul(mat.T, dyc)
            else:       # one product per image, as one batched call that releases the GIL
                b = n1 - n0
                acc += np.matmul(mat.reshape(b, ohw, k).transpose(0, 2, 1),
                                 dyc.reshape(b, ohw, cout)).sum(axis=0)
        return acc

    dwmat = sum(_per_worker(n, 2.0 * dy2.size * k, job))
    return dwmat.reshape(kh, kw, cin, cout).astype(rt, copy=False)
