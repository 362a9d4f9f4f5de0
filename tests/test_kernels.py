"""Tests of the numeric kernels in tinygraph.kernels (conv, pool, padding).

The fast kernels are checked against the slow, obviously-correct versions in
``tinygraph.kernels.reference`` on many random shapes, against hand-computed
TensorFlow results, and for internal consistency (adjoint identities).
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tinygraph.kernels import blas, conv, pool
from tinygraph.kernels import reference as ref
from tinygraph.kernels.padding import conv_output_and_padding

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def assert_close(actual, expected, rtol=2e-5):
    """float32 comparison: relative to the element and to the array's scale."""
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


# ---------------------------------------------------------------- padding

@pytest.mark.parametrize("args, expected", [
    ((3, 2, 1, 1, "VALID"), (2, 0, 0)),
    ((3, 2, 1, 1, "SAME"), (3, 0, 1)),        # odd total: the extra row goes after
    ((28, 3, 1, 1, "SAME"), (28, 1, 1)),
    ((28, 2, 2, 1, "SAME"), (14, 0, 0)),
    ((7, 2, 2, 1, "SAME"), (4, 0, 1)),
    ((7, 3, 2, 1, "VALID"), (3, 0, 0)),
    ((8, 3, 3, 1, "VALID"), (2, 0, 0)),
    ((7, 3, 1, 2, "VALID"), (3, 0, 0)),        # dilated kernel spans 5
    ((7, 3, 1, 2, "SAME"), (7, 2, 2)),
    ((2, 5, 1, 1, "SAME"), (2, 2, 2)),         # input smaller than the kernel
    ((1, 4, 3, 1, "SAME"), (1, 1, 2)),
    ((3, 5, 1, 1, "VALID"), (0, 0, 0)),
])
def test_conv_output_and_padding(args, expected):
    assert conv_output_and_padding(*args) == expected


def test_padding_lowercase_and_bad_strings():
    assert conv_output_and_padding(5, 3, 1, 1, "same") == (5, 1, 1)
    for bad in ("FULL", "", None, 3):
        with pytest.raises(ValueError):
            conv_output_and_padding(5, 3, 1, 1, bad)
    x = np.zeros((1, 4, 4, 1), np.float32)
    with pytest.raises(ValueError):
        conv.conv2d(x, np.zeros((2, 2, 1, 1), np.float32), (1, 1), "CAUSAL")
    with pytest.raises(ValueError):
        pool.max_pool(x, (2, 2), (1, 1), "FULL")


# ---------------------------------------------------------------- seed numbers

IMG = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
ONES = np.ones((2, 2, 1, 1), np.float32)
P2 = np.array([[4, 3], [2, 1]], np.float32).reshape(1, 2, 2, 1)


@pytest.mark.parametrize("impl", [conv, ref], ids=["fast", "reference"])
def test_conv_seed_numbers(impl):
    valid = impl.conv2d(IMG, ONES, (1, 1), "VALID")
    same = impl.conv2d(IMG, ONES, (1, 1), "SAME")
    np.testing.assert_array_equal(valid[0, :, :, 0], [[12, 16], [24, 28]])
    np.testing.assert_array_equal(same[0, :, :, 0], [[12, 16, 9], [24, 28, 15], [15, 17, 9]])
    assert valid.dtype == same.dtype == np.float32


@pytest.mark.parametrize("impl", [pool, ref], ids=["fast", "reference"])
def test_max_pool_seed_numbers(impl):
    np.testing.assert_array_equal(impl.max_pool(P2, (2, 2), (1, 1), "VALID").ravel(), [4])
    np.testing.assert_array_equal(impl.max_pool(P2, (2, 2), (1, 1), "SAME")[0, :, :, 0],
                                  [[4, 3], [2, 1]])
    # padded cells are -inf, not 0: they never win
    np.testing.assert_array_equal(impl.max_pool(-P2, (2, 2), (1, 1), "SAME").ravel(),
                                  [-1, -1, -1, -1])


