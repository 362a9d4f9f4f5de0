"""Fast 2-D max / average pooling kernels (NHWC) with TensorFlow's semantics.

* Padded cells are never part of a window: they never win a max (SAME max
  pooling of all-negative data stays negative) and an average divides by the
  number of in-image cells.
* ``max_pool_grad`` sends each window's gradient to the FIRST maximal cell of
  the window in row-major (h, then w) order; overlapping windows accumulate.

Serial ``nogil`` numba loops, vectorised over channels, each over a range of
output rows (gradients with overlapping windows: of whole images, whose
windows overlap); big inputs are split into one contiguous range per worker
of tinygraph's pool (elementwise.run_in_parts; not numba's own threads, which
are not fork-safe: see elementwise.py).  When windows do not overlap (the
usual 2x2 stride 2) the gradient writes every input cell exactly once, with
no zero-fill pass.  float32 stays float32, float64 stays float64.
"""


import numpy as np
from numba import njit

from .elementwise import run_in_parts
from .padding import _norm_padding, _pair, conv_output_and_padding

__all__ = ["max_pool", "max_pool_grad", "avg_pool", "avg_pool_grad"]

# Calls whose arrays (read and written) total fewer bytes than this run on the caller's
# thread alone: handing a part to a worker costs ~40-60 us here, which pays off from ~2 MB
# (float32 max pooling of ~500K input elements, its gradient of ~250K).
SPLIT_BYTES = 2 << 20


@njit(nogil=True, cache=True)
def _pool(x, out, kh, kw, sh, sw, pt, pl, is_max, lo, hi):
    """Max (is_max) or mean over the in-image part of every window of output rows
    [lo, hi), counted over all images (row nr is row nr % OH of image nr // OH)."""
    H, W, C = x.shape[1], x.shape[2], x.shape[3]
    oh, ow = out.shape[1], out.shape[2]
    for nr in range(lo, hi):
        n = nr // oh
        i = nr % oh
        r0 = max(i * sh - pt, 0)
        r1 = min(i * sh - pt + kh, H)
        for j in range(ow):
            c0 = max(j * sw - pl, 0)
            c1 = min(j * sw - pl + kw, W)
            for c in range(C):
                out[n, i, j, c] = x[n, r0, c0, c]
            if is_max:
                for r in range(r0, r1):
                    for q in range(c0, c1):
                        for c in range(C):
                            v = x[n, r, q, c]
                            if v > out[n, i, j, c]:
                                out[n, i, j, c] = v
            else:
                for r in range(r0, r1):
                    for q in range(c0, c1):
                        if r != r0 or q != c0:
                            for c in range(C):
                                out[n, i, j, c] += x[n, r, q, c]
                inv = out.dtype.type(1.0 / ((r1 - r0) * (c1 - c0)))
                for c in range(C):
                    out[n, i, j, c] *= inv


# Inlined into the gradient kernels by numba: as a call it made them ~8% slower.
@njit(inline="always", cache=True)
def _first_max(x, n, r0, r1, c0, c1, best, where):
    """Per channel c: best[c] = the max of x[n, r0:r1, c0:c1, c] and where[c] = r * W + q
    of its first occurrence in row-major order."""
    W, C = x.shape[2], x.shape[3]
    for c in range(C):
        best[c] = x[n, r0, c0, c]
        where[c] = r0 * W + c0
    for r in range(r0, r1):
        for q in range(c0, c1):
            p = r * W + q
            for c in range(C):
                v = x[n, r, q, c]
                if v > best[c]:        # strict: the first maximum wins
                    best[c] = v
                    where[c] = p


