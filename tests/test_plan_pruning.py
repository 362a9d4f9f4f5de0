"""The plan runs what a step's results need and nothing more."""
import numpy as np

import tinygraph as tf


def _plan_op_types(sess):
    return [[op.type for op in plan.ops] for plan in sess._plans.values()]


def test_gate_op_does_not_run_the_gradient_of_a_placeholder_image():
    # minimize()'s GATE_OP puts both of Conv2D's gradients into one tuple(), so the image
    # gradient is a control input of the filter update; its value is never read.
    x = tf.placeholder(tf.float32, [None, 6, 6, 1])
    w = tf.Variable(np.random.RandomState(0).randn(3, 3, 1, 2).astype(np.float32))
    loss = tf.reduce_sum(tf.square(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")))
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    graph_types = [op.type for op in tf.get_default_graph().get_operations()]
    assert "Conv2DBackpropInput" in graph_types  # built, as in TF
    image = np.random.RandomState(1).randn(2, 6, 6, 1).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(w)
        sess.run(train, {x: image})
        after = sess.run(w)
        run_types = _plan_op_types(sess)
    assert any("Conv2DBackpropFilter" in types for types in run_types)
    assert not any("Conv2DBackpropInput" in types for types in run_types)
    # the update is still the plain gradient step
    dw = tf.gradients(loss, [w])[0]
    with tf.Session() as sess:
        sess.run(w.assign(before))
        expected = before - 0.01 * sess.run(dw, {x: image})
    np.testing.assert_allclose(after, expected, rtol=1e-5)


def test_fetching_the_gated_gradient_still_computes_it():
    x = tf.placeholder(tf.float32, [None, 5, 5, 1])
    w = tf.constant(np.ones((2, 2, 1, 1), np.float32))
    y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "VALID")
    dx, dw = tf.gradients(tf.reduce_sum(y), [x, w], gate_gradients=True)
    with tf.Session() as sess:
        got_dx, got_dw = sess.run([dx, dw], {x: np.ones((1, 5, 5, 1), np.float32)})
    assert got_dx[0, 0, 0, 0] == 1 and got_dx[0, 2, 2, 0] == 4
    np.testing.assert_array_equal(got_dw[..., 0, 0], [[16, 16], [16, 16]])


def test_a_stateful_op_behind_a_control_edge_still_runs():
    v = tf.Variable(0.0)
    bump = tf.assign_add(v, 1.0)
    with tf.control_dependencies([bump]):
        out = tf.constant(3.0) + 0.0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(out)
        assert sess.run(v) == 1.0