@pytest.mark.parametrize("impl", [pool, ref], ids=["fast", "reference"])
def test_avg_pool_same_divides_by_in_image_cells(impl):
    y = impl.avg_pool(IMG, (2, 2), (2, 2), "SAME")           # pads one row/col after
    np.testing.assert_allclose(y[0, :, :, 0], [[3, 4.5], [7.5, 9]])
    y = impl.avg_pool(np.ones((1, 3, 3, 2), np.float32), (3, 3), (1, 1), "SAME")
    np.testing.assert_allclose(y, 1.0)                       # not 4/9 or 6/9 at the borders
    dx = impl.avg_pool_grad((1, 3, 3, 1), np.ones((1, 2, 2, 1), np.float32),
                            (2, 2), (2, 2), "SAME")
    np.testing.assert_allclose(dx[0, :, :, 0], [[.25, .25, .5], [.25, .25, .5], [.5, .5, 1]])


@pytest.mark.parametrize("impl", [pool, ref], ids=["fast", "reference"])
def test_max_pool_grad_first_max_wins(impl):
    x = np.array([[1, 5, 2],
                  [5, 5, 0],
                  [3, 5, 5]], np.float32).reshape(1, 3, 3, 1)
    # 2x2 stride 1 VALID: every window's max is 5; the FIRST 5 in row-major order wins.
    dy = np.array([[1, 10], [100, 1000]], np.float32).reshape(1, 2, 2, 1)
    dx = impl.max_pool_grad(x, dy, (2, 2), (1, 1), "VALID")
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0, 11, 0],
                                                   [100, 1000, 0],
                                                   [0, 0, 0]])
    # all-equal window (also all -inf) -> the first cell
    for v in (7.0, -np.inf):
        x = np.full((1, 2, 2, 2), v, np.float32)
        dx = impl.max_pool_grad(x, np.ones((1, 1, 1, 2), np.float32), (2, 2), (2, 2), "VALID")
        np.testing.assert_array_equal(dx[0, :, :, 0], [[1, 0], [0, 0]])
        np.testing.assert_array_equal(dx[0, :, :, 1], [[1, 0], [0, 0]])


def test_max_pool_grad_same_padding_never_routes_to_padding():
    x = -np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)     # all negative
    dy = np.ones((1, 2, 2, 1), np.float32)
    dx = pool.max_pool_grad(x, dy, (2, 2), (2, 2), "SAME")
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1, 0, 1], [0, 0, 0], [1, 0, 1]])
    np.testing.assert_array_equal(dx, ref.max_pool_grad(x, dy, (2, 2), (2, 2), "SAME"))


# ---------------------------------------------------------------- random conv

def _random_conv_case(rng, same_small=False):
    n = int(rng.integers(1, 4))
    kh, kw = (int(v) for v in rng.integers(1, 6, 2))
    if same_small:                         # SAME with the input smaller than the kernel
        kh, kw = int(rng.integers(3, 6)), int(rng.integers(3, 6))
        h, w = int(rng.integers(1, kh)), int(rng.integers(1, kw))
    else:
        h, w = (int(v) for v in rng.integers(1, 10, 2))
    cin, cout = (int(v) for v in rng.integers(1, 5, 2))
    strides = tuple(int(v) for v in rng.integers(1, 4, 2))
    dil = (1, 1) if rng.random() < 0.6 else tuple(int(v) for v in rng.integers(1, 3, 2))
    padding = "SAME" if same_small or rng.random() < 0.5 else "VALID"
    x = rng.standard_normal((n, h, w, cin)).astype(np.float32)
    wt = rng.standard_normal((kh, kw, cin, cout)).astype(np.float32)
    return x, wt, strides, padding, dil


@pytest.mark.parametrize("winograd_from", [conv.WINOGRAD_MIN_CHANNELS, 1])
@pytest.mark.parametrize("seed", range(120))
def test_conv_matches_reference(seed, winograd_from, monkeypatch):
    # winograd_from=1 sends every 3x3 stride-1 undilated case through winograd.py
    monkeypatch.setattr(conv, "WINOGRAD_MIN_CHANNELS", winograd_from)
    rng = np.random.default_rng(seed)
    x, w, s, p, d = _random_conv_case(rng, same_small=(seed % 10 == 9))
    y = conv.conv2d(x, w, s, p, d)
    assert y.dtype == np.float32
    assert_close(y, ref.conv2d(x, w, s, p, d))
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx = conv.conv2d_backprop_input(x.shape, w, dy, s, p, d)
    assert dx.dtype == np.float32 and dx.shape == x.shape
    assert_close(dx, ref.conv2d_backprop_input(x.shape, w, dy, s, p, d))
    dw = conv.conv2d_backprop_filter(x, w.shape, dy, s, p, d)
    assert dw.dtype == np.float32 and dw.shape == w.shape
    assert_close(dw, ref.conv2d_backprop_filter(x, w.shape, dy, s, p, d))


