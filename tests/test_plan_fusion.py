"""ReluGrad(MaxPoolGrad(...)) runs as one kernel when nobody else reads the pool gradient."""
import numpy as np
import pytest

import tinygraph as tf
from tinygraph.kernels import pool


def _relu_pool_grads(ksize, strides, padding):
    x = tf.placeholder(tf.float32, [None, 7, 6, 3])
    relu = tf.nn.relu(x)
    pooled = tf.nn.max_pool(relu, [1] + ksize + [1], [1] + strides + [1], padding)
    weights = tf.placeholder(tf.float32, pooled.shape)
    dx = tf.gradients(tf.reduce_sum(pooled * weights), x)[0]
    pool_grad = [op for op in tf.get_default_graph().get_operations()
                 if op.type == "MaxPoolGrad"][0].outputs[0]
    return x, weights, pooled, dx, pool_grad


def _feed(x, weights, pooled, seed):
    rs = np.random.RandomState(seed)
    image = rs.randn(2, 7, 6, 3).astype(np.float32)
    image[0, :4, :4, 0] = -1.0  # windows whose maximum is 0 after the relu: no gradient
    image[1, 2:5, 1:3, 1] = 0.5  # ties: the first maximum takes it
    return {x: image, weights: rs.rand(*([2] + pooled.shape.as_list()[1:])).astype(np.float32)}


@pytest.mark.parametrize("ksize,strides,padding", [
    ([2, 2], [2, 2], "SAME"), ([2, 2], [2, 2], "VALID"), ([3, 3], [2, 2], "SAME"),
    ([3, 2], [1, 2], "VALID")])
def test_fused_gradient_equals_the_two_ops(ksize, strides, padding):
    x, weights, pooled, dx, pool_grad = _relu_pool_grads(ksize, strides, padding)
    feed = _feed(x, weights, pooled, 0)
    with tf.Session() as sess:
        fused = sess.run(dx, feed)
        separate, pool_grad_value = sess.run([dx, pool_grad], feed)  # fetching it: no fusion
        fused_plan, unfused_plan = [_kernels(p) for p in sess._plans.values()]
    np.testing.assert_array_equal(fused, separate)
    np.testing.assert_array_equal(separate, pool_grad_value * (np.maximum(feed[x], 0) > 0))
    assert "compute_then_relu_grad" in fused_plan and "ReluGrad.compute" not in fused_plan
    assert "compute_then_relu_grad" not in unfused_plan and "ReluGrad.compute" in unfused_plan


def _kernels(plan):
    return " ".join(getattr(getattr(v, "func", v), "__qualname__", "")
                    for v in plan.fn.__globals__.values())


def test_fused_gradient_matches_numeric_differentiation():
    x, weights, pooled, dx, _ = _relu_pool_grads([2, 2], [2, 2], "SAME")
    feed = _feed(x, weights, pooled, 1)
    with tf.Session() as sess:
        analytic = sess.run(dx, feed)
        loss = tf.reduce_sum(pooled * weights)
        image = feed[x].astype(np.float64)
        eps = 1e-3
        for index in [(0, 5, 5, 2), (1, 0, 1, 0), (0, 1, 1, 0), (1, 6, 2, 1)]:
            plus, minus = image.copy(), image.copy()
            plus[index] += eps
            minus[index] -= eps
            numeric = (sess.run(loss, {x: plus, weights: feed[weights]})
                       - sess.run(loss, {x: minus, weights: feed[weights]})) / (2 * eps)
            assert abs(analytic[index] - numeric) < 1e-2, index


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ksize,strides", [((2, 2), (2, 2)), ((3, 3), (1, 1))])
def test_kernel_relu_grad_flag(dtype, ksize, strides):
    rs = np.random.RandomState(2)
    relu_out = np.maximum(rs.randn(3, 9, 8, 5), 0).astype(dtype)
    oshape = pool.max_pool(relu_out, ksize, strides, "SAME").shape
    dy = rs.randn(*oshape).astype(dtype)
    plain = pool.max_pool_grad(relu_out, dy, ksize, strides, "SAME")
    fused = pool.max_pool_grad(relu_out, dy, ksize, strides, "SAME", relu_grad=True)
    assert fused.dtype == dtype
    np.testing.assert_array_equal(fused, plain * (relu_out > 0))


