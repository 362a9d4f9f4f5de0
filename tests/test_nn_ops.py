"""tf.nn through the graph API: forward values and gradients against real TensorFlow
(tests/golden/*.npz), numeric gradient checks, static shapes, names and TF's error messages."""
import inspect
import os

import numpy as np
import pytest

import tinygraph as tf
import tinygraph.nn  # noqa: F401 - makes tf.nn available even before tinygraph imports it
from tinygraph.test import compute_gradient_error

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")


def golden(name):
    return np.load(os.path.join(GOLDEN, name + ".npz"))


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def value_and_grads(y, xs, dy):
    """y and the gradient of reduce_sum(y * dy) w.r.t. each of xs, as the goldens record."""
    grads = tf.gradients(y, xs, grad_ys=tf.constant(dy))
    return run([y] + grads)


def rng(seed=0):
    return np.random.RandomState(seed)


def grad_error(build, shapes, values=None, out_shape=None, feed=None):
    """Max |numeric - symbolic| Jacobian error of build(*placeholders) w.r.t. every input."""
    xs = [tf.placeholder(tf.float64, s) for s in shapes]
    y = build(*xs)
    values = values or [rng(i).uniform(-1, 1, s) for i, s in enumerate(shapes)]
    y_shape = out_shape if out_shape is not None else y.shape.as_list()
    with tf.Session():
        return compute_gradient_error(xs, list(shapes), y, y_shape, x_init_value=values,
                                      extra_feed_dict=feed)


# ----------------------------------------------------------------------------------------
# Seed 002's worked examples
# ----------------------------------------------------------------------------------------
def test_seed_002_toy_convolutions_and_pooling():
    d = golden("seeds")
    image = d["image"]  # [[1,2,3],[4,5,6],[7,8,9]]
    ones = np.ones((2, 2, 1, 1), np.float32)
    three = np.stack([np.ones((2, 2, 1)) * v for v in (1.0, 10.0, -1.0)], -1).astype(np.float32)
    np.testing.assert_array_equal(three, d["filter_three"])
    valid = tf.nn.conv2d(image, ones, strides=[1, 1, 1, 1], padding="VALID")
    same = tf.nn.conv2d(image, ones, strides=[1, 1, 1, 1], padding="SAME")
    three_same = tf.nn.conv2d(image, three, strides=[1, 1, 1, 1], padding="SAME")
    three_valid = tf.nn.conv2d(image, three, strides=[1, 1, 1, 1], padding="VALID")
    pool_valid = tf.nn.max_pool(d["pool_x"], ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1],
                                padding="VALID")
    pool_same = tf.nn.max_pool(d["pool_x"], ksize=[1, 2, 2, 1], strides=[1, 1, 1, 1],
                               padding="SAME")
    assert valid.shape.as_list() == [1, 2, 2, 1] and same.shape.as_list() == [1, 3, 3, 1]
    out = run([valid, same, three_same, three_valid, pool_valid, pool_same])
    np.testing.assert_array_equal(out[0][0, :, :, 0], [[12, 16], [24, 28]])
    np.testing.assert_array_equal(out[1][0, :, :, 0], [[12, 16, 9], [24, 28, 15], [15, 17, 9]])
    # Three filters [1, 10, -1] give three scaled copies of the ones-filter result.
    np.testing.assert_array_equal(out[2], out[1] * np.array([1, 10, -1], np.float32))
    np.testing.assert_array_equal(out[3], out[0] * np.array([1, 10, -1], np.float32))
    for got, key in zip(out, ["conv_ones_valid", "conv_ones_same", "conv_three_same",
                              "conv_three_valid", "pool_valid", "pool_same"]):
        np.testing.assert_array_equal(got, d[key])
        assert got.dtype == np.float32
    assert out[4].reshape(-1).tolist() == [4]
    np.testing.assert_array_equal(out[5][0, :, :, 0], [[4, 3], [2, 1]])