@pytest.mark.parametrize("seed", range(40))
def test_conv_backprops_are_adjoints(seed):
    """<conv(x, w), dy> == <x, backprop_input(dy)> == <w, backprop_filter(x, dy)> (float64)."""
    rng = np.random.default_rng(1000 + seed)
    x, w, s, p, d = _random_conv_case(rng)
    x, w = x.astype(np.float64), w.astype(np.float64)
    y = conv.conv2d(x, w, s, p, d)
    assert y.dtype == np.float64
    dy = rng.standard_normal(y.shape)
    dx = conv.conv2d_backprop_input(x.shape, w, dy, s, p, d)
    dw = conv.conv2d_backprop_filter(x, w.shape, dy, s, p, d)
    assert dx.dtype == dw.dtype == np.float64
    lhs = float(np.vdot(y, dy))
    assert np.isclose(lhs, np.vdot(x, dx), rtol=1e-10, atol=1e-10)
    assert np.isclose(lhs, np.vdot(w, dw), rtol=1e-10, atol=1e-10)


def test_conv_backprop_filter_matches_finite_differences():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 5, 6, 2))
    w = rng.standard_normal((3, 2, 2, 3))
    dy = rng.standard_normal(conv.conv2d(x, w, (2, 1), "SAME").shape)
    dw = conv.conv2d_backprop_filter(x, w.shape, dy, (2, 1), "SAME")
    eps = 1e-6
    for idx in [(0, 0, 0, 0), (2, 1, 1, 2), (1, 0, 1, 1)]:
        wp, wm = w.copy(), w.copy()
        wp[idx] += eps
        wm[idx] -= eps
        num = (np.vdot(conv.conv2d(x, wp, (2, 1), "SAME"), dy)
               - np.vdot(conv.conv2d(x, wm, (2, 1), "SAME"), dy)) / (2 * eps)
        assert np.isclose(num, dw[idx], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("cin", [1, 3])
def test_conv_in_several_chunks(monkeypatch, cin):
    """Batches split over three workers, each taking several chunks (some partial)."""
    monkeypatch.setattr(blas, "WORKERS", 3)
    monkeypatch.setattr(conv, "WINOGRAD_MIN_CHANNELS", 10**9)  # the im2col path
    monkeypatch.setattr(conv, "_MIN_PARALLEL_FLOPS", 0)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((7, 6, 5, cin)).astype(np.float32)
    w = rng.standard_normal((3, 3, cin, 4)).astype(np.float32)
    # 2-image chunks: images 0-1 | 2-3 | 4-5, 6
    for s, p, rows_per_image in [((1, 1), "SAME", 30), ((2, 1), "VALID", 6)]:
        monkeypatch.setattr(conv, "_CHUNK_ROWS", 2 * rows_per_image)
        y = conv.conv2d(x, w, s, p)
        assert_close(y, ref.conv2d(x, w, s, p))
        dy = rng.standard_normal(y.shape).astype(np.float32)
        assert_close(conv.conv2d_backprop_input(x.shape, w, dy, s, p),
                     ref.conv2d_backprop_input(x.shape, w, dy, s, p))
        assert_close(conv.conv2d_backprop_filter(x, w.shape, dy, s, p),
                     ref.conv2d_backprop_filter(x, w.shape, dy, s, p))


@pytest.mark.parametrize("winograd_from", [conv.WINOGRAD_MIN_CHANNELS, 10**9])
def test_conv_benchmark_shapes_and_odd_inputs(winograd_from, monkeypatch):
    monkeypatch.setattr(conv, "WINOGRAD_MIN_CHANNELS", winograd_from)  # 10**9: im2col
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 14, 14, 32)).astype(np.float32)
    w = (rng.standard_normal((3, 3, 32, 64)) * 0.1).astype(np.float32)
    y = conv.conv2d(x, w, (1, 1), "SAME")
    assert_close(y, ref.conv2d(x, w, (1, 1), "SAME"))
    dy = rng.standard_normal(y.shape).astype(np.float32)
    assert_close(conv.conv2d_backprop_input(x.shape, w, dy, (1, 1), "SAME"),
                 ref.conv2d_backprop_input(x.shape, w, dy, (1, 1), "SAME"))
    assert_close(conv.conv2d_backprop_filter(x, w.shape, dy, (1, 1), "SAME"),
                 ref.conv2d_backprop_filter(x, w.shape, dy, (1, 1), "SAME"))
    # non-contiguous views and an int stride give the same answer
    xt = np.ascontiguousarray(x.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)
    assert not xt.flags.c_contiguous
    np.testing.assert_array_equal(conv.conv2d(xt, w, 1, "SAME"), y)
    # empty VALID output
    assert conv.conv2d(x[:, :2, :2], w, (1, 1), "VALID").shape == (4, 0, 0, 64)


