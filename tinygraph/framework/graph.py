"""Graph, Operation and Tensor: the data structure every other module builds on.

Naming follows TensorFlow 1.x exactly: names are made unique per graph, case-insensitively
(`Conv2D`, `Conv2D_1`, then the scope `conv2d_2`), inside the current name scope.
"""
import contextlib
import os
import re
import sys
import threading

from tinygraph.framework import dtypes as dtypes_module
from tinygraph.framework.registry import ShapeError, get_op_def
from tinygraph.framework.tensor_shape import as_shape

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# TF1's name rules: an op name starts with a letter, digit or '.'; a scope opened inside
# another scope may also start with '_', '-', '/' or '>'.
_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


def _user_frame():
    """(filename, lineno) of the innermost frame outside tinygraph: the user's line."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR) and not filename.startswith("<frozen"):
            return filename, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


def user_location():
    """`script.py:31`: the user's line that is calling into tinygraph right now."""
    filename, lineno = _user_frame()
    return "%s:%d" % (os.path.basename(filename), lineno)


class Tensor:
    """A symbolic output of an Operation. Its value exists only inside `Session.run`."""

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "__weakref__")

    # Make numpy defer to our operators (`np.float32(2) * t` builds an op, not an array).
    __array_priority__ = 100

    def __init__(self, op, value_index, dtype, shape):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = shape

    @property
    def op(self):
        return self._op

    @property
    def value_index(self):
        return self._value_index

    @property
    def dtype(self):
        return self._dtype

    @property
    def graph(self):
        return self._op.graph

    @property
    def name(self):
        return "%s:%d" % (self._op.name, self._value_index)

    @property
    def device(self):
        return ""

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        self._shape = self._shape.merge_with(as_shape(shape))

    def consumers(self):
        return [op for op in self._op.graph.get_operations() if self in op.inputs]

    def eval(self, feed_dict=None, session=None):
        from tinygraph.session import _session_for
        return _session_for(self.graph, session, "Tensor.eval()").run(self, feed_dict)

    def __repr__(self):
        return 'Tensor("%s", shape=%s, dtype=%s)' % (self.name, self._shape, self._dtype.name)

    def __str__(self):
        return self.__repr__()

    # `==` and hashing stay object identity (inherited from `object`), as in TensorFlow 1.x:
    # tensors are dict keys in feed_dict. Not overriding them keeps that hashing in C.

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not "
                        "None:` instead of `if t:` to test if a tensor is defined, and use "
                        "TensorFlow ops such as tf.cond to execute subgraphs conditioned on "
                        "the value of a tensor.")

    def __iter__(self):
        shape = self._shape
        if shape.ndims is None or shape.ndims == 0 or shape[0].value is None:
            raise TypeError("Tensor objects are only iterable when the first dimension is known.")
        from tinygraph.ops import array_ops
        return iter(array_ops.unstack(self))

    def __len__(self):
        raise TypeError("len is not well defined for symbolic Tensors. (%s) Please call "
                        "`x.shape` rather than `len(x)` for shape information." % self.name)


class Operation:
    """A node of the graph: an op type applied to input Tensors, producing output Tensors."""

    def __init__(self, graph, op_type, name, inputs, attrs, control_inputs, location):
        self.graph = graph
        self.type = op_type
        self.name = name
        self._inputs = tuple(inputs)
        self.attrs = attrs
        self._control_inputs = list(control_inputs)
        self.outputs = []
        self.traceback = location  # (filename, lineno) of the user's line
        self.original_op = None  # for gradient ops: the forward op they differentiate
        self._id = None
        self.op_def = get_op_def(op_type)

    @property
    def inputs(self):
        return self._inputs

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    def _add_control_input(self, op):
        self._control_inputs.append(op)
        self.graph._structure_version += 1

    @property
    def location(self):
        """`script.py:31`: where the user's code created this op."""
        filename, lineno = self.traceback
        return "%s:%d" % (os.path.basename(filename), lineno)

    @property
    def device(self):
        return ""

    @property
    def node_def(self):
        return {"name": self.name, "op": self.type, "input": [t.name for t in self._inputs],
                "attr": dict(self.attrs)}

    def get_attr(self, name):
        try:
            return self.attrs[name]
        except KeyError:
            raise ValueError("Operation '%s' has no attr named '%s'." % (self.name, name)) from None

    def run(self, feed_dict=None, session=None):
        from tinygraph.session import _session_for
        _session_for(self.graph, session, "Operation.run()").run(self, feed_dict)

    def __repr__(self):
        return "<tf.Operation '%s' type=%s>" % (self.name, self.type)

    def __str__(self):
        lines = ['name: "%s"' % self.name, 'op: "%s"' % self.type]
        lines += ['input: "%s"' % (t.name[:-2] if t.value_index == 0 else t.name) for t in self._inputs]
        lines += ['input: "^%s"' % op.name for op in self._control_inputs]
        return "\n".join(lines) + "\n"