def test_seed_002_mnist_conv_shapes_and_names():
    img = np.random.RandomState(0).rand(1, 28, 28, 1).astype(np.float32)
    w1 = tf.Variable(tf.random_normal([3, 3, 1, 5], stddev=0.01))
    first = tf.nn.conv2d(img, w1, strides=[1, 2, 2, 1], padding="SAME")
    assert repr(first) == 'Tensor("Conv2D:0", shape=(1, 14, 14, 5), dtype=float32)'
    pool = tf.nn.max_pool(first, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    assert pool.shape.as_list() == [1, 7, 7, 5]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        y, w = sess.run([first, w1])
    from tinygraph.kernels import reference
    np.testing.assert_allclose(y, reference.conv2d(img, w, (2, 2), "SAME"), rtol=1e-5, atol=1e-7)


def test_cnn_names_and_static_shapes():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    w1 = tf.Variable(tf.random_normal([3, 3, 1, 32], stddev=0.01))
    l1 = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, w1, strides=[1, 1, 1, 1], padding="SAME")),
                        ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    w2 = tf.Variable(tf.random_normal([3, 3, 32, 64], stddev=0.01))
    c2 = tf.nn.conv2d(l1, w2, strides=[1, 1, 1, 1], padding="SAME")
    r2 = tf.nn.relu(c2)
    l2 = tf.nn.max_pool(r2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    assert repr(c2) == 'Tensor("Conv2D_1:0", shape=(?, 14, 14, 64), dtype=float32)'
    assert repr(r2) == 'Tensor("Relu_1:0", shape=(?, 14, 14, 64), dtype=float32)'
    assert repr(l2) == 'Tensor("MaxPool_1:0", shape=(?, 7, 7, 64), dtype=float32)'
    # Seed 003 re-runs its first cell: a third pool, on (?, 28, 28, 64).
    w3 = tf.Variable(tf.random_normal([3, 3, 1, 64], stddev=0.01))
    c3 = tf.nn.relu(tf.nn.conv2d(x, w3, strides=[1, 1, 1, 1], padding="SAME"))
    l3 = tf.nn.max_pool(c3, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    assert repr(l3) == 'Tensor("MaxPool_2:0", shape=(?, 14, 14, 64), dtype=float32)'
    odd = tf.nn.max_pool(l2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    assert odd.shape.as_list() == [None, 4, 4, 64]
    assert tf.nn.relu(x).name == "Relu_3:0"
    valid = tf.nn.conv2d(x, w1, strides=[1, 3, 3, 1], padding="VALID")
    assert valid.shape.as_list() == [None, 9, 9, 32]
    (dw,) = tf.gradients(tf.reduce_sum(odd), [w2])
    assert dw.shape.as_list() == [3, 3, 32, 64]
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert {"Conv2DBackpropInput", "Conv2DBackpropFilter", "MaxPoolGrad", "ReluGrad"} <= types


# ----------------------------------------------------------------------------------------
# Golden values from TensorFlow
# ----------------------------------------------------------------------------------------
def test_conv2d_forward_and_gradients_match_tensorflow():
    d = golden("conv2d")
    for i in range(int(d["ncases"])):
        case = {k: d["case%d_%s" % (i, k)] for k in
                ("x", "w", "strides", "padding", "dilations", "y", "dy", "dx", "dw")}
        tf.reset_default_graph()
        x, w = tf.constant(case["x"]), tf.constant(case["w"])
        y = tf.nn.conv2d(x, w, strides=case["strides"].tolist(), padding=str(case["padding"]),
                         dilations=case["dilations"].tolist())
        assert y.shape.as_list() == list(case["y"].shape), i
        got_y, dx, dw = value_and_grads(y, [x, w], case["dy"])
        for got, key in ((got_y, "y"), (dx, "dx"), (dw, "dw")):
            assert got.dtype == np.float32
            np.testing.assert_allclose(got, case[key], rtol=1e-5, atol=2e-5,
                                       err_msg="case %d %s" % (i, key))


def test_pooling_forward_and_gradients_match_tensorflow():
    d = golden("pool")
    for i in range(int(d["ncases"])):
        case = {k: d["case%d_%s" % (i, k)] for k in
                ("op", "ksize", "strides", "padding", "x", "y", "dy", "dx")}
        tf.reset_default_graph()
        x = tf.constant(case["x"])
        pool = tf.nn.max_pool if str(case["op"]) == "max" else tf.nn.avg_pool
        y = pool(x, ksize=case["ksize"].tolist(), strides=case["strides"].tolist(),
                 padding=str(case["padding"]))
        assert y.shape.as_list() == list(case["y"].shape)
        got_y, dx = value_and_grads(y, [x], case["dy"])
        np.testing.assert_allclose(got_y, case["y"], rtol=1e-6, atol=1e-6, err_msg=str(i))
        np.testing.assert_allclose(dx, case["dx"], rtol=1e-6, atol=1e-6, err_msg=str(i))
        assert dx.dtype == np.float32


def test_max_pool_same_padding_never_wins():
    x = -np.array([[4, 3], [2, 1]], np.float32).reshape(1, 2, 2, 1)
    y = run(tf.nn.max_pool(x, [1, 2, 2, 1], [1, 1, 1, 1], "SAME"))
    np.testing.assert_array_equal(y.reshape(2, 2), [[-1, -1], [-1, -1]])
    avg = run(tf.nn.avg_pool(-x, [1, 2, 2, 1], [1, 1, 1, 1], "SAME"))
    np.testing.assert_allclose(avg.reshape(2, 2), [[2.5, 2], [1.5, 1]])


@pytest.mark.parametrize("name", ["relu", "relu6", "elu", "selu", "softplus", "leaky_relu",
                                  "sigmoid", "tanh", "softmax", "log_softmax"])
def test_unary_ops_match_tensorflow(name):
    d = golden("nn")
    x = tf.constant(d[name + "_x"])
    y = getattr(tf.nn, name)(x)
    assert y.dtype == tf.float32
    got_y, dx = value_and_grads(y, [x], d[name + "_dy"])
    np.testing.assert_allclose(got_y, d[name + "_y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dx, d[name + "_dx"], rtol=1e-5, atol=1e-6)
    assert got_y.dtype == dx.dtype == np.float32


def test_leaky_relu_alpha_and_kinks():
    d = golden("nn")
    x = tf.constant(d["leaky_relu_01_x"])
    got_y, dx = value_and_grads(tf.nn.leaky_relu(x, alpha=0.1), [x], d["leaky_relu_01_dy"])
    np.testing.assert_allclose(got_y, d["leaky_relu_01_y"], rtol=1e-6)
    np.testing.assert_allclose(dx, d["leaky_relu_01_dx"], rtol=1e-6)
    # The kinks, by hand: relu'(0) = 0, relu6'(0) = relu6'(6) = 0.
    kinks = tf.constant([0.0, 6.0, 3.0], tf.float32)
    grads = tf.gradients([tf.nn.relu(kinks), tf.nn.relu6(kinks)], [kinks])
    np.testing.assert_array_equal(run(grads)[0], [0, 1, 2])
    np.testing.assert_allclose(run(tf.nn.leaky_relu([-1.0, 2.0], alpha=2.0)), [-2, 2])


@pytest.mark.parametrize("case", ["lrn_default", "lrn_r2", "lrn_r2_big_alpha"])
def test_lrn_matches_tensorflow(case):
    d = golden("nn")
    params = {"lrn_default": {},
              "lrn_r2": dict(depth_radius=2, bias=1.0, alpha=1e-4, beta=0.75),
              "lrn_r2_big_alpha": dict(depth_radius=2, bias=2.0, alpha=0.5, beta=0.75)}[case]
    x = tf.constant(d[case + "_x"])
    y = tf.nn.lrn(x, **params)
    assert y.op.type == "LRN"
    got_y, dx = value_and_grads(y, [x], d[case + "_dy"])
    np.testing.assert_allclose(got_y, d[case + "_y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dx, d[case + "_dx"], rtol=1e-4, atol=1e-5)


def test_softmax_cross_entropy_v1_and_v2_match_tensorflow():
    d = golden("nn")
    for version in ("v1", "v2"):
        tf.reset_default_graph()
        logits = tf.constant(d["sxe_%s_logits" % version])
        labels = tf.constant(d["sxe_%s_labels" % version])
        fn = (tf.nn.softmax_cross_entropy_with_logits if version == "v1"
              else tf.nn.softmax_cross_entropy_with_logits_v2)
        loss = fn(labels=labels, logits=logits)
        assert loss.shape.as_list() == [4] and loss.dtype == tf.float32
        dloss = tf.constant(d["sxe_%s_dloss" % version])
        dlogits, dlabels = tf.gradients(loss, [logits, labels], grad_ys=dloss)
        assert (dlabels is None) == bool(d["sxe_%s_dlabels_is_none" % version])
        fetches = [loss, dlogits] + ([dlabels] if dlabels is not None else [])
        out = run(fetches)
        np.testing.assert_allclose(out[0], d["sxe_%s_loss" % version], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out[1], d["sxe_%s_dlogits" % version], rtol=1e-5, atol=1e-6)
        if version == "v2":
            np.testing.assert_allclose(out[2], d["sxe_v2_dlabels"], rtol=1e-5, atol=1e-6)
    # The fused op's second output is the backprop the gradient reuses (TF's design).
    assert loss.op.type == "SoftmaxCrossEntropyWithLogits" and len(loss.op.outputs) == 2
    # TF 1.15's scopes: v1 stops the labels' gradient in `..._sg`, v2 has its own.
    tf.reset_default_graph()
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=tf.ones([2, 3]), logits=tf.ones([2, 3]))
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.ones([2, 3]),
                                                    logits=tf.ones([2, 3]))
    assert v1.name == "softmax_cross_entropy_with_logits_sg:0"
    assert v1.op.inputs[1].op.name == "softmax_cross_entropy_with_logits_sg/labels_stop_gradient"
    assert v2.name == "softmax_cross_entropy_with_logits:0"


def test_sparse_and_sigmoid_cross_entropy_match_tensorflow():
    d = golden("nn")
    logits = tf.constant(d["ssxe_logits"])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=d["ssxe_labels"], logits=logits)
    got, dlogits = value_and_grads(loss, [logits], d["ssxe_dloss"])
    np.testing.assert_allclose(got, d["ssxe_loss"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dlogits, d["ssxe_dlogits"], rtol=1e-5, atol=1e-6)
    logits = tf.constant(d["sigxe_logits"])
    labels = tf.constant(d["sigxe_labels"])
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    got, dlogits, dlabels = value_and_grads(loss, [logits, labels], d["sigxe_dloss"])
    np.testing.assert_allclose(got, d["sigxe_loss"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dlogits, d["sigxe_dlogits"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dlabels, d["sigxe_dlabels"], rtol=1e-5, atol=1e-6)


def test_weighted_cross_entropy():
    x, z, q = rng(0).randn(3, 4), rng(1).rand(3, 4), 2.5
    loss = tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=x, pos_weight=q)
    sigmoid = 1 / (1 + np.exp(-x))
    expected = -(q * z * np.log(sigmoid) + (1 - z) * np.log(1 - sigmoid))
    np.testing.assert_allclose(run(loss), expected, rtol=1e-10)

    def weighted(logits, targets):
        return tf.nn.weighted_cross_entropy_with_logits(targets, logits, q)

    assert grad_error(weighted, [(3, 4), (3, 4)], values=[x, z]) < 1e-6


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [-1e4, 1e4, 0.0]], np.float32)
    labels = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], np.float32)
    dense = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2, 1], logits=logits)
    sigmoid = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    out = run([dense, sparse, tf.nn.softmax(logits), tf.nn.log_softmax(logits), sigmoid])
    np.testing.assert_allclose(out[0], [1000, 1e4], rtol=1e-6)
    np.testing.assert_allclose(out[1], [2000, 0], rtol=1e-6)
    np.testing.assert_allclose(out[2], [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_allclose(out[3][0], [0, -1000, -2000])
    assert all(np.isfinite(o).all() for o in out)


def test_l2_loss_moments_and_batch_normalization_match_tensorflow():
    d = golden("nn")
    x = tf.constant(d["l2_loss_x"])
    got, dx = value_and_grads(tf.nn.l2_loss(x), [x], d["l2_loss_dy"])
    np.testing.assert_allclose(got, d["l2_loss_y"], rtol=1e-6)
    np.testing.assert_allclose(dx, d["l2_loss_dx"], rtol=1e-6)
    assert tf.nn.l2_loss(x).shape.as_list() == [] and tf.nn.l2_loss(x).op.type == "L2Loss"

    mean, variance = tf.nn.moments(tf.constant(d["moments_x"]), d["moments_axes"].tolist())
    kd_mean, kd_var = tf.nn.moments(tf.constant(d["moments_x"]),
                                    d["moments_keepdims_axes"].tolist(), keep_dims=True)
    assert mean.shape.as_list() == [2] and kd_mean.shape.as_list() == [4, 1, 3, 2]
    for got, key in zip(run([mean, variance, kd_mean, kd_var]),
                        ["mean", "variance", "keepdims_mean", "keepdims_variance"]):
        np.testing.assert_allclose(got, d["moments_" + key], rtol=1e-5, atol=1e-6)

    names = ["x", "mean", "variance", "offset", "scale"]
    inputs = [tf.constant(d["bn_" + n]) for n in names]
    y = tf.nn.batch_normalization(*inputs, variance_epsilon=float(d["bn_epsilon"]))
    out = value_and_grads(y, inputs, d["bn_dy"])
    np.testing.assert_allclose(out[0], d["bn_y"], rtol=1e-5, atol=1e-5)
    for got, n in zip(out[1:], names):
        np.testing.assert_allclose(got, d["bn_d" + n], rtol=1e-4, atol=1e-4, err_msg=n)


# ----------------------------------------------------------------------------------------
# Numeric gradient checks (float64)
# ----------------------------------------------------------------------------------------
CONV_SETUPS = [((1, 1, 1, 1), "SAME", (1, 1, 1, 1)), ((1, 2, 2, 1), "SAME", (1, 1, 1, 1)),
               ((1, 2, 1, 1), "VALID", (1, 1, 1, 1)), ((1, 1, 1, 1), "SAME", (1, 2, 2, 1))]


@pytest.mark.parametrize("strides,padding,dilations", CONV_SETUPS)
def test_conv2d_gradient_check(strides, padding, dilations):
    def build(x, w):
        return tf.nn.conv2d(x, w, strides, padding, dilations=dilations)
    assert grad_error(build, [(2, 5, 4, 2), (3, 2, 2, 3)]) < 1e-6


def test_conv2d_backprop_ops_have_gradients():
    x_shape, w_shape = (1, 5, 5, 2), (3, 3, 2, 2)
    attrs = dict(strides=[1, 2, 2, 1], padding="SAME")
    dy_shape = (1, 3, 3, 2)

    def backprop_input(w, dy):
        return tf.nn.conv2d_backprop_input(list(x_shape), w, dy, **attrs)

    def backprop_filter(x, dy):
        return tf.nn.conv2d_backprop_filter(x, list(w_shape), dy, **attrs)

    assert grad_error(backprop_input, [w_shape, dy_shape]) < 1e-6
    assert grad_error(backprop_filter, [x_shape, dy_shape]) < 1e-6
    # Second derivatives through tf.gradients: d/dw of (d conv / dx) . v
    x = tf.placeholder(tf.float64, x_shape)
    w = tf.placeholder(tf.float64, w_shape)
    v = rng(5).uniform(-1, 1, x_shape)
    (dx,) = tf.gradients(tf.reduce_sum(tf.nn.conv2d(x, w, **attrs) ** 2), [x])
    second = tf.reduce_sum(dx * v)
    with tf.Session():
        error = compute_gradient_error([x, w], [x_shape, w_shape], second, [],
                                       x_init_value=[rng(1).uniform(-1, 1, x_shape),
                                                     rng(2).uniform(-1, 1, w_shape)])
    assert error < 1e-5


def test_conv2d_transpose():
    x = tf.placeholder(tf.float64, (1, 3, 3, 4))
    w = tf.placeholder(tf.float64, (2, 2, 3, 4))
    y = tf.nn.conv2d_transpose(x, w, output_shape=[1, 5, 5, 3], strides=[1, 2, 2, 1],
                               padding="SAME")
    assert y.op.name == "conv2d_transpose" and y.op.type == "Conv2DBackpropInput"
    assert y.shape.as_list() == [1, 5, 5, 3]
    xv, wv = rng(0).randn(1, 3, 3, 4), rng(1).randn(2, 2, 3, 4)
    from tinygraph.kernels import reference
    expected = reference.conv2d_backprop_input((1, 5, 5, 3), wv, xv, (2, 2), "SAME")
    np.testing.assert_allclose(run(y, {x: xv, w: wv}), expected, rtol=1e-10)
    assert grad_error(lambda a, b: tf.nn.conv2d_transpose(a, b, [1, 5, 5, 3], [1, 2, 2, 1]),
                      [(1, 3, 3, 4), (2, 2, 3, 4)]) < 1e-6
    with pytest.raises(ValueError, match="output_shape does not match filter's output channels"):
        tf.nn.conv2d_transpose(x, w, output_shape=[1, 5, 5, 2], strides=[1, 2, 2, 1])


def _distinct(shape, seed=0):
    """Values with gaps far larger than the checker's delta, so no window has a near-tie."""
    return rng(seed).permutation(np.prod(shape)).reshape(shape) * 0.1


@pytest.mark.parametrize("padding,strides", [("SAME", 2), ("VALID", 1), ("SAME", 1)])
def test_pooling_gradient_check(padding, strides):
    shape = (2, 5, 5, 2)
    for pool in (tf.nn.max_pool, tf.nn.avg_pool):
        tf.reset_default_graph()
        error = grad_error(lambda x: pool(x, [1, 3, 3, 1], [1, strides, strides, 1], padding),
                           [shape], values=[_distinct(shape)])
        assert error < 1e-6, pool


def test_pooling_second_derivatives():
    shape = (1, 4, 5, 2)
    xv = _distinct(shape, 3)
    for pool in (tf.nn.max_pool, tf.nn.avg_pool):
        tf.reset_default_graph()
        x = tf.constant(xv)
        y = pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        dy = tf.placeholder(tf.float64, y.shape)
        (dx,) = tf.gradients(y, [x], grad_ys=dy)  # MaxPoolGrad / AvgPoolGrad, linear in dy
        with tf.Session():
            error = compute_gradient_error(dy, y.shape.as_list(), dx, list(shape),
                                           x_init_value=rng(4).randn(*y.shape.as_list()))
        assert error < 1e-8
    # MaxPoolGradGrad picks the gradient at each window's first maximum.
    x = tf.constant(np.array([[1, 5], [5, 2]], np.float64).reshape(1, 2, 2, 1))
    y = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 1, 1, 1], "VALID")
    dy = tf.placeholder(tf.float64, [1, 1, 1, 1])
    (dx,) = tf.gradients(y, [x], grad_ys=dy)
    (ddy,) = tf.gradients(dx, [dy], grad_ys=tf.constant(np.arange(1.0, 5.0).reshape(1, 2, 2, 1)))
    assert ddy.op.type == "MaxPoolGradGrad"
    assert run(ddy, {dy: np.ones((1, 1, 1, 1))}).reshape(-1).tolist() == [2.0]
    # MaxPoolGradGrad is linear in its gradient input; its own gradient is a MaxPoolGrad.
    x = tf.constant(_distinct((1, 4, 5, 2), 6))
    y = tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    dy = tf.placeholder(tf.float64, y.shape)
    (dx,) = tf.gradients(y, [x], grad_ys=dy)
    g = tf.placeholder(tf.float64, x.shape)
    (ddy,) = tf.gradients(dx, [dy], grad_ys=g)
    with tf.Session():
        error = compute_gradient_error(g, x.shape.as_list(), ddy, y.shape.as_list(),
                                       x_init_value=rng(8).randn(1, 4, 5, 2),
                                       extra_feed_dict={dy: rng(9).randn(*y.shape.as_list())})
    assert error < 1e-8


