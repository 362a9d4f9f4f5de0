"""Bad input gets a clear error, and an error loses nothing (issue 6, "Bad input, hardened").

- tf.check_numerics / tf.add_check_numerics_ops / tf.debugging: NaN and Inf raise
  InvalidArgumentError naming the check, its line and the line that created the checked
  tensor; NaN feeds themselves are fine. tf.Print and the tf.assert_* family.
- Feeds of the wrong shape, rank or an uncastable dtype: ValueError naming the tensor.
- Shape mismatches at graph building: ValueError with both shapes, the op and the user's line.
- Unknown keyword arguments: TypeError naming them. Impossible attributes: clear errors.
- Run-time failures inside kernels: InvalidArgumentError naming the op and its line, and the
  Session (and the variables) come out of it intact.
"""
import inspect

import numpy as np
import pytest

import tinygraph as tf
import tinygraph.debugging  # noqa: F401 - tf.debugging, until tinygraph/__init__ imports it
import tinygraph.nn  # noqa: F401 - tf.nn
from tinygraph.ops import debug_ops
from tinygraph.ops.debug_ops import (Print, add_check_numerics_ops, assert_equal,
                                     assert_less, assert_positive, check_numerics)

FILE = "test_hardening.py"


def here():
    """The caller's line number: `line = here() + 1` names the line below it."""
    return inspect.currentframe().f_back.f_lineno


def created_at(line):
    return "(created at %s:%d)" % (FILE, line)


def defined_at(op_name, line):
    return "[[node %s (defined at %s:%d) ]]" % (op_name, FILE, line)


# ----------------------------------------------------------------------------------------
# check_numerics and friends
# ----------------------------------------------------------------------------------------
def test_namespace_exports_the_debugging_api():
    # Needs tinygraph/__init__.py: `from tinygraph.ops.debug_ops import *` and
    # `from tinygraph import debugging`.
    for name in debug_ops.__all__:
        assert getattr(tf, name) is getattr(debug_ops, name), name
    assert tf.debugging.check_numerics is check_numerics
    assert tf.debugging.is_nan is tf.is_nan


def test_nan_feeds_are_allowed_unless_checked():
    x = tf.placeholder(tf.float32, [3])
    y = x * 2.0
    with tf.Session() as sess:
        value = sess.run(y, {x: [1.0, np.nan, np.inf]})
    np.testing.assert_array_equal(value, np.float32([2.0, np.nan, np.inf]))


def test_check_numerics_passes_finite_values_through():
    x = tf.placeholder(tf.float32, [None, 2])
    checked = check_numerics(x, "bad x")
    assert checked.op.type == "CheckNumerics" and checked.op.name == "CheckNumerics"
    assert checked.op.get_attr("message") == "bad x"
    assert checked.dtype == tf.float32 and checked.shape.as_list() == [None, 2]
    assert check_numerics(x, "again", name="named").op.name == "named"
    with tf.Session() as sess:
        value = sess.run(checked, {x: [[1.0, -2.0]]})
    assert value.dtype == np.float32
    np.testing.assert_array_equal(value, [[1.0, -2.0]])


@pytest.mark.parametrize("values,kind", [([1.0, 0.0, 2.0], "Inf"), ([1.0, -1.0, 2.0], "NaN"),
                                         ([0.0, -1.0, 2.0], "Inf and NaN")])
def test_check_numerics_names_the_check_and_the_checked_tensor(values, kind):
    x = tf.placeholder(tf.float32, [3])
    log_line = here() + 1
    y = tf.log(x)
    check_line = here() + 1
    checked = check_numerics(y, "log of x")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(checked, {x: values})
        message = str(info.value)
        assert message.startswith("log of x : Tensor had %s values" % kind)
        assert "checked tensor Log:0 (defined at %s:%d)" % (FILE, log_line) in message
        assert defined_at("CheckNumerics", check_line) in message
        assert info.value.op is checked.op
        # The session is still usable.
        np.testing.assert_allclose(sess.run(checked, {x: [1.0, 1.0, np.e]}), [0, 0, 1],
                                   atol=1e-6)


