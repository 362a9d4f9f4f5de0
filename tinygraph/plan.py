"""The plan compiler: turns (fetches, feeds) into a straight-line Python function.

A plan is compiled once per fetch/feed signature and cached by the Session:
  1. prune the graph to the ops the fetches need (fed tensors cut the walk), and drop the
     pure ops that were reached only through control edges (nobody reads their values),
  2. order them topologically (data and control inputs),
  3. evaluate once, at compile time, what cannot change between calls:
       - constant folding: a pure op whose inputs are all constants is computed now;
       - shape-only values: `Shape`/`Size`/`Rank` and the pure ops fed only by them and by
         constants (the broadcasting arithmetic of gradients, `mean`'s divisor...) depend on
         nothing but input shapes, so they are computed once per distinct set of input
         shapes and looked up in a small memo afterwards;
  4. bind each remaining op's kernel (attributes pre-bound, see OpDef.bind); groups of ops
     that run as one call (fusion.py) are bound once, at their first op,
  5. emit Python source `v3 = k2(v0, v1)` ... with `del` after each value's last use, so
     intermediates are released as early as possible, and `exec` it.
The generated function keeps every value in a local variable, which is the fastest thing
CPython offers; a failing line maps back to the op that created it. `Identity` emits no
code at all: its output is another name for its input.

An op is *pure* when its declaration neither sets `stateful` nor overrides `bind` (so its
kernel sees nothing but its input arrays and attributes): only pure ops are evaluated
early. Variables, random numbers, assignments and iterators always run.

`tf.cond` needs dead values: a Switch sends DEAD down the branch not taken, every op with a
DEAD input (or a dead control input) is skipped and produces DEAD, and Merge forwards the
live input. Only ops that can see DEAD get that extra code, so plans without `cond` pay nothing.
"""
import functools
import itertools
import os

import numpy as np

from tinygraph import fusion
from tinygraph.framework import errors
from tinygraph.framework.registry import OpDef
from tinygraph.fusion import FRESH_OUTPUT_OPS

# Debug aid used by the test suite: check every kernel's output against the op's static
# dtype and shape, so a kernel returning a wrong shape or float64 is caught where it happens.
CHECK_KERNEL_OUTPUTS = os.environ.get("TINYGRAPH_CHECK_OUTPUTS", "") not in ("", "0")

# Compile-time results larger than this are not kept (they would live as long as the plan).
FOLD_MAX_BYTES = 1 << 20
# How many distinct input-shape signatures a plan remembers shape-only values for.
SHAPE_MEMO_SIZE = 8
# Ops whose output depends only on the *shape* of their input, never its values.
SHAPE_OPS = frozenset(["Shape", "Size", "Rank", "ShapeN"])


class _Dead:
    __slots__ = ()

    def __repr__(self):
        return "DEAD"


DEAD = _Dead()

_plan_counter = itertools.count()


class Plan:
    __slots__ = ("fn", "filename", "line_ops", "source", "ops", "folded", "shape_memo")

    def __init__(self, fn, filename, line_ops, source, ops, folded, shape_memo):
        self.fn = fn
        self.filename = filename
        self.line_ops = line_ops
        self.source = source
        self.ops = ops  # every op the fetches need, in execution order
        self.folded = folded  # ops evaluated at compile time (constants)
        self.shape_memo = shape_memo  # ops evaluated once per input-shape signature

    def op_for_traceback(self, tb):
        lineno = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename:
                lineno = tb.tb_lineno
            tb = tb.tb_next
        return self.line_ops.get(lineno)


def _missing_feed_error(op):
    shape = op.attrs["shape"]
    message = "You must feed a value for placeholder tensor '%s' with dtype %s" % (
        op.name, op.attrs["dtype"]._proto_name)
    if shape.ndims is not None:
        message += " and shape %s" % shape.bracket_str()
    return errors.op_error(errors.InvalidArgumentError, op, message)


def _topological_order(roots, deps):
    """Ops reachable from `roots` through `deps(op)`, each after everything it depends on."""
    order, state = [], {}
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(deps(root)))]
        while stack:
            op, it = stack[-1]
            for dep in it:
                if dep not in state:
                    state[dep] = 1
                    stack.append((dep, iter(deps(dep))))
                    break
                if state[dep] == 1:
                    raise ValueError("Graph has a cycle through op %r" % dep.name)
            else:
                stack.pop()
                state[op] = 2
                order.append(op)
    return order