def test_conv_shape_errors():
    x = np.zeros((1, 4, 4, 2), np.float32)
    with pytest.raises(ValueError):
        conv.conv2d(x, np.zeros((2, 2, 3, 1), np.float32), (1, 1), "SAME")
    with pytest.raises(ValueError):
        conv.conv2d_backprop_input(x.shape, np.zeros((2, 2, 2, 1), np.float32),
                                   np.zeros((1, 3, 3, 1), np.float32), (1, 1), "SAME")


# ---------------------------------------------------------------- random pools

@pytest.mark.parametrize("seed", range(100))
def test_pools_match_reference(seed):
    rng = np.random.default_rng(2000 + seed)
    n, c = int(rng.integers(1, 4)), int(rng.integers(1, 5))
    h, w = (int(v) for v in rng.integers(1, 10, 2))
    k = tuple(int(v) for v in rng.integers(1, 5, 2))
    s = tuple(int(v) for v in rng.integers(1, 4, 2))
    p = "SAME" if seed % 2 else "VALID"
    if p == "VALID":
        h, w = max(h, k[0]), max(w, k[1])
    # small integers: plenty of ties, so the first-max rule is exercised
    x = rng.integers(-3, 3, (n, h, w, c)).astype(np.float32)
    y = pool.max_pool(x, k, s, p)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, ref.max_pool(x, k, s, p))
    dy = rng.standard_normal(y.shape).astype(np.float32)
    assert_close(pool.max_pool_grad(x, dy, k, s, p), ref.max_pool_grad(x, dy, k, s, p))
    assert_close(pool.avg_pool(x, k, s, p), ref.avg_pool(x, k, s, p))
    assert_close(pool.avg_pool_grad(x.shape, dy, k, s, p),
                 ref.avg_pool_grad(x.shape, dy, k, s, p))


@pytest.mark.parametrize("k, s, p", [
    ((2, 2), (2, 2), "SAME"),    # disjoint windows tiling the image
    ((3, 3), (3, 3), "SAME"),    # disjoint, SAME padding on top
    ((2, 2), (3, 3), "VALID"),   # disjoint with gaps: uncovered cells get 0
    ((3, 3), (2, 2), "SAME"),    # overlapping: split by whole images
])
def test_pools_split_across_workers_give_the_same_bits(k, s, p, monkeypatch):
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 3, (5, 13, 11, 3)).astype(np.float32)  # ties: first max wins
    dy = rng.standard_normal(pool.max_pool(x, k, s, p).shape).astype(np.float32)

    def all_pools():
        return [pool.max_pool(x, k, s, p), pool.avg_pool(x, k, s, p),
                pool.max_pool_grad(x, dy, k, s, p), pool.max_pool_grad(x, dy, k, s, p, True),
                pool.avg_pool_grad(x.shape, dy, k, s, p)]

    one_thread = all_pools()
    monkeypatch.setattr(pool, "SPLIT_BYTES", 0)
    monkeypatch.setattr(blas, "WORKERS", 3)  # uneven parts
    for split, whole in zip(all_pools(), one_thread):
        np.testing.assert_array_equal(split, whole)
    assert_close(one_thread[2], ref.max_pool_grad(x, dy, k, s, p))