def test_check_numerics_on_constants_runs_at_run_time_every_time():
    checked = check_numerics(tf.constant([1.0, np.nan]), "constant")
    with tf.Session() as sess:
        for _ in range(2):  # never folded away when the plan is compiled, never cached
            with pytest.raises(tf.errors.InvalidArgumentError, match="constant : Tensor had NaN"):
                sess.run(checked)
    assert debug_ops.CheckNumerics.stateful


def test_check_numerics_float64_and_large_finite_values():
    # Sums of huge finite values overflow to inf: the check must still say "finite".
    big = np.full(4, np.finfo(np.float32).max, np.float32)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(check_numerics(tf.constant(big), "m")), big)
        x = tf.constant([1.0, np.inf], tf.float64)
        with pytest.raises(tf.errors.InvalidArgumentError, match="m64 : Tensor had Inf values"):
            sess.run(check_numerics(x, "m64"))


def test_check_numerics_refuses_non_float_tensors():
    with pytest.raises(TypeError, match="Value passed to parameter 'tensor' has DataType int32 "
                                        "not in list of allowed values"):
        check_numerics(tf.constant([1, 2]), "ints")
    with pytest.raises(TypeError, match="message"):
        check_numerics(tf.constant([1.0]), None)


def test_check_numerics_gradient_is_checked_too():
    x = tf.placeholder(tf.float32, [2])
    w = tf.placeholder(tf.float32, [2])
    y = check_numerics(x, "forward") * w
    (dx,) = tf.gradients(y, x)
    assert dx.op.type == "CheckNumerics"
    checks = [op for op in tf.get_default_graph().get_operations()
              if op.type == "CheckNumerics" and op.name.startswith("gradients/")]
    assert [op.name for op in checks] == ["gradients/CheckNumerics_grad/CheckNumerics"]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(dx, {x: [1, 2], w: [3, 4]}), [3, 4])
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(dx, {x: [1, 2], w: [np.nan, 4]})
    assert str(info.value).startswith("Not a number (NaN) or infinity (Inf) values detected in "
                                      "gradient. forward : Tensor had NaN values")


def test_verify_tensor_all_finite_and_tf_debugging():
    x = tf.placeholder(tf.float32, [2])
    y = tf.debugging.assert_all_finite(x, "x must be finite")
    assert y.op.type == "Identity" and y.op.name == "VerifyFinite/control_dependency"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1, 2]}), [1, 2])
        with pytest.raises(tf.errors.InvalidArgumentError, match="x must be finite : Tensor had"):
            sess.run(y, {x: [1, np.inf]})
        z = tf.debugging.check_numerics(x, "debugging")
        with pytest.raises(tf.errors.InvalidArgumentError, match="debugging : Tensor had NaN"):
            sess.run(z, {x: [np.nan, 1]})


def test_add_check_numerics_ops_checks_every_float_tensor():
    x = tf.placeholder(tf.float32, [2], name="x")
    n = tf.placeholder(tf.int32, [2], name="n")
    log_line = here() + 1
    y = tf.log(x)
    z = tf.reduce_sum(y * tf.cast(n, tf.float32))
    float_outputs = [t for op in tf.get_default_graph().get_operations() for t in op.outputs
                     if t.dtype == tf.float32]
    check_line = here() + 1
    check_all = add_check_numerics_ops()
    assert check_all.type == "NoOp" and check_all.name == "group_deps"
    checks = [op for op in tf.get_default_graph().get_operations()
              if op.type == "CheckNumerics"]
    assert [c.inputs[0] for c in checks] == float_outputs
    assert [c.get_attr("message") for c in checks][:2] == ["x:0", "Log:0"]
    # Chained as TF1 does: each check waits for the previous one, the group for the last.
    assert all(b.control_inputs == [a] for a, b in zip(checks, checks[1:]))
    assert check_all.control_inputs == [checks[-1]]
    with tf.Session() as sess:
        assert sess.run([z, check_all], {x: [1.0, 2.0], n: [1, 2]})[0] == pytest.approx(
            2 * np.log(2.0))
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run([z, check_all], {x: [0.0, 2.0], n: [1, 2]})
        message = str(info.value)
        assert message.startswith("Log:0 : Tensor had Inf values")
        assert "checked tensor Log:0 (defined at %s:%d)" % (FILE, log_line) in message
        assert defined_at(checks[1].name, check_line) in message
        # NaN fed but not fetched through the checks: fine.
        sess.run(z, {x: [np.nan, 1.0], n: [1, 2]})