def _value_inputs(op):
    """The inputs whose values the kernel receives: all but variable refs (see StatefulUpdate)."""
    ref_inputs = getattr(op.op_def, "ref_inputs", ())
    if not ref_inputs:
        return op.inputs
    return [t for i, t in enumerate(op.inputs) if i not in ref_inputs]


def _is_pure(op, fed, maybe_dead):
    """Can `op` be evaluated early? Its kernel must depend on its inputs and attributes only."""
    op_def = op.op_def
    return (not op_def.stateful
            and getattr(op_def.bind, "__func__", None) is OpDef.bind.__func__
            and not op_def.ref_inputs
            and op.type not in ("Switch", "Merge", "Placeholder")
            and op not in maybe_dead
            and op.outputs
            and not any(t in fed for t in op.outputs))


def _without_unread_pure_ops(order, leaves, fed, maybe_dead):
    """Drop the pure ops whose values nothing reads, which were reached only through control
    edges. The usual case: `minimize()`'s GATE_OP groups every gradient of an op with
    `tuple()`, so Conv2D's gradient for a placeholder image (Conv2DBackpropInput, as costly
    as the convolution itself) becomes a control input of the filter's gradient. A pure
    kernel has no effect but its value, so not running it changes no result."""
    fetched = {leaf.op for leaf in leaves if hasattr(leaf, "value_index")}
    read = set()  # ops whose values a running op (or the caller) reads
    skipped = set()
    for op in reversed(order):  # consumers before producers
        if op in read or op in fetched or not _is_pure(op, fed, maybe_dead):
            read.update(t.op for t in _value_inputs(op))
        else:
            skipped.add(op)
    return [op for op in order if op not in skipped] if skipped else order


def _static_nbytes(tensor):
    n = tensor.shape.num_elements()
    return 0 if n is None else n * tensor.dtype.size


def _small(value):
    return getattr(value, "nbytes", 0) <= FOLD_MAX_BYTES


def _freeze(value):
    """Values computed once and shared between calls must not be written to by anyone."""
    if isinstance(value, np.ndarray) and value.flags.writeable:
        value.setflags(write=False)
    return value


def _fold_constants(session, order, fed, maybe_dead):
    """{Tensor: value} for the Consts and the pure ops computable from them alone."""
    known = {}
    for op in order:
        if op.type == "Const":
            # A Const inside a cond branch waits on the branch's pivot: it may be DEAD.
            if op not in maybe_dead and not any(t in fed for t in op.outputs):
                known[op.outputs[0]] = op.op_def.bind(op, session)()
            continue
        inputs = _value_inputs(op)
        if not _is_pure(op, fed, maybe_dead) or not all(t in known for t in inputs):
            continue
        if any(_static_nbytes(t) > FOLD_MAX_BYTES for t in op.outputs):
            continue  # known to be too big to keep: don't even compute it
        try:
            outputs = op.op_def.bind(op, session)(*[known[t] for t in inputs])
        except Exception:  # noqa: BLE001 - let the op fail at run time, with its usual error
            continue
        if len(op.outputs) == 1:
            outputs = (outputs,)
        if not all(_small(v) for v in outputs):
            continue
        if CHECK_KERNEL_OUTPUTS:
            _check_outputs(op, outputs if len(op.outputs) > 1 else outputs[0])
        for t, value in zip(op.outputs, outputs):
            known[t] = _freeze(value)
    return known