class _ControlFrame:
    """One `control_dependencies` block: its ops, and the ops created inside it."""

    __slots__ = ("ops", "created")

    def __init__(self, ops):
        self.ops = ops
        self.created = set()


class GraphKeys:
    """Standard collection names."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    METRIC_VARIABLES = "metric_variables"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


class Graph:
    """A TensorFlow computation graph: operations, name scopes and collections."""

    def __init__(self):
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._control_dependencies = []
        self._collections = {}
        self._version = 0
        self._structure_version = 0  # bumped when existing ops change (cached plans go stale)
        self._finalized = False
        self._gradient_origin = None  # the forward op whose gradient is being built
        self._variable_scope_stack = []  # VariableScope objects (tinygraph.ops.variable_scope)
        self._variable_scope_counts = {}
        self._variable_store = {}  # full name -> Variable, for get_variable
        self._dataset_iterators = []
        # The tf.cond branch being built (a tinygraph.ops.cond_ops.CondContext), or None.
        self._cond_context = None
        self.seed = None
        self._last_random_op_seed = 0

    # ----- building -------------------------------------------------------------------------
    def unique_name(self, name, mark_as_used=True):
        """TF1's uniquifier: `name`, `name_1`, ... compared case-insensitively."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base = name
            while name.lower() in self._names_in_use:
                name = "%s_%d" % (base, count)
                count += 1
            if mark_as_used:
                self._names_in_use[name.lower()] = 1
        return name

    def get_name_scope(self):
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Enter a name scope. `name` ending in '/' re-enters it as is; None or '' resets."""
        old = self._name_stack
        if name and not (_VALID_SCOPE_NAME if old else _VALID_OP_NAME).match(name):
            raise ValueError("'%s' is not a valid scope name" % name)
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield new + "/" if new else ""
        finally:
            self._name_stack = old

    def create_op(self, op_type, inputs, attrs=None, name=None, exact_name=False):
        """Add an op; `name` is made unique unless `exact_name` (the caller already did)."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        attrs = attrs or {}
        op_def = get_op_def(op_type)
        if exact_name:
            full_name = name
        elif name and name.endswith("/"):
            full_name = name[:-1]  # a scope name such as "dense/" is used as is (TF1)
        else:
            full_name = self.unique_name(name or op_type)
        if not _VALID_OP_NAME.match(full_name):
            raise ValueError("'%s' is not a valid node name" % full_name)
        for t in inputs:
            if t.graph is not self:
                raise ValueError("Tensor %s must be from the same graph as the op %r being "
                                 "created." % (t, full_name))
        for index in op_def.numeric_inputs:
            if index < len(inputs) and not inputs[index].dtype.is_numeric:
                raise TypeError("Value passed to parameter '%s' has DataType %s not in list of "
                                "allowed values: float16, float32, float64, int32, uint8, int16, "
                                "int8, int64 (op %s '%s')" % ("xy"[index] if index < 2 else index,
                                                            inputs[index].dtype.name, op_type,
                                                            name or op_type))
        control_inputs = self._control_inputs_for(inputs)
        cond_context = self._cond_context
        if cond_context is not None:
            # Inside a tf.cond branch (tinygraph/ops/cond_ops.py): inputs from outside the
            # branch are routed through Switch ops and an op without inputs waits on the
            # branch's pivot, so the ops of the branch not taken only ever see DEAD.
            inputs, control_inputs = cond_context.enter_op(op_def, inputs, control_inputs)
        location = _user_frame()
        op = Operation(self, op_type, full_name, inputs, attrs, control_inputs, location)
        try:
            specs = op_def.infer(list(inputs), **attrs)
        except ShapeError as e:
            shapes = ", ".join(t.shape.bracket_str() for t in inputs)
            raise ValueError("%s for '%s' (op: '%s') with input shapes: %s. (created at %s)"
                             % (e, full_name, op_type, shapes, op.location)) from None
        if not isinstance(specs, list):
            specs = [specs]
        op.outputs = [Tensor(op, i, dtype, as_shape(shape)) for i, (shape, dtype) in enumerate(specs)]
        op.original_op = self._gradient_origin
        op._id = len(self._ops)
        self._ops.append(op)
        self._ops_by_name[full_name] = op
        self._version += 1
        for frame in self._control_dependencies:
            frame.created.add(op)
        if cond_context is not None:
            cond_context.add_op(op)
        return op

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        if control_inputs is None:
            # As TF1: also leave any tf.cond branch being built (initializers made here must
            # not become part of the branch).
            saved, self._control_dependencies = self._control_dependencies, []
            saved_context, self._cond_context = self._cond_context, None
            try:
                yield
            finally:
                self._control_dependencies = saved
                self._cond_context = saved_context
            return
        ops = []
        for c in control_inputs:
            c = self.as_graph_element(c)
            ops.append(c if isinstance(c, Operation) else c.op)
        self._control_dependencies.append(_ControlFrame(ops))
        try:
            yield
        finally:
            self._control_dependencies.pop()

    def _control_inputs_for(self, inputs):
        """TF1's rule for the control inputs of a new op: an op with an input created inside
        a control_dependencies block already waits for that block's ops through it (it is
        "dominated"), and an op never gets a control input it also has as a data input."""
        input_ops = [t.op for t in inputs]
        control_inputs = []
        for frame in self._control_dependencies:
            if any(op in frame.created for op in input_ops):
                continue
            control_inputs.extend(c for c in frame.ops if c not in input_ops
                                  and c not in control_inputs)
        return control_inputs

    @contextlib.contextmanager
    def _gradient_of(self, op):
        """Ops created inside record `op` as their `original_op` (the viewer pairs them)."""
        saved, self._gradient_origin = self._gradient_origin, op
        try:
            yield
        finally:
            self._gradient_origin = saved

    @contextlib.contextmanager
    def device(self, device_name):
        yield

    @contextlib.contextmanager
    def as_default(self):
        _default_graph_stack.append(self)
        try:
            yield self
        finally:
            _default_graph_stack.remove(self)

    def finalize(self):
        self._finalized = True

    @property
    def finalized(self):
        return self._finalized

    @property
    def version(self):
        return self._version

    # ----- lookup ---------------------------------------------------------------------------
    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        try:
            return self._ops_by_name[name]
        except KeyError:
            raise KeyError("The name %r refers to an Operation not in the graph." % name) from None

    def get_tensor_by_name(self, name):
        element = self.as_graph_element(name, allow_operation=False)
        return element

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolve a Tensor, Operation, Variable or name ('x:0', 'train') in this graph."""
        if isinstance(obj, str):
            if ":" in obj:
                op_name, _, index = obj.rpartition(":")
                op = self._ops_by_name.get(op_name)
                if op is None:
                    raise KeyError("The name %r refers to a Tensor which does not exist. The "
                                   "operation, %r, does not exist in the graph." % (obj, op_name))
                if not index.isdigit() or int(index) >= len(op.outputs):
                    raise KeyError("The name %r refers to a Tensor which does not exist. The "
                                   "operation, %r, exists but only has %d outputs."
                                   % (obj, op_name, len(op.outputs)))
                return op.outputs[int(index)]
            if not allow_operation:
                raise ValueError("The name %r looks like an (invalid) Operation name, not a "
                                 "Tensor. Tensor names must be of the form "
                                 "\"<op_name>:<output_index>\"." % obj)
            op = self._ops_by_name.get(obj)
            if op is None:
                raise KeyError("The name %r refers to an Operation not in the graph." % obj)
            return op
        graph_element = getattr(obj, "_as_graph_element", None)
        if graph_element is not None:
            obj = graph_element()
        if isinstance(obj, Tensor):
            if obj.graph is not self:
                raise ValueError("Tensor %s is not an element of this graph." % (obj,))
            return obj
        if isinstance(obj, Operation):
            if obj.graph is not self:
                raise ValueError("Operation %r is not an element of this graph." % (obj,))
            return obj
        raise TypeError("Can not convert a %s into a Tensor or Operation." % type(obj).__name__)

    # ----- collections ----------------------------------------------------------------------
    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        for name in ([names] if isinstance(names, str) else names):
            self.add_to_collection(name, value)

    def get_collection(self, name, scope=None):
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        import re
        pattern = re.compile(scope)
        # As in TF1, items without a `name` are left out when filtering by scope.
        return [item for item in items
                if isinstance(getattr(item, "name", None), str) and pattern.match(item.name)]

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_all_collection_keys(self):
        return list(self._collections)

    def clear_collection(self, name):
        self._collections.pop(name, None)

    # ----- export ---------------------------------------------------------------------------
    def to_networkx(self):
        from tinygraph.viz import to_networkx
        return to_networkx(self)


class _DefaultGraphStack(threading.local):
    def __init__(self):
        self.stack = []
        self.global_graph = None


_stack = _DefaultGraphStack()


class _StackView:
    """The default-graph stack of the current thread, as a list-like object."""

    def append(self, graph):
        _stack.stack.append(graph)

    def remove(self, graph):
        # Remove the innermost occurrence (graphs may be entered more than once).
        for i in range(len(_stack.stack) - 1, -1, -1):
            if _stack.stack[i] is graph:
                del _stack.stack[i]
                return


_default_graph_stack = _StackView()


def get_default_graph():
    if _stack.stack:
        return _stack.stack[-1]
    if _stack.global_graph is None:
        _stack.global_graph = Graph()
    return _stack.global_graph


def reset_default_graph():
    if _stack.stack:
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If "
                             "you need a cleared graph, exit the nesting and create a new graph.")
    _stack.global_graph = Graph()
    from tinygraph import session
    session._default_session_stack_clear_for_reset()


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None):
    """Tensor, Variable, numpy array, list or scalar -> Tensor (creating a Const if needed)."""
    if isinstance(value, Tensor):
        if dtype is not None and dtypes_module.as_dtype(dtype) is not value.dtype:
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (dtypes_module.as_dtype(dtype).name, value.dtype.name, value))
        return value
    convert = getattr(value, "_as_graph_tensor", None)
    if convert is not None:
        return convert_to_tensor(convert(), dtype=dtype, name=name)
    if isinstance(value, Operation):
        raise TypeError("Can't convert Operation '%s' to Tensor (target dtype=%s, name=%s, "
                        "as_ref=False)" % (value.name, dtype, name))
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        from tinygraph.ops import array_ops
        return array_ops.stack(list(value), name=name or "packed")
    from tinygraph.ops.constant_op import constant
    if dtype is None and preferred_dtype is not None:
        try:
            return constant(value, dtype=preferred_dtype, name=name or "Const")
        except (TypeError, ValueError):
            pass
    return constant(value, dtype=dtype, name=name or "Const")


def _contains_tensor(value):
    """True if a (nested) list/tuple holds a Tensor or Variable anywhere."""
    if isinstance(value, (list, tuple)):
        return any(_contains_tensor(v) for v in value)
    return isinstance(value, Tensor) or hasattr(value, "_as_graph_tensor")
