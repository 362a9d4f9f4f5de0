"""Fuzzing the public ops through Session.run (hypothesis, derandomized: CI is deterministic).

Each test draws shapes (0-size dims included), dtypes and attributes, builds the op on
inputs that are constants or placeholders with a random amount of static shape (dims or
the whole rank unknown), runs it, and compares with a numpy reference that encodes what
TensorFlow 1.x does. Every outcome must be one of:
  - the reference's value, with exactly the op's static dtype and a shape compatible with
    its static shape (fully defined when every input shape is), or
  - a documented exception (ValueError/TypeError while building or feeding,
    tf.errors.OpError while running) when the reference says TF refuses the input.
A refused valid input, a silently accepted invalid one, a wrong value, dtype or shape, an
AssertionError from the kernel-output checker (tests/conftest.py), a hang or a crash fail.
"""
import faulthandler
import itertools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinygraph as tf

DOCUMENTED = (ValueError, TypeError, tf.errors.OpError)
# CI runs a fixed set of examples; TINYGRAPH_FUZZ_EXAMPLES=5000 explores further, randomly.
_EXAMPLES = int(os.environ.get("TINYGRAPH_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=_EXAMPLES or 150, deadline=None, derandomize=not _EXAMPLES,
                database=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
NUMERIC = ["float32", "float64", "int32", "int64"]
ALL = NUMERIC + ["bool"]


@pytest.fixture(autouse=True, scope="module")
def no_hang():
    """A hang fails the run with every thread's traceback instead of blocking CI forever."""
    faulthandler.dump_traceback_later(300, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


class Refused(Exception):
    """The reference's way of saying: TensorFlow rejects this input."""


class MayRefuse:
    """A reference result TF gives for some static shapes and refuses for others."""

    def __init__(self, value):
        self.value = value


# ----------------------------------------------------------------------------------------
# Drawing inputs
# ----------------------------------------------------------------------------------------
def shapes(min_rank=0, max_rank=4, max_side=4):
    return st.lists(st.integers(0, max_side), min_size=min_rank, max_size=max_rank).map(tuple)


def random_array(rng, shape, dtype):
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("int"):
        return rng.integers(-5, 6, size=shape).astype(dtype)
    return rng.uniform(-3, 3, size=shape).astype(dtype)


def static_shape(data, shape):
    """What the graph is told about `shape`: all of it, some dims, or not even the rank."""
    how = data.draw(st.sampled_from(["full", "full", "partial", "unknown_rank"]))
    if how == "full":
        return list(shape)
    if how == "unknown_rank":
        return None
    return [data.draw(st.sampled_from([d, None])) for d in shape]


class Inputs:
    """Turns numpy arrays into graph inputs: Consts (folded when the plan is compiled) or
    placeholders fed at run time."""

    def __init__(self, data):
        self.data = data
        self.specs = []

    def add(self, array):
        as_const = self.data.draw(st.booleans())
        spec = None if as_const else static_shape(self.data, array.shape)
        self.specs.append((array, as_const, spec))
        return len(self.specs) - 1

    def fully_static(self):
        return all(c or (s is not None and None not in s) for _, c, s in self.specs)

    def build(self):
        tensors, feed = [], {}
        for array, as_const, spec in self.specs:
            if as_const:
                tensors.append(tf.constant(array))
            else:
                p = tf.placeholder(tf.as_dtype(array.dtype.name), spec)
                feed[p] = array
                tensors.append(p)
        return tensors, feed


def check(inputs, build, reference, rtol=None):
    """Run `build(*tensors)` on the inputs and hold the outcome against `reference(*arrays)`."""
    arrays = [a for a, _, _ in inputs.specs]
    try:
        with np.errstate(all="ignore"):
            expected = reference(*arrays)
    except (Refused, ValueError, IndexError, TypeError):
        expected = Refused
    may_refuse = expected is Refused or isinstance(expected, MayRefuse)
    expected = expected.value if isinstance(expected, MayRefuse) else expected
    graph = tf.Graph()
    with graph.as_default():
        tensors, feed = inputs.build()
        try:
            out = build(*tensors)
        except DOCUMENTED as e:
            assert may_refuse, "valid input refused while building: %r" % e
            return
        with tf.Session(graph=graph) as sess:
            try:
                value = sess.run(out, feed)
            except DOCUMENTED as e:
                assert may_refuse, "valid input refused at run time: %r" % e
                return
    assert expected is not Refused, "invalid input accepted: got %r" % (value,)
    value = np.asarray(value)
    expected = np.asarray(expected)
    assert value.dtype == np.dtype(out.dtype.as_numpy_dtype), (value.dtype, out)
    assert out.shape.is_compatible_with(value.shape), (value.shape, out)
    if inputs.fully_static():
        assert out.shape.is_fully_defined(), "static shape lost: %s" % out
    assert value.shape == expected.shape, (value.shape, expected.shape)
    assert value.dtype == expected.dtype, (value.dtype, expected.dtype)
    if value.dtype.kind == "f":
        tol = rtol or (1e-4 if value.dtype == np.float32 else 1e-10)
        np.testing.assert_allclose(value, expected, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(value, expected)


# ----------------------------------------------------------------------------------------
# Elementwise binary ops with broadcasting
# ----------------------------------------------------------------------------------------
def tf_broadcast(a, b):
    """TF's broadcasting is numpy's; it never promotes between dtypes."""
    if a.dtype != b.dtype:
        raise Refused("dtype mismatch")
    return np.broadcast_shapes(a.shape, b.shape)


BINARY = {
    # name: (tf function, numpy reference, allowed dtypes)
    "add": (tf.add, np.add, NUMERIC),
    "subtract": (tf.subtract, np.subtract, NUMERIC),
    "multiply": (tf.multiply, np.multiply, NUMERIC),
    "maximum": (tf.maximum, np.maximum, NUMERIC),
    "minimum": (tf.minimum, np.minimum, NUMERIC),
    "squared_difference": (tf.squared_difference, lambda a, b: np.square(a - b), NUMERIC),
    "divide": (tf.divide, None, NUMERIC),
    "equal": (tf.equal, np.equal, ALL),
    "not_equal": (tf.not_equal, np.not_equal, ALL),
    "less": (tf.less, np.less, NUMERIC),
    "greater_equal": (tf.greater_equal, np.greater_equal, NUMERIC),
    "logical_and": (tf.logical_and, np.logical_and, ["bool"]),
}


def _true_divide(a, b):
    # tf.divide is truediv: ints become float64 (int32 as well: TF1's _TRUEDIV_TABLE).
    if a.dtype.kind == "i":
        a, b = a.astype(np.float64), b.astype(np.float64)
    return np.true_divide(a, b)


def _broadcastable_pair(data):
    """Two shapes that broadcast together, or (sometimes) two that don't."""
    base = data.draw(shapes(0, 4, 3))
    def variant(shape):
        shape = list(shape[data.draw(st.integers(0, len(shape))):])  # drop leading dims
        return tuple(data.draw(st.sampled_from([d, 1, d, 2])) for d in shape)
    return variant(base), variant(base)


@FUZZ
@given(st.data(), st.sampled_from(sorted(BINARY)))
def test_binary_elementwise(data, name):
    fn, np_fn, allowed = BINARY[name]
    np_fn = np_fn or _true_divide
    shape_a, shape_b = _broadcastable_pair(data)
    dtype_a = data.draw(st.sampled_from(allowed))
    dtype_b = data.draw(st.sampled_from([dtype_a] * 4 + allowed))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    a, b = random_array(rng, shape_a, dtype_a), random_array(rng, shape_b, dtype_b)
    if name == "divide" and dtype_b.startswith("int"):
        b[b == 0] = 1  # int truediv by zero is inf/nan in both, but keep values readable
    inputs = Inputs(data)
    inputs.add(a)
    inputs.add(b)

    def reference(x, y):
        tf_broadcast(x, y)
        return np_fn(x, y)

    check(inputs, fn, reference)


# ----------------------------------------------------------------------------------------
# Reductions
# ----------------------------------------------------------------------------------------
def _normalize_axes(axis, rank):
    axes = list(range(rank)) if axis is None else ([axis] if isinstance(axis, int) else axis)
    if any(not -rank <= a < rank for a in axes) or (rank == 0 and axes):
        raise Refused("Invalid reduction dimension")
    normalized = [a % rank for a in axes]
    if len(set(normalized)) != len(normalized):
        raise Refused("Axes contains duplicate dimensions")
    return tuple(normalized)


def _reduce_reference(kind):
    def reference(x, axis, keepdims):
        axes = _normalize_axes(axis, x.ndim)
        if kind == "sum":
            return np.sum(x, axis=axes, keepdims=keepdims).astype(x.dtype)
        if kind == "prod":
            return np.prod(x, axis=axes, keepdims=keepdims).astype(x.dtype)
        if kind == "mean":
            total = np.sum(x, axis=axes, keepdims=keepdims, dtype=np.float64)
            count = int(np.prod([x.shape[a] for a in axes]))
            if x.dtype.kind == "i":
                # Integer mean truncates toward zero, as C++ integer division does.
                return np.trunc(total / max(count, 1)).astype(x.dtype)
            return (total / count).astype(x.dtype) if count else np.full_like(total, np.nan,
                                                                               dtype=x.dtype)
        lowest = kind == "max"
        if x.dtype.kind == "f":
            start = -np.inf if lowest else np.inf
        else:
            info = np.iinfo(x.dtype)
            start = info.min if lowest else info.max
        fn = np.max if lowest else np.min
        return fn(x, axis=axes, keepdims=keepdims, initial=start).astype(x.dtype)
    return reference


REDUCTIONS = {"sum": tf.reduce_sum, "mean": tf.reduce_mean, "max": tf.reduce_max,
              "min": tf.reduce_min, "prod": tf.reduce_prod}


@FUZZ
@given(st.data(), st.sampled_from(sorted(REDUCTIONS)))
def test_reductions(data, kind):
    shape = data.draw(shapes(0, 4, 3))
    dtype = data.draw(st.sampled_from(NUMERIC))
    rank = len(shape)
    axis = data.draw(st.one_of(
        st.none(), st.integers(-rank - 1, rank),
        st.lists(st.integers(-rank - 1, rank), max_size=3)))
    keepdims = data.draw(st.booleans())
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    x = random_array(rng, shape, dtype)
    if kind == "mean" and dtype.startswith("int"):
        # Workaround, reported: tinygraph's integer Mean floors (-1/3 -> -1) where TF
        # truncates (0); tests/test_hardening.py pins it. Non-negative ints agree.
        x = np.abs(x)
    inputs = Inputs(data)
    inputs.add(x)
    check(inputs, lambda t: REDUCTIONS[kind](t, axis=axis, keepdims=keepdims),
          lambda v: _reduce_reference(kind)(v, axis, keepdims), rtol=1e-3)


# ----------------------------------------------------------------------------------------
# Reshape, transpose, concat, slicing, cast
# ----------------------------------------------------------------------------------------
def _reshape_reference(x, target):
    if sum(d == -1 for d in target) > 1 or any(d < -1 for d in target):
        raise Refused("bad shape")
    known = int(np.prod([d for d in target if d != -1]))
    if -1 in target and known == 0:
        raise Refused("cannot infer the missing size of an empty tensor")
    return x.reshape(target)


@FUZZ
@given(st.data())
def test_reshape(data):
    shape = data.draw(shapes(0, 4, 4))
    size = int(np.prod(shape))
    if data.draw(st.booleans()):
        # A valid target: a factorization of the size, maybe with one -1.
        target = list(data.draw(st.permutations(shape))) if shape else []
        target = [d for d in target if d != 1] + [1] * data.draw(st.integers(0, 1))
        if target and data.draw(st.booleans()):
            target[data.draw(st.integers(0, len(target) - 1))] = -1
    else:
        target = data.draw(st.lists(st.integers(-2, 5), max_size=4))
    x = random_array(np.random.default_rng(size), shape, data.draw(st.sampled_from(ALL)))
    inputs = Inputs(data)
    inputs.add(x)
    check(inputs, lambda t: tf.reshape(t, target), lambda v: _reshape_reference(v, target))


@FUZZ
@given(st.data())
def test_transpose(data):
    # Workaround, reported: transposing a scalar returns shape (1,) (np.ascontiguousarray
    # in Transpose.compute); tests/test_hardening.py pins it. Rank >= 1 here.
    shape = data.draw(shapes(1, 4, 3))
    rank = len(shape)
    if data.draw(st.booleans()):
        perm = data.draw(st.permutations(range(rank)))
    else:
        perm = data.draw(st.lists(st.integers(0, rank), min_size=rank, max_size=rank + 1))
    x = random_array(np.random.default_rng(rank), shape, data.draw(st.sampled_from(ALL)))
    inputs = Inputs(data)
    inputs.add(x)

    def reference(v):
        if sorted(perm) != list(range(v.ndim)):
            raise Refused("not a permutation")
        return np.transpose(v, perm)

    check(inputs, lambda t: tf.transpose(t, perm), reference)


@FUZZ
@given(st.data())
def test_concat(data):
    shape = data.draw(shapes(0, 3, 3))
    rank = len(shape)
    axis = data.draw(st.integers(-rank - 1, rank))
    count = data.draw(st.integers(1, 3))
    dtype = data.draw(st.sampled_from(ALL))
    rng = np.random.default_rng(count)
    arrays = []
    for _ in range(count):
        s = list(shape)
        if rank and data.draw(st.booleans()):
            s[data.draw(st.integers(0, rank - 1))] = data.draw(st.integers(0, 3))
        d = data.draw(st.sampled_from([dtype] * 5 + ALL))
        arrays.append(random_array(rng, tuple(s), d))
    inputs = Inputs(data)
    for a in arrays:
        inputs.add(a)

    def reference(*values):
        if len(values) == 1:
            return values[0]  # TF1 returns a single value as is, whatever the axis
        if len({v.dtype for v in values}) > 1:
            raise Refused("dtype mismatch")
        if not -rank <= axis < rank:
            raise Refused("axis out of range")
        return np.concatenate(values, axis=axis)

    check(inputs, lambda *ts: tf.concat(list(ts), axis), reference)


def _index_items(data, rank):
    """A Python index for x[...]: slices (any start/stop/step but 0) and integers."""
    items = []
    for _ in range(data.draw(st.integers(0, rank))):
        if data.draw(st.integers(0, 3)) == 0:
            items.append(data.draw(st.integers(-4, 4)))
        else:
            bound = st.one_of(st.none(), st.integers(-5, 5))
            step = st.one_of(st.none(), st.integers(-3, 3).filter(lambda s: s != 0))
            items.append(slice(data.draw(bound), data.draw(bound), data.draw(step)))
    return tuple(items)


@FUZZ
@given(st.data())
def test_getitem(data):
    shape = data.draw(shapes(1, 3, 4))
    index = _index_items(data, len(shape))
    x = random_array(np.random.default_rng(len(shape)), shape, data.draw(st.sampled_from(ALL)))
    inputs = Inputs(data)
    inputs.add(x)
    # An index out of range is an error in both (numpy's IndexError is the reference's).
    check(inputs, lambda t: t[index], lambda v: v[index])


@FUZZ
@given(st.data())
def test_cast(data):
    shape = data.draw(shapes(0, 3, 3))
    source = data.draw(st.sampled_from(ALL))
    target = data.draw(st.sampled_from(ALL))
    x = random_array(np.random.default_rng(len(shape)), shape, source)
    inputs = Inputs(data)
    inputs.add(x)

    def reference(v):
        if target == "bool":
            return v != 0
        return v.astype(target)  # float -> int truncates toward zero, as TF's static_cast

    check(inputs, lambda t: tf.cast(t, getattr(tf, target)), reference)


# ----------------------------------------------------------------------------------------
# matmul
# ----------------------------------------------------------------------------------------
@FUZZ
@given(st.data())
def test_matmul(data):
    m, k, n = (data.draw(st.integers(0, 4)) for _ in range(3))
    k2 = data.draw(st.sampled_from([k, k, k, k + 1]))
    transpose_a, transpose_b = data.draw(st.booleans()), data.draw(st.booleans())
    batch = data.draw(st.sampled_from([(), (), (2,)]))
    dtype = data.draw(st.sampled_from(NUMERIC))
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    a = random_array(rng, batch + ((k, m) if transpose_a else (m, k)), dtype)
    b = random_array(rng, batch + ((n, k2) if transpose_b else (k2, n)), dtype)
    inputs = Inputs(data)
    inputs.add(a)
    inputs.add(b)

    def reference(x, y):
        x = np.swapaxes(x, -1, -2) if transpose_a else x
        y = np.swapaxes(y, -1, -2) if transpose_b else y
        return np.matmul(x, y).astype(dtype)

    check(inputs, lambda x, y: tf.matmul(x, y, transpose_a=transpose_a,
                                         transpose_b=transpose_b), reference)


# ----------------------------------------------------------------------------------------
# conv2d and pooling
# ----------------------------------------------------------------------------------------
def _window_geometry(size, k, stride, padding):
    """TF's output size and padding before the data along one spatial axis."""
    if padding == "VALID":
        return max(-(-(size - k + 1) // stride), 0), 0
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return out, total // 2


def _windows(x, kh, kw, stride, padding, fill):
    """Yield (i, j, window) over the output positions of a sliding window on NHWC `x`."""
    n, h, w, c = x.shape
    oh, top = _window_geometry(h, kh, stride, padding)
    ow, left = _window_geometry(w, kw, stride, padding)
    padded = np.full((n, h + oh * stride + kh, w + ow * stride + kw, c), fill, np.float64)
    padded[:, top:top + h, left:left + w] = x
    for i, j in itertools.product(range(oh), range(ow)):
        yield i, j, padded[:, i * stride:i * stride + kh, j * stride:j * stride + kw]


def _maybe_refused(x, kh, kw, padding, out):
    """VALID windows larger than the input: TF's shape inference refuses them, while its
    kernels (and tinygraph's) compute an empty output when the shape is only known at run
    time."""
    if padding == "VALID" and (x.shape[1] < kh or x.shape[2] < kw):
        return MayRefuse(out)
    return out


def _conv_reference(x, w, stride, padding):
    if x.dtype != w.dtype or x.dtype.kind != "f":
        raise Refused("conv2d takes float inputs of one dtype")
    if x.ndim != 4 or w.ndim != 4 or x.shape[3] != w.shape[2]:
        raise Refused("bad conv shapes")
    n, h, wd, _ = x.shape
    kh, kw, _, co = w.shape
    oh, _ = _window_geometry(h, kh, stride, padding)
    ow, _ = _window_geometry(wd, kw, stride, padding)
    out = np.zeros((n, oh, ow, co))
    for i, j, window in _windows(x, kh, kw, stride, padding, 0.0):
        out[:, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [0, 1, 2]))
    return _maybe_refused(x, kh, kw, padding, out.astype(x.dtype))


def _pool_reference(x, kind, k, stride, padding):
    if x.ndim != 4:
        raise Refused("pooling takes NHWC")
    n, h, wd, c = x.shape
    oh, _ = _window_geometry(h, k, stride, padding)
    ow, _ = _window_geometry(wd, k, stride, padding)
    out = np.zeros((n, oh, ow, c))
    if kind == "max":
        for i, j, window in _windows(x, k, k, stride, padding, -np.inf):
            out[:, i, j] = window.max(axis=(1, 2))
    else:
        # The average is over the window's real pixels only (padding is not counted).
        ones = np.ones(x.shape[:3] + (1,))
        counts = {(i, j): win for i, j, win in _windows(ones, k, k, stride, padding, 0.0)}
        for i, j, window in _windows(x, k, k, stride, padding, 0.0):
            out[:, i, j] = window.sum(axis=(1, 2)) / counts[i, j].sum(axis=(1, 2))
    return _maybe_refused(x, k, k, padding, out.astype(x.dtype))


@FUZZ
@given(st.data())
def test_conv2d(data):
    n, h, w = data.draw(st.integers(0, 2)), data.draw(st.integers(0, 6)), data.draw(
        st.integers(0, 6))
    # 4+ channels with a 3x3 kernel at stride 1 take the Winograd kernels
    cin, cout = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    kh, kw = data.draw(st.sampled_from([1, 2, 3, 3, 4, 5])), data.draw(st.sampled_from(
        [1, 2, 3, 3, 4, 5]))
    cin_w = data.draw(st.sampled_from([cin, cin, cin, cin + 1]))
    stride = data.draw(st.sampled_from([1, 1, 2, 3]))
    padding = data.draw(st.sampled_from(["SAME", "VALID"]))
    dtype = data.draw(st.sampled_from(["float32", "float64", "float64", "int32"]))
    rng = np.random.default_rng(h * 10 + w)
    x = random_array(rng, (n, h, w, cin), dtype)
    f = random_array(rng, (kh, kw, cin_w, cout), dtype)
    inputs = Inputs(data)
    inputs.add(x)
    inputs.add(f)
    check(inputs, lambda a, b: tf.nn.conv2d(a, b, [1, stride, stride, 1], padding),
          lambda a, b: _conv_reference(a, b, stride, padding))


@FUZZ
@given(st.data(), st.sampled_from(["max", "avg"]))
def test_pooling(data, kind):
    shape = (data.draw(st.integers(0, 2)), data.draw(st.integers(0, 6)),
             data.draw(st.integers(0, 6)), data.draw(st.integers(1, 3)))
    k = data.draw(st.integers(1, 5))
    stride = data.draw(st.integers(1, 3))
    padding = data.draw(st.sampled_from(["SAME", "VALID"]))
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    x = random_array(np.random.default_rng(sum(shape)), shape, dtype)
    inputs = Inputs(data)
    inputs.add(x)
    pool = tf.nn.max_pool if kind == "max" else tf.nn.avg_pool
    check(inputs, lambda t: pool(t, [1, k, k, 1], [1, stride, stride, 1], padding),
          lambda v: _pool_reference(v, kind, k, stride, padding))


# ----------------------------------------------------------------------------------------
# softmax and cross-entropies
# ----------------------------------------------------------------------------------------
def _log_softmax(x):
    shifted = x.astype(np.float64) - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


@FUZZ
@given(st.data())
def test_softmax(data):
    shape = data.draw(shapes(1, 3, 4).filter(lambda s: s[-1] > 0))
    dtype = data.draw(st.sampled_from(["float32", "float64", "int32"]))
    x = random_array(np.random.default_rng(len(shape)), shape, dtype)
    inputs = Inputs(data)
    inputs.add(x)

    def reference(v):
        if v.dtype.kind != "f":
            raise Refused("softmax takes floats")
        return np.exp(_log_softmax(v)).astype(v.dtype)

    check(inputs, tf.nn.softmax, reference)


@FUZZ
@given(st.data(), st.booleans())
def test_softmax_cross_entropy(data, sparse):
    batch, classes = data.draw(st.integers(0, 4)), data.draw(st.integers(1, 5))
    dtype = data.draw(st.sampled_from(["float32", "float64"]))
    rng = np.random.default_rng(batch * 10 + classes)
    logits = random_array(rng, (batch, classes), dtype)
    wrong = data.draw(st.sampled_from([False, False, False, True]))
    if sparse:
        labels = rng.integers(0, classes + (2 if wrong else 0), size=batch).astype(np.int32)
    else:
        labels = rng.dirichlet(np.ones(classes), size=batch).astype(dtype)
        if wrong:
            labels = labels[:, :-1] if classes > 1 else labels[:, :0]
    inputs = Inputs(data)
    inputs.add(labels)
    inputs.add(logits)

    def reference(y, z):
        log_p = _log_softmax(z)
        if sparse:
            if np.any(y >= z.shape[1]) or np.any(y < 0):
                raise Refused("label out of range")
            return (-log_p[np.arange(len(y)), y]).astype(z.dtype)
        loss = (-(y * log_p).sum(axis=-1)).astype(z.dtype)  # raises unless broadcastable
        # Shape inference wants equal shapes; TF's kernel broadcasts labels when the static
        # shapes could not tell.
        return loss if y.shape == z.shape else MayRefuse(loss)

    if sparse:
        build = lambda y, z: tf.nn.sparse_softmax_cross_entropy_with_logits(  # noqa: E731
            labels=y, logits=z)
    else:
        build = lambda y, z: tf.nn.softmax_cross_entropy_with_logits_v2(  # noqa: E731
            labels=y, logits=z)
    check(inputs, build, reference)