def _shape_region(order, known, fed, maybe_dead):
    """The ops whose values depend only on input shapes, and the tensors whose shapes they read.

    Returns (region ops in order, key tensors) or ([], []). The region is computed as one
    block, so it must be placeable: every tensor whose shape it reads must be computed
    before any op outside the region consumes a region value. Shape ops reading a tensor
    that is computed too late are dropped from the region (they simply run every call).
    """
    position = {op: i for i, op in enumerate(order)}
    excluded = set()
    while True:
        region, keys = [], []
        outputs = set()
        for op in order:
            if op in excluded or not _is_pure(op, fed, maybe_dead):
                continue
            inputs = _value_inputs(op)
            if op.type in SHAPE_OPS and not all(t in known for t in inputs):
                # Reads the shape of each input computed outside the region.
                keys.extend(t for t in inputs if t not in known and t not in outputs
                            and t not in keys)
            elif not (inputs and all(t in known or t in outputs for t in inputs)
                      and any(t in outputs for t in inputs)):
                continue
            region.append(op)
            outputs.update(op.outputs)
        if not region:
            return [], []
        ready = max((position[t.op] for t in keys if t not in fed), default=-1)
        in_region = set(region)
        first_use = min((position[op] for op in order if op not in in_region
                         and any(t in outputs for t in _value_inputs(op))), default=len(order))
        if ready < first_use:
            return region, keys
        # Some key tensor is produced after a region value is needed: run those Shape ops
        # (and what depends on them) normally instead.
        excluded.update(op for op in region if op.type in SHAPE_OPS
                        and any(position.get(t.op, -1) >= first_use and t not in fed
                                for t in _value_inputs(op)))


def compile_plan(session, leaves, feed_tensors):
    fed = {t: i for i, t in enumerate(feed_tensors)}

    def fully_fed(op):
        return op.outputs and all(t in fed for t in op.outputs)

    def deps(op):
        # A control input whose outputs are all fed has nothing left to run (TF prunes it too).
        return ([t.op for t in _value_inputs(op) if t not in fed]
                + [c for c in op.control_inputs if not fully_fed(c)])

    roots = [leaf if not hasattr(leaf, "value_index") else leaf.op
             for leaf in leaves if leaf not in fed]
    order = _topological_order(roots, deps)
    for op in order:
        if op.type == "Placeholder" and not all(t in fed for t in op.outputs):
            raise _missing_feed_error(op)

    # Which ops can see DEAD values (downstream of a Switch, up to a Merge).
    maybe_dead = set()
    for op in order:
        live_inputs = [t for t in _value_inputs(op) if t not in fed]
        if op.type == "Merge":
            # A Merge is dead only when every input is (an inner cond in an untaken branch).
            dead = bool(live_inputs) and all(t.op in maybe_dead for t in live_inputs)
        else:
            dead = op.type == "Switch" or any(t.op in maybe_dead for t in live_inputs) \
                or any(c in maybe_dead for c in op.control_inputs)
        if dead:
            maybe_dead.add(op)

    order = _without_unread_pure_ops(order, leaves, fed, maybe_dead)
    known = _fold_constants(session, order, fed, maybe_dead)
    region, keys = _shape_region(order, known, fed, maybe_dead)
    in_region = set(region)
    return _emit(session, leaves, order, fed, known, region, in_region, keys, maybe_dead)