@njit(nogil=True, cache=True)
def _pool_grad_rows(x, dy, dx, kh, kw, sh, sw, pt, pl, is_max, covered, relu_grad, lo, hi):
    """Gradient of max pooling (is_max; x needed) or average pooling (x unused) for
    windows that do not overlap (stride >= window), output rows [lo, hi) as in _pool.

    Every cell of a window is written exactly once.  Unless ``covered`` (the windows tile
    the image), each output row first zeroes its band of input rows: from its windows'
    first row to the next output row's (the last row: to the bottom; the first: from the
    top), which holds its windows and the cells no window covers.

    relu_grad (max only): x is a relu's output and the relu's gradient is applied too, so a
    window's gradient is dropped when its maximum is not > 0.
    """
    H, W, C = dx.shape[1], dx.shape[2], dx.shape[3]
    oh, ow = dy.shape[1], dy.shape[2]
    zero = dx.dtype.type(0)
    best = np.empty(C, dx.dtype)
    where = np.empty(C, np.int64)
    for nr in range(lo, hi):
        n = nr // oh
        i = nr % oh
        r0 = max(i * sh - pt, 0)
        r1 = min(i * sh - pt + kh, H)
        if not covered:
            top = r0 if i > 0 else 0
            bottom = max((i + 1) * sh - pt, 0) if i < oh - 1 else H
            dx[n, top:bottom] = zero
        for j in range(ow):
            c0 = max(j * sw - pl, 0)
            c1 = min(j * sw - pl + kw, W)
            if is_max:
                _first_max(x, n, r0, r1, c0, c1, best, where)
                if relu_grad:
                    for c in range(C):
                        if not best[c] > zero:
                            where[c] = -1
                for r in range(r0, r1):
                    for q in range(c0, c1):
                        p = r * W + q
                        for c in range(C):
                            dx[n, r, q, c] = dy[n, i, j, c] if where[c] == p else zero
            else:
                inv = dx.dtype.type(1.0 / ((r1 - r0) * (c1 - c0)))
                for r in range(r0, r1):
                    for q in range(c0, c1):
                        for c in range(C):
                            dx[n, r, q, c] = dy[n, i, j, c] * inv


