"""A forked child (multiprocessing's default start method on Linux) can run the kernels after
its parent did: they use tinygraph's worker pool, which a child restarts (the inherited pool
has no threads: work sent to it would wait forever), and not numba's OpenMP threads, whose
runtime kills a forked child that uses them."""
import os
import time

import numpy as np
import pytest

from tinygraph.kernels import blas, elementwise, pool

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _in_forked_child(check, seconds=60):
    """Run check() in a forked child; fail if it returns False, dies or hangs."""
    pid = os.fork()
    if pid == 0:
        ok = False
        try:
            ok = bool(check())
        finally:
            os._exit(0 if ok else 1)
    deadline = time.time() + seconds
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0, "the child failed or was killed"
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the forked child hung")


def _run_kernels(x, dy):
    y = elementwise.relu(x)
    return [y, pool.max_pool(y, 2, 2, "SAME"),
            pool.max_pool_grad(y, dy, 2, 2, "SAME", relu_grad=True),  # disjoint windows
            pool.max_pool_grad(y, pool.max_pool(y, 3, 2, "SAME"), 3, 2, "SAME")]  # overlapping


def test_a_forked_child_can_run_relu_and_pooling_after_the_parent_did():
    rs = np.random.RandomState(0)
    x = rs.randn(32, 32, 32, 32).astype(np.float32)
    dy = rs.randn(32, 16, 16, 32).astype(np.float32)
    # big enough for every call to be split across the workers
    assert 2 * x.nbytes >= elementwise.SPLIT_BYTES and x.nbytes >= pool.SPLIT_BYTES
    expected = _run_kernels(x, dy)  # the parent's workers have now run these kernels
    _in_forked_child(lambda: all(np.array_equal(a, b)
                                 for a, b in zip(_run_kernels(x, dy), expected)))


def test_a_forked_child_can_still_split_products():
    a = np.random.RandomState(1).randn(400, 300).astype(np.float32)
    blas.matmul(a, a.T)  # the parent's pool now has threads
    _in_forked_child(lambda: np.allclose(blas.matmul(a, a.T), a @ a.T, rtol=1e-4, atol=1e-3),
                     seconds=30)