def _emit(session, leaves, order, fed, known, region, in_region, keys, maybe_dead):
    """Write the plan's Python source and compile it."""
    namespace = {"DEAD": DEAD, "np": np}
    names = {}  # Tensor -> the expression that holds its value ("v3", or the constant "c1")
    counter = itertools.count()

    def local(tensor):
        name = names.get(tensor)
        if name is None:
            name = names[tensor] = "v%d" % next(counter)
        return name

    for t, value in known.items():
        names[t] = "c%d" % next(counter)
        namespace[names[t]] = value
    fetched = {t for t in leaves if hasattr(t, "value_index")}

    # A fused group runs as one kernel call at its head; the group's result is that call's
    # value (named before the Identity aliases, which may refer to the result).
    position = {op: i for i, op in enumerate(order)}

    def available_before(tensor, op):
        while tensor.op.type == "Identity" and tensor.op not in maybe_dead and tensor not in fed:
            tensor = tensor.op.inputs[0]  # an alias: the value is its input's
        return (tensor in fed or tensor in known or tensor.op not in in_region
                and (getattr(tensor.op.op_def, "reads_at_use", False)
                     or position.get(tensor.op, len(order)) < position[op]))

    fused = fusion.find(session, order, _value_inputs, fetched | set(fed) | set(known),
                        maybe_dead, available_before)
    for head, result in fused.result.items():
        names[result.outputs[0]] = local(head.outputs[0])

    # Identity emits no code: its output is its input under another name.
    for op in order:
        if op.type == "Identity" and op not in maybe_dead and op.outputs[0] not in fed \
                and op.outputs[0] not in known:
            names[op.outputs[0]] = names.get(op.inputs[0]) or local(op.inputs[0])

    # A variable is read where its value is used, not where its op sits in the order: a
    # TF1 RefVariable's output is a reference to its buffer, so `tf.identity(v)` under
    # control_dependencies([assign]) sees the assigned value, and a fetched variable shows
    # its value at the end of the step.
    ref_reads = {}  # variable name in the plan -> (kernel name, variable op)
    for op in order:
        if getattr(op.op_def, "reads_at_use", False) and op.outputs[0] not in fed:
            kernel = "r%d" % len(ref_reads)
            namespace[kernel] = op.op_def.bind(op, session)
            ref_reads[local(op.outputs[0])] = (kernel, op)

    # Execution steps: the ops that run every call, plus (if any) the shape-memo block,
    # placed right after the last tensor whose shape it reads.
    memo_at = max((position[t.op] for t in keys if t not in fed), default=-1)
    steps = [("memo", None)] if region and memo_at < 0 else []
    for i, op in enumerate(order):
        if op in in_region or (op.outputs and all(t in known for t in op.outputs)):
            pass
        elif op.outputs and local(op.outputs[0]) in ref_reads:
            pass
        elif op.type == "Const" and all(t in fed for t in op.outputs):
            pass
        else:
            steps.append(("op", op))
        if region and i == memo_at:
            steps.append(("memo", None))

    region_outputs = {t for op in region for t in op.outputs}
    memo_exports = [t for t in _unique(t for op in order if op not in in_region
                                       for t in _value_inputs(op)) if t in region_outputs]
    memo_exports += [t for t in leaves if t in region_outputs and t not in memo_exports]

    def uses(step):
        kind, op = step
        if kind == "memo":
            return list(keys)
        if (op.type == "Identity" and op not in maybe_dead) or op in fused.into:
            return []
        return list(_value_inputs(op)) + (fused.kernels[op][1] if op in fused.kernels else [])

    # Last use of each local variable (aliases share one variable).
    last_use = {}
    for index, step in enumerate(steps):
        for t in uses(step):
            last_use[names.get(t) or local(t)] = index
    kept = {names.get(t) or local(t) for t in fetched}

    lines = ["def run(feeds):"]
    line_ops = {}
    for t, i in fed.items():
        name = local(t)
        if name in last_use or name in kept:
            lines.append("    %s = feeds[%d]" % (name, i))

    def read_variables(used):
        for name in _unique(used):
            if name in ref_reads:
                kernel, var_op = ref_reads[name]
                lines.append("    %s = %s()" % (name, kernel))
                line_ops[len(lines)] = var_op

    for index, step in enumerate(steps):
        kind, op = step
        read_variables(names.get(t) or local(t) for t in uses(step))
        start = len(lines) + 1
        if kind == "memo":
            body = _memo_block(session, namespace, region, keys, memo_exports, known, names,
                               local, line_ops)
        else:
            body = _op_lines(session, namespace, op, index, names, local, known, fed,
                             last_use, kept, maybe_dead, fused)
        lines.extend("    " + b for b in body)
        dead_now = sorted({names[t] for t in uses(step) if t in names
                           and last_use.get(names[t]) == index and names[t] not in kept
                           and names[t].startswith("v")})
        if dead_now:
            lines.append("    del %s" % ", ".join(dead_now))
        if kind == "op":
            for lineno in range(start, len(lines) + 1):
                line_ops[lineno] = op
    results = ["None" if not hasattr(leaf, "value_index") else (names.get(leaf) or local(leaf))
               for leaf in leaves]
    read_variables(results)
    lines.append("    return [%s]" % ", ".join(results))
    memo_source = namespace.pop("__memo_source__", [])
    if memo_source:
        first = len(lines) + 2
        for offset, (text, op) in enumerate(memo_source):
            if op is not None:
                line_ops[first + offset] = op
        lines.append("")
        lines.extend(text for text, _ in memo_source)
    source = "\n".join(lines) + "\n"
    filename = "<tinygraph plan %d>" % next(_plan_counter)
    exec(compile(source, filename, "exec"), namespace)
    folded = [op for op in order if op.outputs and all(t in known for t in op.outputs)]
    return Plan(namespace["run"], filename, line_ops, source, order, folded, region)


