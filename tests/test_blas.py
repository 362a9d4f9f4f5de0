"""Matrix products split over threads; OpenBLAS single-threaded whatever the import order."""
import os
import subprocess
import sys

import numpy as np
import pytest

from tinygraph.kernels import blas


@pytest.mark.parametrize("m,k,n", [(100, 3136, 256), (3136, 100, 256), (5, 7, 3), (2000, 64, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_split_matmul_matches_numpy(m, k, n, dtype):
    rs = np.random.RandomState(0)
    a, b = rs.randn(m, k).astype(dtype), rs.randn(k, n).astype(dtype)
    got = blas.matmul(a, b)
    assert got.dtype == dtype and got.shape == (m, n)
    np.testing.assert_allclose(got, a @ b, rtol=1e-4 if dtype == np.float32 else 1e-12, atol=1e-3)
    # transposed views, as MatMul's gradients pass them
    np.testing.assert_allclose(blas.matmul(np.ascontiguousarray(a.T).T, b), a @ b, rtol=1e-4,
                               atol=1e-3)


def test_integer_products_keep_numpy_semantics():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    got = blas.matmul(a, a.T)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, a @ a.T)


def _openblas_threads_after(imports):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = imports + "; from tinygraph.kernels import blas; print(blas.openblas_num_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
@pytest.mark.parametrize("imports", ["import tinygraph, numpy", "import numpy, tinygraph"])
def test_openblas_is_single_threaded_whatever_was_imported_first(imports):
    if blas.openblas_num_threads() is None:
        pytest.skip("numpy is not linked against OpenBLAS here")
    assert _openblas_threads_after(imports) == "1"