@pytest.mark.parametrize("name", ["relu", "relu6", "elu", "selu", "softplus", "softsign",
                                  "leaky_relu", "softmax", "log_softmax", "l2_loss"])
def test_activation_gradient_check(name):
    fn = getattr(tf.nn, name)
    # Away from the kinks (0 and 6), where the derivative is defined.
    values = [rng(1).uniform(0.1, 2.5, (3, 4)) * rng(2).choice([-1, 1, 3], (3, 4))]
    out_shape = [] if name == "l2_loss" else None
    assert grad_error(fn, [(3, 4)], values=values, out_shape=out_shape) < 1e-6


@pytest.mark.parametrize("name", ["relu", "relu6", "elu", "selu", "softplus", "softsign",
                                  "leaky_relu"])
def test_activation_second_derivative(name):
    """The gradient ops (ReluGrad, EluGrad, ...) are differentiable in both inputs."""
    x = tf.placeholder(tf.float64, (2, 5))
    (dx,) = tf.gradients(tf.reduce_sum(getattr(tf.nn, name)(x) ** 2), [x])
    values = [rng(1).uniform(0.2, 2.5, (2, 5)) * rng(2).choice([-1, 1, 3], (2, 5))]
    with tf.Session():
        assert compute_gradient_error(x, [2, 5], dx, [2, 5], x_init_value=values[0]) < 1e-5