def _unique(items):
    seen, result = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result


def _op_lines(session, namespace, op, index, names, local, known, fed, last_use, kept,
              maybe_dead, fused):
    """The source lines that run one op: `v5, v6 = k3(v1, c0)`."""
    value_inputs = _value_inputs(op)
    if op in fused.kernels:
        value_inputs = list(value_inputs) + fused.kernels[op][1]
    ins = [names.get(t) or local(t) for t in value_inputs]
    outs = []
    for t in op.outputs:
        name = names.get(t) or local(t)
        used = name in last_use or name in kept
        outs.append(name if used and t not in fed and t not in known else "_")
    if op.type == "Merge" and op in maybe_dead and outs and outs[0] == "_":
        outs[0] = "merged%d" % index  # its dead flag reads the value even when nobody else does
    kernel = "k%d" % index
    call = "%s(%s)" % (kernel, ", ".join(ins))
    if op.type == "Identity" and op not in maybe_dead:
        body = []  # aliased (see _emit)
    elif (op.type == "NoOp" and op not in maybe_dead) or op in fused.into:
        body = []
    else:
        if op in fused.kernels:
            namespace[kernel] = fused.kernels[op][0]
        elif _may_overwrite_input(op, ins, index, last_use, kept, fed, maybe_dead):
            attrs = {k: v for k, v in op.attrs.items() if k not in op.op_def.runtime_attrs}
            namespace[kernel] = functools.partial(op.op_def.compute_inplace, **attrs)
        else:
            namespace[kernel] = op.op_def.bind(op, session)
        if not op.outputs or all(o == "_" for o in outs):
            body = [call]
        else:
            body = ["%s = %s" % (", ".join(outs), call)]
        if CHECK_KERNEL_OUTPUTS and op.outputs and not any(o == "_" for o in outs):
            namespace["check_outputs"] = _check_outputs
            namespace["op%d" % index] = fused.result.get(op, op)
            packed = "(%s,)" % ", ".join(outs) if len(outs) > 1 else outs[0]
            body.append("check_outputs(op%d, %s)" % (index, packed))
    if op in maybe_dead:
        if op.type == "Identity" and outs and outs[0] != "_":
            body = ["%s = %s" % (outs[0], ins[0])]
        body = _dead_guarded(op, value_inputs, ins, outs, body, maybe_dead, fed)
    return body


def _may_overwrite_input(op, ins, index, last_use, kept, fed, maybe_dead):
    """Can `op` write its result into input 0's buffer (`OpDef.compute_inplace`)?

    Only when that buffer is a fresh kernel output (never a feed, constant, variable or
    view), this op is its last reader, and nobody fetches it. For `conv -> relu` this halves
    the peak memory of a large inference batch and saves an allocation per step.
    """
    if getattr(op.op_def, "compute_inplace", None) is None or op in maybe_dead or not ins:
        return False
    source = _value_inputs(op)[0]
    name = ins[0]
    return (name.startswith("v") and source not in fed and name not in kept
            and last_use.get(name) == index and ins.count(name) == 1
            and source.op.type in FRESH_OUTPUT_OPS and source.op not in maybe_dead)


