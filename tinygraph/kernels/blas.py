"""Matrix products on all cores, each part a single-threaded BLAS call, and the worker pool
that the other kernels share.

OpenBLAS's own threads spin-wait between calls; with other threads (and any other process)
on the same cores that turned into 10-100x slowdowns under load (measured: a 361 MFLOP
product took 0.7 s instead of 5 ms). tinygraph therefore runs OpenBLAS single-threaded (see
tinygraph/__init__.py and `make_openblas_single_threaded`) and splits big products itself:
BLAS releases the GIL, so Python threads run the parts in parallel. The numba kernels
(conv, winograd, pool, elementwise) are serial and `nogil` and split their work over the
same pool (`run_in_ranges`): one set of threads, and fork-safe (numba's own OpenMP threads
kill a forked child that uses them).
"""
import ctypes
import functools
import os

import numpy as np

__all__ = ["WORKERS", "executor", "run_parallel", "run_in_ranges", "matmul",
           "make_openblas_single_threaded", "openblas_num_threads"]

WORKERS = max(1, min(os.cpu_count() or 1, 8))
# Below this many flops (~0.3 ms on one core) a product is not worth splitting.
MIN_PARALLEL_FLOPS = 2e7

_pool = None


def executor():
    """The process-wide thread pool of `WORKERS` threads for kernels that split their work."""
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor
        _pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="tinygraph")
    return _pool


def _forget_pool_in_child():
    # A forked child inherits the pool object but not its threads: work submitted to it
    # would wait forever. The child starts its own pool when it first needs one.
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def run_parallel(jobs):
    """[job() for job in jobs], run at the same time: the first on the caller's thread, the
    others on the pool. Every job has finished when this returns (or raises). Jobs must not
    call this themselves: a job waiting for the pool from inside the pool can deadlock."""
    helpers = [executor().submit(job) for job in jobs[1:]]
    try:
        first = jobs[0]()
    finally:
        rest = [h.result() for h in helpers]
    return [first] + rest


def run_in_ranges(n, job, split=True):
    """[job(lo, hi) for contiguous ranges covering [0, n)], in range order: one range per
    worker, run at the same time, when `split`; else job(0, n) on this thread alone. The
    split does not depend on timing, so neither do the results. (Handing out smaller
    ranges dynamically measured no faster, even with another process on a core.)"""
    parts = max(min(WORKERS, n) if split else 1, 1)
    bounds = [n * i // parts for i in range(parts + 1)]
    return run_parallel([functools.partial(job, lo, hi)
                         for lo, hi in zip(bounds[:-1], bounds[1:])])


def _worth_splitting(m, k, n, dtype):
    return (WORKERS > 1 and m >= 2 * WORKERS and 2.0 * m * k * n >= MIN_PARALLEL_FLOPS
            and dtype in (np.float32, np.float64))


def matmul(a, b, out=None):
    """a @ b for 2-D arrays, rows split across the workers when the product is big."""
    m, k = a.shape
    n = b.shape[1]
    if a.dtype != b.dtype or not _worth_splitting(m, k, n, a.dtype):
        return np.matmul(a, b, out=out)
    if out is None:
        out = np.empty((m, n), a.dtype)
    run_in_ranges(m, lambda lo, hi: np.matmul(a[lo:hi], b, out=out[lo:hi]))
    return out


def make_openblas_single_threaded():
    """Make an already loaded OpenBLAS single-threaded; True if one was found.

    tinygraph sets OPENBLAS_NUM_THREADS=1 before numpy loads, but a script that imports numpy
    first (`import numpy as np; import tensorflow as tf`) has already started OpenBLAS with
    one thread per core; its threads then fight the workers above (a CNN step measured 67 ms
    instead of 38 ms).
    """
    setter = _openblas_function("set_num_threads")
    if setter is None:
        return False
    setter.argtypes = [ctypes.c_int]
    setter(1)
    return True


def openblas_num_threads():
    """How many threads the loaded OpenBLAS uses, or None if none is found."""
    getter = _openblas_function("get_num_threads")
    return None if getter is None else int(getter())


def _openblas_function(name):
    # numpy's bundled OpenBLAS exports its functions under prefixed names.
    symbols = ["scipy_openblas_%s64_" % name, "scipy_openblas_%s" % name,
               "openblas_%s64_" % name, "openblas_%s" % name]
    for library in _loaded_openblas_libraries():
        try:
            lib = ctypes.CDLL(library)
        except OSError:
            continue
        for symbol in symbols:
            function = getattr(lib, symbol, None)
            if function is not None:
                return function
    return None


def _loaded_openblas_libraries():
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:  # not Linux: only the environment variable applies
        return []
    return sorted(p for p in paths if p.startswith("/"))