def test_softmax_along_other_axes():
    xv = rng(0).randn(3, 4, 2)
    y = run(tf.nn.softmax(tf.constant(xv), axis=1))
    e = np.exp(xv - xv.max(1, keepdims=True))
    np.testing.assert_allclose(y, e / e.sum(1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(run(tf.nn.log_softmax(xv, dim=0)),
                               xv - np.log(np.exp(xv).sum(0, keepdims=True)), rtol=1e-12)
    assert grad_error(lambda t: tf.nn.softmax(t, axis=0), [(3, 4)]) < 1e-6
    with pytest.raises(ValueError, match="Cannot specify both 'dim' and 'axis'"):
        tf.nn.softmax(xv, axis=1, dim=1)


def _normalized(shape, seed):
    labels = rng(seed).rand(*shape)
    return labels / labels.sum(-1, keepdims=True)


def test_cross_entropy_gradient_checks():
    labels = _normalized((3, 4), 1)

    def v2(logits, lab):
        return tf.nn.softmax_cross_entropy_with_logits_v2(labels=lab, logits=logits)

    assert grad_error(v2, [(3, 4), (3, 4)], values=[rng(0).randn(3, 4), labels]) < 1e-6

    def sparse(logits):
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 3, 1], logits=logits)

    assert grad_error(sparse, [(3, 4)]) < 1e-6

    def sigmoid(logits, lab):
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=lab, logits=logits)

    assert grad_error(sigmoid, [(3, 4), (3, 4)], values=[rng(0).randn(3, 4) * 3, labels]) < 1e-6

    def rank3(logits):  # not 2-D: built from log_softmax, same loss
        return tf.nn.softmax_cross_entropy_with_logits_v2(labels=_normalized((2, 3, 4), 2),
                                                          logits=logits)

    assert grad_error(rank3, [(2, 3, 4)]) < 1e-6