def test_add_check_numerics_ops_leaves_variables_and_assignments_alone():
    v = tf.Variable([1.0, 2.0], name="v")
    bump = tf.assign_add(v, [10.0, 10.0])
    loss = tf.reduce_sum(v * 2.0)
    check_all = add_check_numerics_ops()
    checked = {op.inputs[0].op.type for op in tf.get_default_graph().get_operations()
               if op.type == "CheckNumerics"}
    assert "VariableV2" not in checked and "Assign" not in checked and "AssignAdd" not in checked
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(bump)
        sess.run([loss, check_all])
        sess.run(check_all)
        # Running the checks neither re-ran the initializer nor the assign_add.
        np.testing.assert_array_equal(sess.run(v), [11.0, 12.0])


def test_add_check_numerics_ops_refuses_cond():
    x = tf.placeholder(tf.float32, [])
    tf.cond(x > 0, lambda: x * 2.0, lambda: x - 1.0)
    with pytest.raises(ValueError, match="not compatible with TensorFlow control flow"):
        add_check_numerics_ops()


def test_print_passes_its_input_and_prints_data(capfd):
    x = tf.placeholder(tf.float32, [3])
    printed = Print(x, [x, tf.log(x)], "values: ", summarize=2, first_n=2)
    assert printed.op.type == "Print" and printed.op.name == "Print"
    assert printed.shape.as_list() == [3] and printed.dtype == tf.float32
    y = printed * 2.0
    (dx,) = tf.gradients(y, x)
    feed = {x: [1.0, 2.0, 3.0]}
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, feed), [2, 4, 6])
        np.testing.assert_array_equal(sess.run([dx, y], feed)[0], [2, 2, 2])  # another plan
        np.testing.assert_array_equal(sess.run(y, feed), [2, 4, 6])
    # first_n=2 counts the runs of the op in the session, whichever fetches ran it.
    assert capfd.readouterr().err.splitlines() == ["values: [1 2...][0 0.693147182...]"] * 2
    with tf.Session() as sess:
        sess.run(printed, feed)
    assert capfd.readouterr().err.splitlines() == ["values: [1 2...][0 0.693147182...]"]


def test_assert_family():
    x = tf.placeholder(tf.float32, [3])
    positive = assert_positive(x)
    less = assert_less(x, 10.0)
    with tf.Session() as sess:
        sess.run([positive, less], {x: [1.0, 2.0, 3.0]})
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(positive, {x: [1.0, -2.0, 3.0]})
        assert "Condition x > 0 did not hold element-wise:" in str(info.value)
        assert "[1 -2 3]" in str(info.value)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x < y did not hold"):
            sess.run(less, {x: [1.0, 20.0, 3.0]})
        n = tf.placeholder(tf.int32, [2])
        equal = assert_equal(n, [1, 2], message="n is off")
        sess.run(equal, {n: [1, 2]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"assertion failed: \[n is off\] \[Condition x == y did not "
                                 r"hold element-wise:\] \[x \(Placeholder_1:0\) = \] \[1 3\]"):
            sess.run(equal, {n: [1, 3]})
    # Known constants that differ fail while building, as in TF1.
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y"):
        assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))


# ----------------------------------------------------------------------------------------
# Feeds
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,pattern", [
    (np.zeros((2, 4)), r"Cannot feed value of shape \(2, 4\) for Tensor 'x:0', which has "
                       r"shape '\(\?, 3\)'"),
    (np.zeros(3), r"Cannot feed value of shape \(3,\) for Tensor 'x:0'"),
    (np.zeros((1, 1, 3)), r"Cannot feed value of shape \(1, 1, 3\) for Tensor 'x:0'"),
    ("abc", r"Cannot feed value of type str for Tensor 'x:0', which has dtype float32"),
    ([["a", "b", "c"]], r"for Tensor 'x:0', which has dtype float32"),
    ([[1.0, 2.0, 3.0], [1.0, 2.0]], r"for Tensor 'x:0'"),
    (object(), r"for Tensor 'x:0'"),
])
def test_bad_feeds_are_value_errors_naming_the_tensor(value, pattern):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match=pattern):
            sess.run(x * 2.0, {x: value})
        # The session is fine afterwards.
        np.testing.assert_array_equal(sess.run(x * 2.0, {x: [[1, 2, 3]]}), [[2, 4, 6]])


