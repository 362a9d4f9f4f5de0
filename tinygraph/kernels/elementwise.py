"""Single-pass, multi-threaded versions of the memory-bound ops that dominate a CNN step
besides the convolutions: relu and its gradient, and the Adam / RMSProp updates.

numpy spends one pass over memory per operator (`m + (g - m) * (1 - b1)` is three passes
and two temporaries); these loops read each input once and write each output once, on
all cores. They compute exactly the same float operations in the same order as the numpy
formulas they replace (no fastmath), so results are bit-identical.

Threads: the numba kernels are serial and `nogil` and take a range of flat element
indices; `run_in_parts` splits the elements into one contiguous range per worker of
tinygraph's pool (blas.run_parallel), as the convolutions do. numba's own threads
(`parallel=True`) are avoided: its threading layer here is GNU OpenMP, which kills a
forked child (multiprocessing's default start method on Linux) that uses it after the
parent did.

Small arrays stay on numpy (`BIG`), and calls that move less than `SPLIT_BYTES` run on the
caller's thread alone: waking a worker costs more than it saves there.
"""
import functools

import numpy as np
from numba import njit

from . import blas

# Arrays with fewer elements than this use the plain numpy formula. Measured (float32): the
# serial kernels beat numpy from ~1,000 elements (Adam) and ~10,000 (relu), numba's call
# overhead being a few microseconds.
BIG = 1 << 13
# Calls whose arrays (read and written) total fewer bytes than this are not split: handing a
# part to a worker costs ~40-60 us here, which pays off from ~10 MB for these kernels
# (a relu of ~1.2M float32 elements, an Adam update of ~350K).
SPLIT_BYTES = 8 << 20


def run_in_parts(kernel, n, min_bytes, *args):
    """kernel(*args, lo, hi) over ranges covering [0, n), one per worker at the same time when
    the arrays among args total at least min_bytes (blas.run_in_ranges)."""
    nbytes = sum(a.nbytes for a in args if isinstance(a, np.ndarray))
    blas.run_in_ranges(n, functools.partial(kernel, *args), split=nbytes >= min_bytes)


# LLVM vectorises these loops only if nothing can branch out of them: the kernels loop over
# slices [lo:hi] from index 0 (with `range(lo, hi)` numba checks every possibly negative
# index: 2-5x slower), and use numpy's error model, whose division by zero gives inf / nan
# as the numpy formulas do, instead of a ZeroDivisionError check (4x slower Adam).


@njit(inline="always", cache=True)
def _relu_of(v, zero):
    return v if (v > zero or v != v) else zero  # NaN passes through, as np.maximum


@njit(nogil=True, cache=True, error_model="numpy")
def _relu(x, out, lo, hi):
    x, out = x[lo:hi], out[lo:hi]
    zero = out.dtype.type(0)
    for i in range(x.size):
        out[i] = _relu_of(x[i], zero)


# In place, the one-array loop: given x and out the same memory, LLVM's overlap check sends
# _relu to its scalar loop (2.5x slower).
@njit(nogil=True, cache=True, error_model="numpy")
def _relu_inplace(x, lo, hi):
    x = x[lo:hi]
    zero = x.dtype.type(0)
    for i in range(x.size):
        x[i] = _relu_of(x[i], zero)


@njit(nogil=True, cache=True, error_model="numpy")
def _relu_grad(dy, y, out, lo, hi):
    dy, y, out = dy[lo:hi], y[lo:hi], out[lo:hi]
    zero = out.dtype.type(0)
    for i in range(out.size):
        out[i] = dy[i] if y[i] > zero else zero


def _numba_handles(*arrays):
    """The kernels take same-shape, C-contiguous float32 or float64 arrays of BIG+ elements
    (numba has no float16 arithmetic); anything else takes the numpy formula."""
    first = arrays[0]
    return (first.size >= BIG and first.dtype in (np.float32, np.float64)
            and all(a.dtype == first.dtype and a.shape == first.shape and a.flags.c_contiguous
                    for a in arrays))