def test_cross_entropy_second_derivative():
    """d/dlogits of (dloss/dlogits . v): the softmax Jacobian term of the fused gradient."""
    for sparse in (False, True):
        tf.reset_default_graph()
        logits = tf.placeholder(tf.float64, (3, 4))
        if sparse:
            loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 0, 3], logits=logits)
        else:
            loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=_normalized((3, 4), 3),
                                                              logits=logits)
        (g,) = tf.gradients(loss, [logits])
        y = tf.reduce_sum(g * rng(7).randn(3, 4))
        with tf.Session():
            assert compute_gradient_error(logits, [3, 4], y, [],
                                          x_init_value=rng(0).randn(3, 4)) < 1e-6


def test_lrn_bias_add_and_normalization_gradient_checks():
    def lrn(x):
        return tf.nn.lrn(x, depth_radius=2, bias=1.5, alpha=0.3, beta=0.75)

    assert grad_error(lrn, [(1, 2, 2, 7)]) < 1e-6
    assert grad_error(lambda x, b: tf.nn.bias_add(x, b), [(2, 3, 4), (4,)]) < 1e-6
    assert grad_error(lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"),
                      [(2, 4, 3, 2), (4,)]) < 1e-6
    assert grad_error(lambda x: tf.nn.l2_normalize(x, axis=1), [(3, 4)]) < 1e-5
    assert grad_error(lambda x: tf.nn.moments(x, [0, 1])[1], [(3, 4, 2)]) < 1e-6
    assert grad_error(lambda x: tf.nn.moments(x, [0], keep_dims=True)[0], [(3, 4)]) < 1e-6

    def batch_norm(x, mean, variance, offset, scale):
        return tf.nn.batch_normalization(x, mean, variance, offset, scale, 1e-3)

    shapes = [(4, 3), (3,), (3,), (3,), (3,)]
    values = [rng(i).uniform(-1, 1, s) for i, s in enumerate(shapes)]
    values[2] = np.abs(values[2]) + 0.5
    assert grad_error(batch_norm, shapes, values=values) < 1e-5
    assert grad_error(lambda x, w, b: tf.nn.xw_plus_b(x, w, b), [(2, 3), (3, 4), (4,)]) < 1e-6