def test_fractional_feed_into_int_is_refused():
    n = tf.placeholder(tf.int32, [2], name="n")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="fractional values for Tensor 'n:0'"):
            sess.run(n, {n: [1.5, 2.0]})


def test_out_of_range_int_feed_is_a_value_error():
    n = tf.placeholder(tf.int32, [2], name="n")
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="Tensor 'n:0'"):
            sess.run(n, {n: [2 ** 40, 1]})


def test_feed_errors_for_keys_and_values():
    x = tf.placeholder(tf.float32, [2], name="x")
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor"):
            sess.run(x, {x: tf.constant([1.0, 2.0])})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: The name "
                                            "'nope:0' refers to a Tensor which does not exist"):
            sess.run(x, {"nope:0": [1.0, 2.0]})
        np.testing.assert_array_equal(sess.run(x, {"x:0": [1.0, 2.0]}), [1, 2])


def test_missing_feed_names_the_placeholder_and_its_line():
    line = here() + 1
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(x * 2.0)
    assert str(info.value) == ("You must feed a value for placeholder tensor 'x' with dtype "
                               "float and shape [?,3]\n\t " + defined_at("x", line))


def test_closed_session_and_uninitialized_variable():
    line = here() + 1
    v = tf.Variable([1.0], name="weights")
    sess = tf.Session()
    with pytest.raises(tf.errors.FailedPreconditionError) as info:
        sess.run(v * 2.0)
    assert str(info.value).startswith("Attempting to use uninitialized value weights")
    assert defined_at("weights", line) in str(info.value)
    sess.run(v.initializer)
    assert sess.run(v * 2.0) == pytest.approx([2.0])
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        sess.run(v)


# ----------------------------------------------------------------------------------------
# Shape mismatches while building
# ----------------------------------------------------------------------------------------
def _build_error(build):
    """The ValueError `build()` raises, and the line it was raised from (the caller's)."""
    with pytest.raises(ValueError) as info:
        build()
    return str(info.value)


def test_matmul_shape_mismatch():
    line = here() + 1
    message = _build_error(lambda: tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 5])))
    assert message == ("Dimensions must be equal, but are 3 and 4 for 'MatMul' (op: 'MatMul') "
                       "with input shapes: [2,3], [4,5]. " + created_at(line))


def test_add_shape_mismatch_function_and_operator():
    line = here() + 1
    message = _build_error(lambda: tf.add(tf.zeros([2, 3]), tf.zeros([4, 5])))
    assert "for 'Add' (op: 'Add') with input shapes: [2,3], [4,5]. " + created_at(line) in message
    line = here() + 1
    message = _build_error(lambda: tf.zeros([2, 3]) + tf.zeros([4, 3]))
    # 'add_1': names are unique case-insensitively, and 'Add' is taken.
    assert message == ("Dimensions must be equal, but are 2 and 4 for 'add_1' (op: 'Add') with "
                       "input shapes: [2,3], [4,3]. " + created_at(line))


def test_concat_shape_mismatch():
    line = here() + 1
    message = _build_error(lambda: tf.concat([tf.zeros([2, 3]), tf.zeros([4, 5])], 0))
    # TF's wording: the dims after the axis are compared as a subshape.
    assert message == ("Dimension 0 in both shapes must be equal, but are 3 and 5. Shapes are "
                       "[3] and [5]. for 'concat' (op: 'ConcatV2') with input shapes: [2,3], "
                       "[4,5], []. " + created_at(line))