@njit(nogil=True, cache=True)
def _pool_grad_images(x, dy, dx, kh, kw, sh, sw, pt, pl, is_max, relu_grad, lo, hi):
    """_pool_grad_rows for any windows, overlapping ones included, of images [lo, hi):
    each image is zeroed and its windows' gradients are accumulated in row-major order."""
    H, W, C = dx.shape[1], dx.shape[2], dx.shape[3]
    oh, ow = dy.shape[1], dy.shape[2]
    zero = dx.dtype.type(0)
    best = np.empty(C, dx.dtype)
    where = np.empty(C, np.int64)
    for n in range(lo, hi):
        dx[n] = zero
        for i in range(oh):
            r0 = max(i * sh - pt, 0)
            r1 = min(i * sh - pt + kh, H)
            for j in range(ow):
                c0 = max(j * sw - pl, 0)
                c1 = min(j * sw - pl + kw, W)
                if is_max:
                    _first_max(x, n, r0, r1, c0, c1, best, where)
                    for c in range(C):
                        p = where[c]
                        if not relu_grad or best[c] > zero:
                            dx[n, p // W, p % W, c] += dy[n, i, j, c]
                else:
                    inv = dx.dtype.type(1.0 / ((r1 - r0) * (c1 - c0)))
                    for r in range(r0, r1):
                        for q in range(c0, c1):
                            for c in range(C):
                                dx[n, r, q, c] += dy[n, i, j, c] * inv


def _float(a, dtype=None):
    """(C-contiguous read-only view in the compute dtype, result dtype).

    float32/float64 are kept; float16 is computed in float32 and returned as
    float16; anything else is computed and returned in float64.  Inputs are
    handed to numba read-only so that writeable and read-only arrays share one
    compiled specialisation.
    """
    a = np.asarray(a)
    dt = a.dtype if dtype is None else np.dtype(dtype)
    if dt == np.float32 or dt == np.float64:
        ct = rt = dt
    elif dt == np.float16:
        ct, rt = np.dtype(np.float32), dt
    else:
        ct = rt = np.dtype(np.float64)
    a = np.ascontiguousarray(a, dtype=ct).view()
    a.flags.writeable = False
    return a, rt


def _geometry(shape, ksize, strides, padding):
    if len(shape) != 4:
        raise ValueError("pooling input must be 4-D NHWC, got shape %r" % (tuple(shape),))
    ksize, strides = _pair(ksize, "ksize"), _pair(strides, "strides")
    padding = _norm_padding(padding)
    oh, pt, _ = conv_output_and_padding(shape[1], ksize[0], strides[0], 1, padding)
    ow, pl, _ = conv_output_and_padding(shape[2], ksize[1], strides[1], 1, padding)
    return (int(shape[0]), oh, ow, int(shape[3])), ksize, strides, pt, pl


def _forward(x, ksize, strides, padding, is_max):
    x, rt = _float(x)
    oshape, (kh, kw), (sh, sw), pt, pl = _geometry(x.shape, ksize, strides, padding)
    out = np.empty(oshape, x.dtype)
    if out.size:
        run_in_parts(_pool, oshape[0] * oshape[1], SPLIT_BYTES,
                     x, out, kh, kw, sh, sw, pt, pl, is_max)
    return out.astype(rt, copy=False)


def max_pool(x, ksize, strides, padding):
    """Max pooling (``MaxPool``).  x: [N, H, W, C]; ksize, strides: (h, w) pairs."""
    return _forward(x, ksize, strides, padding, True)


def avg_pool(x, ksize, strides, padding):
    """Average pooling (``AvgPool``); SAME windows average their in-image cells only."""
    return _forward(x, ksize, strides, padding, False)


def _grad(x, shape, dy, rt, ksize, strides, padding, is_max, relu_grad=False):
    oshape, (kh, kw), (sh, sw), pt, pl = _geometry(shape, ksize, strides, padding)
    if dy.shape != oshape:
        raise ValueError("dy has shape %r, expected %r" % (dy.shape, oshape))
    dx = np.empty(shape, dy.dtype)
    if dy.size == 0:
        dx[...] = 0
        return dx.astype(rt, copy=False)
    n, h, w, c = shape
    geometry = (kh, kw, sh, sw, pt, pl, is_max)
    if sh >= kh and sw >= kw:  # disjoint windows
        # Do the windows tile the whole image (every cell in some window)?
        covered = (oshape[1] - 1) * sh - pt + kh >= h and (oshape[2] - 1) * sw - pl + kw >= w \
            and sh == kh and sw == kw
        run_in_parts(_pool_grad_rows, n * oshape[1], SPLIT_BYTES, x, dy, dx, *geometry, covered,
                     relu_grad)
    else:  # windows of one image overlap: whole images per part
        run_in_parts(_pool_grad_images, n, SPLIT_BYTES, x, dy, dx, *geometry, relu_grad)
    return dx.astype(rt, copy=False)


def max_pool_grad(x, dy, ksize, strides, padding, relu_grad=False):
    """Gradient of ``max_pool`` w.r.t. x (``MaxPoolGrad``), recomputing the argmax from x.

    Each window's gradient goes to the first maximal cell of the window in
    row-major order; overlapping windows accumulate.  ``relu_grad=True``, for an
    x that is a relu's output, also applies ``ReluGrad(dx, x)`` in the same pass:
    cells where x <= 0 get 0.
    """
    x, rt = _float(x)
    dy, _ = _float(dy, x.dtype)
    return _grad(x, x.shape, dy, rt, ksize, strides, padding, True, relu_grad)


def avg_pool_grad(input_shape, dy, ksize, strides, padding):
    """Gradient of ``avg_pool`` w.r.t. its input (``AvgPoolGrad``)."""
    dy, rt = _float(dy)
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 4:
        raise ValueError("input_shape must have 4 entries, got %r" % (shape,))
    # x is not read for average pooling; pass a 1-element stand-in of the same type.
    x, _ = _float(np.zeros((1, 1, 1, 1), dy.dtype))
    return _grad(x, shape, dy, rt, ksize, strides, padding, False)