def test_pool_benchmark_shape_and_float64():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 28, 28, 32))
    dy = rng.standard_normal((3, 14, 14, 32))
    for fast, slow in [(pool.max_pool, ref.max_pool), (pool.avg_pool, ref.avg_pool)]:
        y = fast(x, (2, 2), (2, 2), "SAME")
        assert y.dtype == np.float64
        np.testing.assert_allclose(y, slow(x, (2, 2), (2, 2), "SAME"), rtol=1e-12)
    g = pool.max_pool_grad(x, dy, (2, 2), (2, 2), "SAME")
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, ref.max_pool_grad(x, dy, (2, 2), (2, 2), "SAME"))
    x32 = x.astype(np.float32)
    assert pool.max_pool(x32, 2, 2, "SAME").dtype == np.float32
    assert pool.avg_pool_grad(x32.shape, dy.astype(np.float32), 2, 2, "SAME").dtype == np.float32


# ---------------------------------------------------------------- import & cache

def _run_python(code, env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=full_env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_kernels_package_import_does_not_import_numba():
    # Load tinygraph.kernels under a bare parent package, so only this package is judged.
    _run_python("""
        import sys, types, os
        pkg = types.ModuleType("tinygraph")
        pkg.__path__ = [os.path.join(os.getcwd(), "tinygraph")]
        sys.modules["tinygraph"] = pkg
        import tinygraph.kernels, tinygraph.kernels.padding, tinygraph.kernels.reference
        assert "numba" not in sys.modules, "tinygraph.kernels imported numba"
    """)


CALL_EVERY_KERNEL = """
    import numpy as np
    from tinygraph.kernels import conv, pool
    x = np.ones((2, 6, 6, 3), np.float32)
    w = np.ones((3, 3, 3, 4), np.float32)
    y = conv.conv2d(x, w, (1, 1), "SAME")
    conv.conv2d_backprop_input(x.shape, w, y, (1, 1), "SAME")
    conv.conv2d_backprop_filter(x, w.shape, y, (1, 1), "SAME")
    x1 = np.ones((2, 6, 6, 1), np.float32)
    x1.flags.writeable = False             # read-only inputs share the specialisation
    conv.conv2d(x1, np.ones((3, 3, 1, 4), np.float32), (1, 1), "SAME")
    y.flags.writeable = False
    for k, s in [((2, 2), (2, 2)), ((3, 3), (1, 1))]:
        m = pool.max_pool(y, k, s, "SAME")
        pool.max_pool_grad(y, m, k, s, "SAME")
        a = pool.avg_pool(y, k, s, "SAME")
        pool.avg_pool_grad(y.shape, a, k, s, "SAME")
    dispatchers = [conv._im2col, conv._col2im, pool._pool, pool._pool_grad_rows,
                   pool._pool_grad_images]
"""


def test_fresh_process_loads_compiled_kernels_from_cache():
    """With a warm on-disk cache a new process must not compile any kernel again.

    The cache is numba's default one (as users get it).  Another process
    compiling at the same moment can race numba's index file and drop an
    entry, so a miss is retried once after re-warming; a kernel that never
    loads from the cache still fails.
    """
    check = CALL_EVERY_KERNEL + """
    import json
    print(json.dumps({d.py_func.__name__: [sum(d.stats.cache_hits.values()),
                                           sum(d.stats.cache_misses.values()),
                                           len(d.signatures)] for d in dispatchers}))
    """
    for attempt in range(2):
        _run_python(CALL_EVERY_KERNEL)               # warms the cache if it is cold
        stats = json.loads(_run_python(check).strip().splitlines()[-1])
        if all(hits >= 1 and misses == 0 for hits, misses, _ in stats.values()):
            break
    for name, (hits, misses, nsig) in stats.items():
        assert misses == 0 and hits >= 1, (name, stats)
        assert nsig == 1, (name, stats)        # one specialisation, read-only or not