def test_conv2d_shape_mismatches():
    x = tf.zeros([1, 5, 5, 3])
    line = here() + 1
    message = _build_error(lambda: tf.nn.conv2d(x, tf.zeros([3, 3, 4, 8]), [1, 1, 1, 1], "SAME"))
    assert message == ("Dimensions must be equal, but are 3 and 4 for 'Conv2D' (op: 'Conv2D') "
                       "with input shapes: [1,5,5,3], [3,3,4,8]. " + created_at(line))
    line = here() + 1
    message = _build_error(lambda: tf.nn.conv2d(x, tf.zeros([3, 3, 3]), [1, 1, 1, 1], "SAME"))
    assert message == ("Shape must be rank 4 but is rank 3 for 'Conv2D_1' (op: 'Conv2D') with "
                       "input shapes: [1,5,5,3], [3,3,3]. " + created_at(line))
    message = _build_error(lambda: tf.nn.conv2d(tf.zeros([5, 5, 3]), tf.zeros([3, 3, 3, 8]),
                                                [1, 1, 1, 1], "SAME"))
    assert "Shape must be rank 4 but is rank 3" in message and "[5,5,3], [3,3,3,8]" in message
    message = _build_error(lambda: tf.nn.conv2d(tf.zeros([1, 2, 2, 3]), tf.zeros([3, 3, 3, 8]),
                                                [1, 1, 1, 1], "VALID"))
    assert "Negative dimension size caused by subtracting 3 from 2" in message


def test_dtype_mismatches_are_type_errors():
    with pytest.raises(TypeError, match="Input 'b' of 'MatMul' Op has type float64 that does not "
                                        "match type float32 of argument 'a'"):
        tf.matmul(tf.zeros([2, 2]), tf.zeros([2, 2], tf.float64))
    with pytest.raises(TypeError, match="Input 'y' of 'Add' Op has type float64"):
        tf.zeros([2]) + tf.zeros([2], tf.float64)


# ----------------------------------------------------------------------------------------
# Unknown keyword arguments and impossible attributes
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,keyword", [
    (lambda x: tf.nn.conv2d(x, tf.zeros([2, 2, 1, 1]), stride=[1, 1, 1, 1], padding="SAME"),
     "stride"),
    (lambda x: tf.reduce_sum(x, axes=1), "axes"),
    (lambda x: tf.reduce_mean(x, keep_dim=True), "keep_dim"),
    (lambda x: tf.nn.max_pool(x, ksize=[1, 2, 2, 1], stride=[1, 1, 1, 1], padding="SAME"),
     "stride"),
    (lambda x: tf.matmul(x, x, transpose=True), "transpose"),
    (lambda x: tf.nn.softmax(x, dims=1), "dims"),
    (lambda x: tf.concat([x, x], axes=0), "axes"),
    (lambda x: tf.reshape(x, shap=[3]), "shap"),
    (lambda x: tf.constant(1, shap=[1]), "shap"),
    (lambda x: tf.placeholder(tf.float32, shap=[1]), "shap"),
    (lambda x: tf.Variable(1.0, nme="a"), "nme"),
    (lambda x: tf.layers.dense(tf.zeros([2, 3]), 3, activations=tf.nn.relu), "activations"),
    (lambda x: check_numerics(x, "m", msg="m"), "msg"),
])
def test_unknown_keyword_argument_is_a_type_error_naming_it(call, keyword):
    x = tf.zeros([1, 4, 4, 1])
    with pytest.raises(TypeError, match="unexpected keyword argument '%s'" % keyword):
        call(x)


