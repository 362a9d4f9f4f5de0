"""A forked child (multiprocessing's default start method on Linux) can run the pooling and
elementwise kernels after its parent did: they use tinygraph's worker pool, which a child
restarts, and not numba's OpenMP threads, whose runtime kills a forked child that uses them."""
import os
import time

import numpy as np
import pytest

from tinygraph.kernels import elementwise, pool


def _run_kernels(x, dy):
    y = elementwise.relu(x)
    return [y, pool.max_pool(y, 2, 2, "SAME"),
            pool.max_pool_grad(y, dy, 2, 2, "SAME", relu_grad=True),  # disjoint windows
            pool.max_pool_grad(y, pool.max_pool(y, 3, 2, "SAME"), 3, 2, "SAME")]  # overlapping


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_can_run_relu_and_pooling_after_the_parent_did():
    rs = np.random.RandomState(0)
    x = rs.randn(32, 32, 32, 32).astype(np.float32)
    dy = rs.randn(32, 16, 16, 32).astype(np.float32)
    # big enough for every call to be split across the workers
    assert 2 * x.nbytes >= elementwise.SPLIT_BYTES and x.nbytes >= pool.SPLIT_BYTES
    expected = _run_kernels(x, dy)  # the parent's workers have now run these kernels
    pid = os.fork()
    if pid == 0:  # child: must neither hang nor be killed
        ok = False
        try:
            ok = all(np.array_equal(a, b) for a, b in zip(_run_kernels(x, dy), expected))
        finally:
            os._exit(0 if ok else 1)
    deadline = time.time() + 60
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the forked child hung running the kernels")
