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