@pytest.mark.parametrize("build,pattern", [
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [1, -1, -1, 1], "SAME"),
     r"Conv2D requires positive strides .* strides=\[1, -1, -1, 1\]"),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [1, 0, 0, 1], "SAME"),
     r"Conv2D requires positive strides .* strides=\[1, 0, 0, 1\]"),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [1, 1, 1], "SAME"),
     r"strides should be of length 1, 2 or 4 but was 3"),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [1, 1, 1, 1], "VALIDD"),
     r"""Attr 'padding' of 'Conv2D' Op passed string 'VALIDD' not in: "SAME", "VALID\""""),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [1, 1, 1, 1], "same"),
     r"Attr 'padding' of 'Conv2D' Op passed string 'same'"),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [2, 1, 1, 1], "SAME"),
     r"does not yet support strides in the batch and depth dimensions"),
    (lambda x: tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [1, 1, 1, 1], "SAME",
                            data_format="NCHW"),
     r"only supports the NHWC tensor format"),
    (lambda x: tf.nn.max_pool(x, [1, 2, 2, 1, 1], [1, 1, 1, 1], "SAME"),
     r"ksize should be of length 1, 2 or 4 but was 5"),
    (lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, -2, -2, 1], "SAME"),
     r"MaxPool requires positive ksize and strides"),
    (lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 0, 0, 1], "SAME"),
     r"AvgPool requires positive ksize and strides"),
    (lambda x: tf.nn.max_pool(x, [1, -2, 2, 1], [1, 1, 1, 1], "SAME"),
     r"MaxPool requires positive ksize"),
    (lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 1, 1, 1], "VALIDD"),
     r"Attr 'padding' of 'AvgPool' Op passed string 'VALIDD'"),
    (lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [2, 1, 1, 1], "SAME"),
     r"Pooling is not yet supported on the batch dimension"),
    (lambda x: tf.nn.max_pool(x, [1, 2, 2, 2], [1, 1, 1, 1], "SAME"),
     r"Pooling across the depth dimension is not supported"),
    (lambda x: tf.nn.max_pool(x, [1, 7, 7, 1], [1, 1, 1, 1], "VALID"),
     r"Negative dimension size caused by subtracting 7 from 5 for 'MaxPool'"),
])
def test_impossible_attributes_are_value_errors(build, pattern):
    with pytest.raises(ValueError, match=pattern):
        build(tf.zeros([1, 5, 5, 3]))


def test_padding_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="Expected string for argument 'padding' not None"):
        tf.nn.conv2d(tf.zeros([1, 5, 5, 3]), tf.zeros([3, 3, 3, 8]), [1, 1, 1, 1], None)


# ----------------------------------------------------------------------------------------
# Run-time failures: clear, and the Session survives them
# ----------------------------------------------------------------------------------------
def _run_error(sess, fetch, feed):
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(fetch, feed)
    return info.value


def test_runtime_kernel_errors_name_the_op_and_the_line():
    a = tf.placeholder(tf.float32, [None, None], name="a")
    b = tf.placeholder(tf.float32, [None, None], name="b")
    i = tf.placeholder(tf.int32, [None], name="i")
    lines = {}
    lines["Reshape"] = here() + 1
    reshaped = tf.reshape(a, [-1, 5])
    lines["MatMul"] = here() + 1
    product = tf.matmul(a, b)
    lines["concat"] = here() + 1
    joined = tf.concat([a, b], 0)
    lines["GatherV2"] = here() + 1
    gathered = tf.gather(tf.ones([3]), i)
    lines["add"] = here() + 1
    total = a + b
    bad = {a: np.ones((2, 3)), b: np.ones((4, 2)), i: [5]}
    with tf.Session() as sess:
        for fetch, expected in [(reshaped, "Input to reshape is a tensor with 6 values, but the "
                                           "requested shape requires a multiple of 5"),
                                (product, "matmul"),
                                (joined, "Dimension 1 in both shapes must be equal"),
                                (gathered, r"indices[0] = 5 is not in [0, 3)"),
                                (total, "broadcast")]:
            error = _run_error(sess, fetch, bad)
            assert error.op is fetch.op
            assert expected in str(error)
            assert str(error).endswith(defined_at(fetch.op.name, lines[fetch.op.name]))
        good = {a: np.ones((2, 5)), b: np.ones((5, 2)), i: [2]}
        assert sess.run(reshaped, good).shape == (2, 5)
        np.testing.assert_array_equal(sess.run(product, good), np.full((2, 2), 5.0))
        assert sess.run(gathered, good).tolist() == [1.0]