def _memo_block(session, namespace, region, keys, exports, known, names, local, line_ops):
    """Lines that fetch the shape-only values from the memo, computing them on a miss.

    The computation itself goes into a second generated function, `shape_values`, whose
    source is appended to the plan's (see _emit)."""
    key_names = [names.get(t) or local(t) for t in keys]
    export_names = [names.get(t) or local(t) for t in exports]
    memo = {}
    namespace["memo"] = memo
    namespace["memo_size"] = SHAPE_MEMO_SIZE
    namespace["freeze"] = _freeze
    key = "(%s,)" % ", ".join("%s.shape" % n for n in key_names)
    slow_key = "(%s,)" % ", ".join("np.shape(%s)" % n for n in key_names)
    source = [("def shape_values(key, %s):" % ", ".join(key_names), None)]
    for op in region:
        index = "m%d" % id(op)
        namespace[index] = op.op_def.bind(op, session)
        ins = [names.get(t) or local(t) for t in _value_inputs(op)]
        outs = [names.get(t) or local(t) for t in op.outputs]
        source.append(("    %s = %s(%s)" % (", ".join(outs), index, ", ".join(ins)), op))
        if CHECK_KERNEL_OUTPUTS:
            namespace["check_outputs"] = _check_outputs
            namespace["o%s" % index] = op
            packed = "(%s,)" % ", ".join(outs) if len(outs) > 1 else outs[0]
            source.append(("    check_outputs(o%s, %s)" % (index, packed), op))
    source += [("    values = (%s,)" % ", ".join("freeze(%s)" % n for n in export_names), None),
               ("    if len(memo) >= memo_size:", None),
               ("        memo.clear()", None),
               ("    memo[key] = values", None),
               ("    return values", None)]
    namespace["__memo_source__"] = source
    lines = ["try:",
             "    key = %s" % key,
             "except AttributeError:  # a kernel returned a Python scalar or list",
             "    key = %s" % slow_key,
             "values = memo.get(key)",
             "if values is None:",
             "    values = shape_values(key, %s)" % ", ".join(key_names)]
    lines.append("%s, = values" % ", ".join(export_names) if export_names else "del values")
    return lines


def _dead_guarded(op, value_inputs, ins, outs, body, maybe_dead, fed):
    """Wrap an op's lines so it is skipped (producing DEAD) when an input is DEAD."""
    flag = "d%d" % op._id
    if op.type == "Merge":
        return body + ["%s = %s is DEAD" % (flag, outs[0])]
    conditions = ["%s is DEAD" % name for t, name in zip(value_inputs, ins)
                  if t not in fed and t.op in maybe_dead]
    conditions += ["d%d" % c._id for c in op.control_inputs if c in maybe_dead]
    if op.type == "Switch":
        return body + ["%s = False" % flag]
    dead_outs = [o for o in outs if o != "_"]
    lines = ["if %s:" % " or ".join(conditions)]
    lines += ["    %s = DEAD" % o for o in dead_outs]
    lines += ["    %s = True" % flag, "else:"]
    lines += ["    " + b for b in body or ["pass"]] + ["    %s = False" % flag]
    return lines


def _check_outputs(op, values):
    if len(op.outputs) == 1:
        values = (values,)
    for tensor, value in zip(op.outputs, values):
        if value is DEAD:
            continue
        array = np.asarray(value)
        expected = np.dtype(tensor.dtype.as_numpy_dtype)
        if array.dtype != expected and not (tensor.dtype.name == "string"):
            raise AssertionError("kernel of %s (%s) returned dtype %s for %s"
                                 % (op.name, op.type, array.dtype, tensor))
        if not tensor.shape.is_compatible_with(array.shape):
            raise AssertionError("kernel of %s (%s) returned shape %s for %s"
                                 % (op.name, op.type, array.shape, tensor))


def run_plan(plan, feed_values):
    try:
        values = plan.fn(feed_values)
    except Exception as e:  # map the failing line back to its op; KeyboardInterrupt passes
        op = plan.op_for_traceback(e.__traceback__)
        if op is None or isinstance(e, AssertionError) and "kernel of" in str(e):
            raise
        if isinstance(e, errors.OpError):
            if e.op is not None:
                raise
            raise errors.op_error(type(e), op, e.message) from e
        raise errors.op_error(errors.InvalidArgumentError, op,
                              "%s: %s" % (type(e).__name__, e)) from e
    for i, value in enumerate(values):
        if type(value) is np.ndarray:
            if value.ndim == 0:
                values[i] = value[()]
            elif not value.flags.writeable or (feed_values and _views_a_feed(value, feed_values)):
                # Never hand out the graph's, a Variable's or the caller's own storage.
                values[i] = value.copy()
        elif value is DEAD:
            raise errors.InvalidArgumentError(
                None, None, "Retval[%d] does not have value: it was computed in a tf.cond "
                "branch that was not taken (fetch the cond's output instead)." % i)
    return values


def _views_a_feed(array, feed_values):
    """True if `array` may share memory with a fed array (e.g. Reshape/Identity of a feed)."""
    if array.base is None and not any(array is fed for fed in feed_values):
        return False  # owns its buffer, so it cannot be (a view of) the caller's array
    return any(isinstance(fed, np.ndarray) and np.may_share_memory(array, fed)
               for fed in feed_values)