def test_bias_add_second_derivative_and_shapes():
    x = tf.placeholder(tf.float32, [None, 5, 5, 3])
    y = tf.nn.bias_add(x, tf.constant([1.0, 2.0, 3.0]))
    assert repr(y) == 'Tensor("BiasAdd:0", shape=(?, 5, 5, 3), dtype=float32)'
    b = tf.placeholder(tf.float64, [3])
    xv = tf.constant(rng(0).randn(2, 3))
    (db,) = tf.gradients(tf.reduce_sum(tf.nn.bias_add(xv, b) ** 2), [b])
    with tf.Session():
        assert compute_gradient_error(b, [3], db, [3], x_init_value=rng(1).randn(3)) < 1e-6
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([4]))
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        tf.nn.bias_add(tf.ones([3]), tf.ones([3]))


# ----------------------------------------------------------------------------------------
# Dropout
# ----------------------------------------------------------------------------------------
def test_dropout_structure_and_names():
    x = tf.placeholder(tf.float32, [None, 14, 14, 32])
    keep_prob = tf.placeholder(tf.float32)
    y = tf.nn.dropout(x, keep_prob)
    assert repr(y) == 'Tensor("dropout/mul:0", shape=(?, 14, 14, 32), dtype=float32)'
    assert tf.nn.dropout(x, keep_prob).name == "dropout_1/mul:0"
    types = {op.name: op.type for op in tf.get_default_graph().get_operations()}
    assert types["dropout/Floor"] == "Floor" and types["dropout/div"] == "RealDiv"
    assert types["dropout/add"] == "Add" and types["dropout/mul"] == "Mul"


