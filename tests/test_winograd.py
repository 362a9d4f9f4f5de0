"""Tests of the Winograd F(2x2, 3x3) kernel against the float64 reference convolution."""

import numpy as np
import pytest

from tinygraph.kernels import reference as ref
from tinygraph.kernels import winograd
from tinygraph.kernels.padding import conv_output_and_padding

TOL = {np.float32: 2e-6, np.float64: 1e-12}   # max error relative to max |output|


def _close(actual, expected, dtype):
    assert actual.dtype == dtype and actual.shape == expected.shape
    scale = max(float(np.abs(expected).max()), 1e-30) if expected.size else 1.0
    assert np.abs(actual.astype(np.float64) - expected).max(initial=0) <= TOL[dtype] * scale


def _case(seed, dtype):
    """Random odd-ish geometry: x [N, H, W, C_in], w [3, 3, C_in, C_out], padding."""
    rng = np.random.default_rng(seed)
    n, h, w, cin, cout = (int(v) for v in rng.integers(1, 12, 5))
    padding = ("SAME", "VALID")[seed % 2]
    x = rng.standard_normal((n, h, w, cin)).astype(dtype)
    k = rng.standard_normal((3, 3, cin, cout)).astype(dtype)
    return x, k, padding


def _geometry(h, w, padding):
    oh, pt, _ = conv_output_and_padding(h, 3, 1, 1, padding)
    ow, pl, _ = conv_output_and_padding(w, 3, 1, 1, padding)
    return oh, ow, pt, pl


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", range(16))
def test_forward_matches_reference(seed, dtype):
    x, k, padding = _case(seed, dtype)
    oh, ow, pt, pl = _geometry(x.shape[1], x.shape[2], padding)
    expected = ref.conv2d(x.astype(np.float64), k.astype(np.float64), (1, 1), padding)
    _close(winograd.conv3x3_stride1(x, k, pt, pl, oh, ow), expected, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", range(16))
def test_backprop_input_matches_reference(seed, dtype):
    x, k, padding = _case(seed, dtype)
    oh, ow, pt, pl = _geometry(x.shape[1], x.shape[2], padding)
    dy = np.random.default_rng(seed + 100).standard_normal((x.shape[0], oh, ow, k.shape[3]))
    dy = dy.astype(dtype)
    expected = ref.conv2d_backprop_input(x.shape, k.astype(np.float64), dy.astype(np.float64),
                                         (1, 1), padding)
    dx = winograd.conv3x3_stride1_backprop_input(dy, k, pt, pl, x.shape[1], x.shape[2])
    _close(dx, expected, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", range(16))
def test_backprop_filter_matches_reference(seed, dtype):
    x, k, padding = _case(seed, dtype)
    oh, ow, pt, pl = _geometry(x.shape[1], x.shape[2], padding)
    dy = np.random.default_rng(seed + 200).standard_normal((x.shape[0], oh, ow, k.shape[3]))
    dy = dy.astype(dtype)
    expected = ref.conv2d_backprop_filter(x.astype(np.float64), k.shape, dy.astype(np.float64),
                                          (1, 1), padding)
    _close(winograd.conv3x3_stride1_backprop_filter(x, dy, pt, pl), expected, dtype)


@pytest.fixture
def many_chunks(monkeypatch):
    """Chunks of one tile row each (images split over chunks), run by all the workers."""
    monkeypatch.setattr(winograd, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(winograd, "_MIN_PARALLEL_FLOPS", 0)


def test_many_chunks_and_workers(many_chunks):
    x = np.random.default_rng(0).standard_normal((7, 9, 8, 5)).astype(np.float32)
    k = np.random.default_rng(1).standard_normal((3, 3, 5, 6)).astype(np.float32)
    expected = ref.conv2d(x.astype(np.float64), k.astype(np.float64), (1, 1), "SAME")
    _close(winograd.conv3x3_stride1(x, k, 1, 1, 9, 8), expected, np.float32)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_backprop_filter_many_chunks_and_workers(many_chunks, padding):
    """Also: the workers' partial sums are added in a fixed order, so repeated calls agree."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 9, 11, 6)).astype(np.float32)
    oh, ow, pt, pl = _geometry(9, 11, padding)
    dy = rng.standard_normal((5, oh, ow, 7)).astype(np.float32)
    expected = ref.conv2d_backprop_filter(x.astype(np.float64), (3, 3, 6, 7),
                                          dy.astype(np.float64), (1, 1), padding)
    dw = winograd.conv3x3_stride1_backprop_filter(x, dy, pt, pl)
    _close(dw, expected, np.float32)
    for _ in range(5):
        assert np.array_equal(winograd.conv3x3_stride1_backprop_filter(x, dy, pt, pl), dw)


def test_backprop_filter_large_batch_default_chunks():
    """Several chunks per worker with the module's own chunk size and thread threshold."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((40, 14, 14, 16)).astype(np.float32)
    dy = rng.standard_normal((40, 14, 14, 16)).astype(np.float32)
    expected = ref.conv2d_backprop_filter(x.astype(np.float64), (3, 3, 16, 16),
                                          dy.astype(np.float64), (1, 1), "SAME")
    _close(winograd.conv3x3_stride1_backprop_filter(x, dy, 1, 1), expected, np.float32)


def test_input_smaller_than_filter_and_empty():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 1, 2, 3))
    k = rng.standard_normal((3, 3, 3, 4))
    _close(winograd.conv3x3_stride1(x, k, 1, 1, 1, 2), ref.conv2d(x, k, (1, 1), "SAME"),
           np.float64)
    assert winograd.conv3x3_stride1(x, k, 0, 0, 0, 0).shape == (2, 0, 0, 4)
    assert winograd.conv3x3_stride1(x[:0], k, 1, 1, 1, 2).shape == (0, 1, 2, 4)
    no_channels = winograd.conv3x3_stride1(x[..., :0], k[:, :, :0], 1, 1, 1, 2)
    assert no_channels.shape == (2, 1, 2, 4) and not no_channels.any()


def test_backprop_filter_small_and_empty():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 1, 2, 3))
    dy = rng.standard_normal((1, 1, 2, 4))
    expected = ref.conv2d_backprop_filter(x, (3, 3, 3, 4), dy, (1, 1), "SAME")
    _close(winograd.conv3x3_stride1_backprop_filter(x, dy, 1, 1), expected, np.float64)
    no_output = winograd.conv3x3_stride1_backprop_filter(x, dy[:, :0, :0], 0, 0)
    assert no_output.shape == (3, 3, 3, 4) and not no_output.any()
    no_channels = winograd.conv3x3_stride1_backprop_filter(x[..., :0], dy, 1, 1)
    assert no_channels.shape == (3, 3, 0, 4)


def test_strided_read_only_and_mixed_dtype_inputs():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 6, 10, 4)).astype(np.float32)[:, :, ::2]   # not contiguous
    x.flags.writeable = False
    k = rng.standard_normal((3, 3, 4, 2))                                   # float64
    expected = ref.conv2d(x.astype(np.float64), k, (1, 1), "VALID")
    _close(winograd.conv3x3_stride1(x, k, 0, 0, 4, 3), expected, np.float64)
    dy = rng.standard_normal((3, 4, 3, 2))
    expected = ref.conv2d_backprop_filter(x.astype(np.float64), k.shape, dy, (1, 1), "VALID")
    _close(winograd.conv3x3_stride1_backprop_filter(x, dy, 0, 0), expected, np.float64)


def test_rejects_other_filter_sizes():
    with pytest.raises(ValueError):
        winograd.conv3x3_stride1(np.zeros((1, 5, 5, 2)), np.zeros((5, 5, 2, 1)), 2, 2, 5, 5)
