"""The fused numba kernels give exactly the numpy formulas' results (large arrays take them)."""
import numpy as np
import pytest

from tinygraph.kernels import elementwise

N = elementwise.BIG * 3 + 7  # big enough for the numba path, not a multiple of anything


@pytest.fixture(params=["one thread", "split"])
def split(request, monkeypatch):
    """Run the kernels on the caller's thread alone, or split across the workers."""
    if request.param == "split":
        monkeypatch.setattr(elementwise, "SPLIT_BYTES", 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_and_grad_match_numpy_including_zero_and_nan(dtype, split):
    rs = np.random.RandomState(0)
    x = rs.randn(N).astype(dtype)
    x[:5] = [0.0, -0.0, np.nan, np.inf, -np.inf]
    dy = rs.randn(N).astype(dtype)
    y = elementwise.relu(x)
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    assert y.dtype == dtype
    in_place = x.copy()
    assert elementwise.relu(in_place, out=in_place) is in_place
    np.testing.assert_array_equal(in_place, y)
    np.testing.assert_array_equal(elementwise.relu_grad(dy, y), np.multiply(dy, y > 0, dtype=dtype))


def test_relu_on_small_and_non_contiguous_inputs_uses_numpy():
    x = np.arange(-5, 5, dtype=np.float32)
    np.testing.assert_array_equal(elementwise.relu(x), np.maximum(x, 0))
    big = np.random.RandomState(1).randn(N * 2).astype(np.float32)[::2]
    np.testing.assert_array_equal(elementwise.relu(big), np.maximum(big, 0))


def _adam_numpy(var, m, v, g, alpha, b1, b2, eps):
    m = m + (g - m) * (1 - b1)
    v = v + (np.square(g) - v) * (1 - b2)
    return var - (m * alpha) / (np.sqrt(v) + eps), m, v


def _rmsprop_numpy(var, ms, mom, g, lr, rho, momentum, eps):
    ms = ms + (np.square(g) - ms) * (1 - rho)
    mom = mom * momentum + (g * lr) / np.sqrt(ms + eps)
    return var - mom, ms, mom


def test_fused_optimizer_updates_are_bit_identical_to_the_numpy_formulas(split):
    rs = np.random.RandomState(2)
    var, m, g = (rs.randn(N).astype(np.float32) for _ in range(3))
    v = np.abs(rs.randn(N)).astype(np.float32)
    f = np.float32
    scalars = (f(0.001) * np.sqrt(f(1) - f(0.999)) / (f(1) - f(0.9)), f(0.9), f(0.999), f(1e-8))
    fused = elementwise.adam(var, m, v, g, *scalars)
    for got, want in zip(fused, _adam_numpy(var, m, v, g, *scalars)):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)
    scalars = (f(0.001), f(0.9), f(0.5), f(1e-10))
    for got, want in zip(elementwise.rmsprop(var, v, m, g, *scalars),
                         _rmsprop_numpy(var, v, m, g, *scalars)):
        np.testing.assert_array_equal(got, want)


def test_a_zero_denominator_gives_inf_or_nan_as_numpy_does(split):
    zeros = np.zeros(N, np.float32)
    ones = np.ones(N, np.float32)
    f = np.float32
    with np.errstate(divide="ignore", invalid="ignore"):
        for got, want in zip(elementwise.rmsprop(ones, zeros, zeros, ones, f(1), f(1), f(0), f(0)),
                             _rmsprop_numpy(ones, zeros, zeros, ones, f(1), f(1), f(0), f(0))):
            np.testing.assert_array_equal(got, want)  # 1 / sqrt(0) = inf
        scalars = (f(1), f(0.9), f(0.999), f(0))
        for got, want in zip(elementwise.adam(ones, zeros, zeros, zeros, *scalars),
                             _adam_numpy(ones, zeros, zeros, zeros, *scalars)):
            np.testing.assert_array_equal(got, want)  # 0 / 0 = nan


def test_float16_and_mixed_dtypes_take_the_numpy_formulas():
    # numba has no float16 arithmetic: big float16 arrays must not reach the kernels
    rs = np.random.RandomState(4)
    half = rs.randn(3 * elementwise.BIG).astype(np.float16)
    np.testing.assert_array_equal(elementwise.relu(half), np.maximum(half, 0))
    assert elementwise.relu_grad(half, half).dtype == np.float16
    var, m, v, g = (rs.rand(3 * elementwise.BIG).astype(np.float16) for _ in range(4))
    new_var, new_m, new_v = elementwise.adam(var, m, v, g, 0.1, 0.9, 0.999, 1e-7)
    assert new_var.dtype == new_m.dtype == new_v.dtype == np.float16
    assert elementwise.rmsprop(var, m, v, g, 0.1, 0.9, 0.0, 1e-7)[0].dtype == np.float16
    # a float64 gradient for a float32 variable, as numpy would promote
    var32 = var.astype(np.float32)
    g64 = g.astype(np.float64)
    new_var32 = elementwise.adam(var32, var32, var32, g64, 0.1, 0.9, 0.999, 1e-7)[0]
    assert new_var32.shape == var32.shape