def relu(x, out=None):
    """max(x, 0); `out=x` computes in place."""
    if not _numba_handles(x, *([] if out is None else [out])):
        return np.maximum(x, x.dtype.type(0), out=out)
    if out is x:
        run_in_parts(_relu_inplace, x.size, SPLIT_BYTES, x.reshape(-1))
        return out
    if out is None:
        out = np.empty_like(x)
    run_in_parts(_relu, x.size, SPLIT_BYTES, x.reshape(-1), out.reshape(-1))
    return out


def relu_grad(dy, y):
    """dy where y > 0, else 0 (TF's ReluGrad: the gradient at 0 is 0)."""
    if not _numba_handles(dy, y):
        return np.multiply(dy, y > 0, dtype=dy.dtype)
    out = np.empty_like(dy)
    run_in_parts(_relu_grad, dy.size, SPLIT_BYTES,
                 dy.reshape(-1), y.reshape(-1), out.reshape(-1))
    return out


@njit(nogil=True, cache=True, error_model="numpy")
def _adam(var, m, v, grad, alpha, beta1, beta2, epsilon, new_var, new_m, new_v, lo, hi):
    var, m, v, grad = var[lo:hi], m[lo:hi], v[lo:hi], grad[lo:hi]
    new_var, new_m, new_v = new_var[lo:hi], new_m[lo:hi], new_v[lo:hi]
    one = var.dtype.type(1)
    for i in range(var.size):
        g = grad[i]
        mi = m[i] + (g - m[i]) * (one - beta1)
        vi = v[i] + (g * g - v[i]) * (one - beta2)
        new_m[i] = mi
        new_v[i] = vi
        new_var[i] = var[i] - (mi * alpha) / (np.sqrt(vi) + epsilon)


def adam(var, m, v, grad, alpha, beta1, beta2, epsilon):
    """TF's ApplyAdam with the bias-corrected step `alpha`; returns new (var, m, v)."""
    if not _numba_handles(var, m, v, grad):
        m = m + (grad - m) * (1 - beta1)
        v = v + (np.square(grad) - v) * (1 - beta2)
        return var - (m * alpha) / (np.sqrt(v) + epsilon), m, v
    t = var.dtype.type
    new_var, new_m, new_v = np.empty_like(var), np.empty_like(m), np.empty_like(v)
    run_in_parts(_adam, var.size, SPLIT_BYTES,
                 var.reshape(-1), m.reshape(-1), v.reshape(-1), grad.reshape(-1),
                 t(alpha), t(beta1), t(beta2), t(epsilon),
                 new_var.reshape(-1), new_m.reshape(-1), new_v.reshape(-1))
    return new_var, new_m, new_v


@njit(nogil=True, cache=True, error_model="numpy")
def _rmsprop(var, ms, mom, grad, lr, rho, momentum, epsilon, new_var, new_ms, new_mom, lo, hi):
    var, ms, mom, grad = var[lo:hi], ms[lo:hi], mom[lo:hi], grad[lo:hi]
    new_var, new_ms, new_mom = new_var[lo:hi], new_ms[lo:hi], new_mom[lo:hi]
    one = var.dtype.type(1)
    for i in range(var.size):
        g = grad[i]
        msi = ms[i] + (g * g - ms[i]) * (one - rho)
        momi = mom[i] * momentum + (g * lr) / np.sqrt(msi + epsilon)
        new_ms[i] = msi
        new_mom[i] = momi
        new_var[i] = var[i] - momi


def rmsprop(var, ms, mom, grad, lr, rho, momentum, epsilon):
    """TF's ApplyRMSProp; returns new (var, ms, mom)."""
    if not _numba_handles(var, ms, mom, grad):
        ms = ms + (np.square(grad) - ms) * (1 - rho)
        mom = mom * momentum + (grad * lr) / np.sqrt(ms + epsilon)
        return var - mom, ms, mom
    t = var.dtype.type
    new_var, new_ms, new_mom = np.empty_like(var), np.empty_like(ms), np.empty_like(mom)
    run_in_parts(_rmsprop, var.size, SPLIT_BYTES,
                 var.reshape(-1), ms.reshape(-1), mom.reshape(-1), grad.reshape(-1),
                 t(lr), t(rho), t(momentum), t(epsilon),
                 new_var.reshape(-1), new_ms.reshape(-1), new_mom.reshape(-1))
    return new_var, new_ms, new_mom