def test_a_failing_training_step_loses_nothing():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[0.5], [-1.0], [2.0]], name="w")
    b = tf.Variable(0.25, name="b")
    untouched = tf.Variable([7.0, 8.0], name="untouched")
    step = tf.train.get_or_create_global_step()
    # Rows of 2 regrouped into rows of 3: a batch of 2 rows (4 values) cannot be.
    features = tf.reshape(x, [-1, 3])
    prediction = tf.matmul(features, w) + b
    loss = tf.reduce_mean(tf.square(prediction - 1.0))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    good = np.arange(6, dtype=np.float32).reshape(3, 2) / 10
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run([w, b, untouched, step])
        for _ in range(2):  # a failure, a failure again (the cached plan), then success
            error = _run_error(sess, [train, loss], {x: np.ones((2, 2), np.float32)})
            assert "Input to reshape is a tensor with 4 values" in str(error)
            after = sess.run([w, b, untouched, step])
            for old, new in zip(before, after):
                np.testing.assert_array_equal(old, new)
        _, loss_value = sess.run([train, loss], {x: good})
        new_w, new_b, new_untouched, new_step = sess.run([w, b, untouched, step])
    # One gradient-descent step, by hand.
    f = good.reshape(-1, 3).astype(np.float64)
    residual = f @ before[0] + before[1] - 1.0
    assert loss_value == pytest.approx(np.mean(residual ** 2), rel=1e-6)
    grad_w = 2 * f.T @ residual / len(residual)
    grad_b = 2 * residual.mean()
    np.testing.assert_allclose(new_w, before[0] - 0.1 * grad_w, rtol=1e-6)
    assert new_b == pytest.approx(before[1] - 0.1 * grad_b, rel=1e-6)
    np.testing.assert_array_equal(new_untouched, [7.0, 8.0])
    assert new_step == 1


def test_an_error_in_one_fetch_does_not_poison_other_plans():
    x = tf.placeholder(tf.float32, [None])
    y = tf.reshape(x, [2, -1])
    z = x * 3.0
    with tf.Session() as sess:
        _run_error(sess, y, {x: [1.0, 2.0, 3.0]})
        np.testing.assert_array_equal(sess.run(z, {x: [1.0, 2.0, 3.0]}), [3, 6, 9])
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0, 3.0, 4.0]}), [[1, 2], [3, 4]])


# ----------------------------------------------------------------------------------------
# Bugs found while hardening, in modules this file does not own (reported to the lead)
# ----------------------------------------------------------------------------------------
def test_integer_mean_truncates_toward_zero():
    with tf.Session() as sess:
        assert sess.run(tf.reduce_mean(tf.constant([1, 2, -4]))) == 0


def test_transpose_of_a_scalar_is_a_scalar():
    x = tf.placeholder(tf.float32, [])
    with tf.Session() as sess:
        assert sess.run(tf.transpose(x, []), {x: 1.5}).shape == ()


def test_fetched_values_never_alias_the_callers_feed_buffer():
    x = tf.placeholder(tf.float64, [2, 3])
    y = tf.reshape(x, [3, 2])
    flat = np.arange(6.0)
    with tf.Session() as sess:
        out = sess.run(y, {x: flat.reshape(2, 3)})
    flat[0] = 100.0
    assert out[0, 0] == 0.0


@pytest.mark.parametrize("build", [
    lambda t: tf.add(t, t), lambda t: tf.subtract(t, t), lambda t: tf.maximum(t, t),
    lambda t: tf.less(t, t), lambda t: -t, lambda t: tf.reduce_sum(t),
    lambda t: tf.matmul(tf.reshape(t, [1, 2]), tf.reshape(t, [2, 1])),
])
def test_arithmetic_on_bool_is_a_type_error(build):
    with pytest.raises(TypeError, match="DataType bool not in list of allowed values"):
        build(tf.constant([True, False]))


def test_one_hot_refuses_float_indices():
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: uint8, "
                       "int8, int32, int64"):
        tf.one_hot(tf.constant([0.0, 1.0]), 3)


def test_truncatediv_takes_floats():
    # TF 2.21's tf.compat.v1 gives [-3, 3] in float32 here.
    with tf.Session() as sess:
        value = sess.run(tf.truncatediv(tf.constant([-7.0, 7.0]), tf.constant([2.0, 2.0])))
    np.testing.assert_array_equal(value, [-3.0, 3.0])
    assert value.dtype == np.float32