def test_dropout_statistics_and_keep_prob_one():
    xv = rng(0).uniform(1, 2, (200, 500)).astype(np.float32)
    x = tf.constant(xv)
    keep_prob = tf.placeholder(tf.float32)
    y = tf.nn.dropout(x, keep_prob)
    with tf.Session() as sess:
        out = sess.run(y, {keep_prob: 0.6})
        kept = out != 0
        assert abs(kept.mean() - 0.6) < 0.01
        np.testing.assert_allclose(out[kept], xv[kept] / np.float32(0.6), rtol=1e-6)
        assert out.dtype == np.float32
        again = sess.run(y, {keep_prob: 0.6})
        assert (again != out).any()  # a fresh mask every run
        np.testing.assert_array_equal(sess.run(y, {keep_prob: 1.0}), xv)
        (dx,) = tf.gradients(y, [x])
        mask_out, grad = sess.run([y, dx], {keep_prob: 0.5})
        np.testing.assert_array_equal(grad, (mask_out != 0) * np.float32(2))
    # A constant keep_prob of 1 returns x itself; rate = 1 - keep_prob is the same dropout.
    assert tf.nn.dropout(x, 1.0) is x
    assert tf.nn.dropout(x, rate=0.0) is x
    out = run(tf.nn.dropout(x, rate=0.25))
    assert abs((out != 0).mean() - 0.75) < 0.01


def test_dropout_noise_shape_and_seed():
    x = tf.ones([300, 4])
    y = tf.nn.dropout(x, 0.5, noise_shape=[300, 1])
    out = run(y)
    assert np.all((out == out[:, :1]))  # whole rows kept or dropped together
    tf.reset_default_graph()
    tf.set_random_seed(3)
    first = run(tf.nn.dropout(tf.ones([50]), 0.5))
    tf.reset_default_graph()
    tf.set_random_seed(3)
    np.testing.assert_array_equal(run(tf.nn.dropout(tf.ones([50]), 0.5)), first)


def test_dropout_errors():
    with pytest.raises(ValueError, match="Cannot specify both 'keep_prob' and 'rate'"):
        tf.nn.dropout(tf.ones([2]), keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match=r"keep_prob must be a scalar tensor or a float in the "
                                         r"range \(0, 1\], got 0"):
        tf.nn.dropout(tf.ones([2]), 0.0)
    with pytest.raises(ValueError, match="x has to be a floating point tensor"):
        tf.nn.dropout(tf.ones([2], tf.int32), 0.5)
    with pytest.raises(ValueError, match="You must provide a rate to dropout."):
        tf.nn.dropout(tf.ones([2]))


# ----------------------------------------------------------------------------------------
# Other tf.nn functions
# ----------------------------------------------------------------------------------------
def test_top_k_and_in_top_k_ties():
    x = tf.constant([[1.0, 3.0, 3.0, 2.0, 3.0], [5.0, 4.0, 3.0, 2.0, 1.0]])
    values, indices = tf.nn.top_k(x, k=3)
    assert values.shape.as_list() == [2, 3] and indices.dtype == tf.int32
    v, i = run([values, indices])
    np.testing.assert_array_equal(v, [[3, 3, 3], [5, 4, 3]])
    np.testing.assert_array_equal(i, [[1, 2, 4], [0, 1, 2]])  # ties: lower index first
    assert tf.nn.top_k(x).values.shape.as_list() == [2, 1]
    hits = tf.nn.in_top_k(x, [4, 2], 1)
    # Class 4 ties for the top (ties count as in); class 2 is third.
    assert run(hits).tolist() == [True, False]
    assert run(tf.nn.in_top_k(x, [7, 2], 3)).tolist() == [False, True]
    with pytest.raises(ValueError, match="input must have last dimension >= k = 6 but is 5"):
        tf.nn.top_k(x, k=6)
    xv = rng(0).permutation(12).reshape(3, 4).astype(np.float64)
    assert grad_error(lambda t: tf.nn.top_k(t, 2).values, [(3, 4)], values=[xv]) < 1e-8


def test_embedding_lookup_zero_fraction_and_xw_plus_b():
    params = rng(0).randn(5, 3).astype(np.float32)
    p = tf.constant(params)
    rows = tf.nn.embedding_lookup(p, [[4, 0], [4, 2]])
    assert rows.shape.as_list() == [2, 2, 3] and rows.op.name == "embedding_lookup"
    np.testing.assert_array_equal(run(rows), params[[[4, 0], [4, 2]]])
    (dp,) = tf.gradients(rows, [p])
    dense = run(dp)  # a dense gradient: row 4 was looked up twice
    np.testing.assert_array_equal(dense[:, 0], [1, 0, 1, 0, 2])
    frac = tf.nn.zero_fraction(tf.nn.relu([-1.0, 2.0, 0.0, 3.0]))
    assert frac.dtype == tf.float32 and run(frac) == 0.5
    xv, wv, bv = rng(1).randn(2, 3), rng(2).randn(3, 4), rng(3).randn(4)
    np.testing.assert_allclose(run(tf.nn.xw_plus_b(xv, wv, bv)), xv @ wv + bv, rtol=1e-12)