def test_fusion_under_minimize_gate_op():
    # GATE_OP wraps the fused gradient in tuple() identities that name its output.
    x = tf.placeholder(tf.float32, [None, 6, 6, 1])
    w = tf.Variable(np.random.RandomState(3).randn(3, 3, 1, 2).astype(np.float32))
    pooled = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")),
                            [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    loss = tf.reduce_sum(tf.square(pooled))
    dw = tf.gradients(loss, w)[0]
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    image = np.random.RandomState(4).randn(2, 6, 6, 1).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run(w) - 0.1 * sess.run(dw, {x: image})
        sess.run(train, {x: image})
        np.testing.assert_allclose(sess.run(w), expected, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------------------
# Per-example chains: a large batch runs Conv2D -> BiasAdd -> Relu -> MaxPool in slices
# --------------------------------------------------------------------------------------
from tinygraph import fusion  # noqa: E402


def _conv_bias_relu_pool(channels=3):
    x = tf.placeholder(tf.float32, [None, 8, 8, channels])
    w = tf.Variable(np.random.RandomState(5).randn(3, 3, channels, 4).astype(np.float32))
    b = tf.Variable([0.5, -0.5, 0.1, -2.0])
    conv = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    pooled = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(conv, b)), [1, 2, 2, 1], [1, 2, 2, 1],
                            "VALID")
    return x, conv, pooled


def test_a_large_batch_runs_the_chain_in_slices_with_the_same_values(monkeypatch):
    x, conv, pooled = _conv_bias_relu_pool()
    images = np.random.RandomState(6).randn(37, 8, 8, 3).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        whole, conv_value = sess.run([pooled, conv], {x: images})  # conv fetched: no chain
        batches = []
        from tinygraph.kernels import conv as conv_kernels
        original = conv_kernels.conv2d
        monkeypatch.setattr(conv_kernels, "conv2d", lambda a, *args, **kw:
                            batches.append(len(a)) or original(a, *args, **kw))
        monkeypatch.setattr(fusion, "CHUNK_ABOVE_BYTES", 8 * 8 * 4 * 4 * 10)  # 10 images
        monkeypatch.setattr(fusion, "CHUNK_BYTES", 8 * 8 * 4 * 4 * 8)  # 8 images a slice
        sliced = sess.run(pooled, {x: images})
        assert "_chain_kernel" in _kernels(list(sess._plans.values())[-1])
        monkeypatch.setattr(fusion, "CHUNK_ABOVE_BYTES", 64 << 20)
        unsliced = sess.run(pooled, {x: images})
    assert batches == [8, 8, 8, 8, 5, 37]
    np.testing.assert_array_equal(sliced, unsliced)
    np.testing.assert_allclose(whole, unsliced, rtol=1e-6)
    relu = np.maximum(conv_value + [0.5, -0.5, 0.1, -2.0], 0)
    np.testing.assert_allclose(unsliced, relu.reshape(37, 4, 2, 4, 2, 4).max(axis=(2, 4)),
                               rtol=1e-6)


def test_training_plans_have_no_chain():
    # MaxPoolGrad reads the relu's output, so the relu output must exist for the whole batch.
    x, _, pooled = _conv_bias_relu_pool()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(pooled))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: np.ones((2, 8, 8, 3), np.float32)})
        plan = list(sess._plans.values())[-1]
    assert "_chain_kernel" not in _kernels(plan)


def test_an_error_inside_a_chain_names_the_op_that_failed():
    x = tf.placeholder(tf.float32, [None, 4, 4, 1])
    bias = tf.placeholder(tf.float32, [None])
    w = tf.constant(np.ones((1, 1, 1, 2), np.float32))
    pooled = tf.nn.max_pool(tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "VALID"),
                                                      bias)), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(pooled, {x: np.ones((1, 4, 4, 1), np.float32), bias: [1.0, 2.0, 3.0]})
        assert "_chain_kernel" in _kernels(list(sess._plans.values())[-1])
    assert info.value.op.type == "BiasAdd"
    assert "BiasAdd" in str(info.value)