def test_float32_stays_float32():
    x = tf.constant(rng(0).randn(2, 6, 6, 3).astype(np.float32))
    w = tf.constant(rng(1).randn(3, 3, 3, 4).astype(np.float32))
    y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    outputs = [y, tf.nn.max_pool(y, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
               tf.nn.avg_pool(y, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
               tf.nn.lrn(y), tf.nn.bias_add(y, tf.ones([4])), tf.nn.l2_loss(y),
               tf.nn.softmax(y), tf.nn.elu(y), tf.nn.selu(y), tf.nn.softplus(y),
               tf.nn.softsign(y), tf.nn.relu6(y), tf.nn.leaky_relu(y),
               tf.nn.l2_normalize(y, 3), tf.nn.moments(y, [0, 1, 2])[1]]
    # (l2_loss is already a scalar: reduce_sum of a scalar trips a BroadcastTo bug, reported)
    grads = tf.gradients(tf.add_n([tf.reduce_sum(o) if o.shape.ndims else o for o in outputs]),
                         [x, w])
    for value in run(outputs + grads):
        assert np.asarray(value).dtype == np.float32
    assert all(o.dtype == tf.float32 for o in outputs + grads)


# ----------------------------------------------------------------------------------------
# Errors, with TensorFlow's messages
# ----------------------------------------------------------------------------------------
def test_conv_and_pool_argument_errors():
    x = tf.placeholder(tf.float32, [1, 5, 5, 3])
    w = tf.ones([2, 2, 3, 4])
    with pytest.raises(ValueError, match="only supports the NHWC tensor format"):
        tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", data_format="NCHW")
    with pytest.raises(ValueError, match="only supports the NHWC tensor format"):
        tf.nn.max_pool(x, [1, 1, 2, 2], [1, 1, 2, 2], "SAME", data_format="NCHW")
    with pytest.raises(ValueError, match="Attr 'padding' of 'Conv2D' Op passed string 'VALIDD' "
                                         "not in: \"SAME\", \"VALID\", \"EXPLICIT\"."):
        tf.nn.conv2d(x, w, [1, 1, 1, 1], "VALIDD")
    with pytest.raises(ValueError, match="passed string 'same' not in"):
        tf.nn.conv2d(x, w, [1, 1, 1, 1], "same")
    with pytest.raises(ValueError, match="Attr 'padding' of 'MaxPool' Op passed string 'VALIDD'"):
        tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALIDD")
    with pytest.raises(ValueError, match="ksize should be of length 1, 2 or 4 but was 5"):
        tf.nn.max_pool(x, [1, 2, 2, 1, 1], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="strides should be of length 1, 2 or 4 but was 3"):
        tf.nn.conv2d(x, w, [1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="does not yet support strides in the batch and depth"):
        tf.nn.conv2d(x, w, [2, 1, 1, 1], "SAME")
    # attribute errors also name the user's line
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(ValueError, match=r"was 3 \(created at test_nn_ops.py:%d\)$" % line):
        tf.nn.max_pool(x, [1, 2, 2], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError) as e:
        tf.nn.conv2d(x, tf.ones([2, 2, 1, 4]), [1, 1, 1, 1], "SAME")
    assert str(e.value).startswith("Dimensions must be equal, but are 3 and 1 for 'Conv2D' "
                                   "(op: 'Conv2D') with input shapes: [1,5,5,3], [2,2,1,4].")
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 6 "
                                         "from 5 for 'MaxPool'"):
        tf.nn.max_pool(x, [1, 6, 6, 1], [1, 2, 2, 1], "VALID")
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.nn.conv2d(tf.ones([5, 5, 3]), w, [1, 1, 1, 1], "SAME")
    with pytest.raises(TypeError, match="Input 'filter' of 'Conv2D' Op has type float64 that "
                                        "does not match type float32 of argument 'input'."):
        tf.nn.conv2d(x, tf.ones([2, 2, 3, 4], tf.float64), [1, 1, 1, 1], "SAME")
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.nn.softmax(tf.constant([1, 2]))
    # TF 1.15 also accepts an int or a pair for strides and ksize.
    assert tf.nn.conv2d(x, w, 2, "SAME").shape.as_list() == [1, 3, 3, 4]
    assert tf.nn.max_pool(x, 2, [2, 2], "SAME").shape.as_list() == [1, 3, 3, 3]
    assert tf.nn.conv2d(x, filters=w, strides=[1, 1, 1, 1], padding=b"VALID").shape[1] == 4


def test_cross_entropy_argument_errors():
    logits, labels = tf.ones([2, 3]), tf.ones([2, 3])
    message = (r"Only call `softmax_cross_entropy_with_logits` with named arguments "
               r"\(labels=..., logits=..., ...\)")
    with pytest.raises(ValueError, match=message):
        tf.nn.softmax_cross_entropy_with_logits(labels, logits)
    with pytest.raises(ValueError, match="Only call `sparse_softmax_cross_entropy_with_logits`"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([0, 1], logits)
    with pytest.raises(ValueError, match="Only call `sigmoid_cross_entropy_with_logits`"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels, logits)
    with pytest.raises(ValueError, match="Both labels and logits must be provided."):
        tf.nn.softmax_cross_entropy_with_logits(logits=logits)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.ones([2, 4]), logits=logits)
    with pytest.raises(ValueError, match="Rank mismatch: Rank of labels"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.ones([2, 1], tf.int32),
                                                       logits=logits)
    with pytest.raises(ValueError, match="logits and labels must have the same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones([2, 4]), logits=logits)
    bad = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 7], logits=logits)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Received a label value of 7 which "
                                                             r"is outside the valid range of \[0, 3\)"):
        run(bad)
