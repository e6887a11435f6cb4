"""What the student's process does for a check beyond a plain call (runs there, returns data).

- ``describe_tf``: a graph tensor, op or variable becomes a GraphThing (its kind, name, dtype,
  shape); an eager tensor becomes its value.
- ``session_capture``: every ``Session.run`` made during a request, recorded as data (the
  graph's GraphDef bytes, the fetched names, the fed values) so the checks can run the same
  graph themselves and see that it computes what the function returned.
- ``RECIPES``: graphs built around the learner's functions (placeholders, helper ops to set
  variables) and Keras models saved as a ``.keras`` file, sent as bytes; the checks import and
  run them in their own process.
- ``HARNESS``: functions a check passes as an argument (an activation), by name.
"""

from contextlib import contextmanager

import numpy as np

HARNESS = {"identity": lambda z: z}  # Neuron(activation=...): the neuron's own activation


def _tf():
    from tfbasics._tf import tf

    return tf


def describe_tf(value, keep):
    """A TensorFlow object as data: GraphThing, its value (eager), or ``keep(value)`` (a Ref)."""
    from tfbasics.grading.channel import GraphThing

    tf = _tf()
    if isinstance(value, tf.Operation):
        return GraphThing("op", value.name)
    kind = "variable" if isinstance(value, tf.Variable) else "tensor"
    if isinstance(value, (tf.Tensor, tf.Variable)):
        try:
            if hasattr(value, "numpy") and not hasattr(value, "graph"):
                return np.asarray(value.numpy())
            graph = value.graph
        except Exception:  # noqa: BLE001 - an eager tensor has no graph
            graph = None
        if graph is None:
            return np.asarray(value.numpy())
        shape = None if value.shape.rank is None else tuple(value.shape.as_list())
        return GraphThing(kind, value.name, value.dtype.name, shape)
    return keep(value)


def _names(fetches):
    tf = _tf()
    if isinstance(fetches, (list, tuple)):
        return [n for f in fetches for n in _names(f)]
    if isinstance(fetches, dict):
        return [n for f in fetches.values() for n in _names(f)]
    if isinstance(fetches, (tf.Tensor, tf.Operation, tf.Variable)):
        return [fetches.name]
    if isinstance(fetches, str):
        return [fetches]
    return []


@contextmanager
def session_capture(active):
    """Record every ``tf.compat.v1.Session.run`` while ``active``: yields the list of runs.

    A run is {"graph_def": bytes, "fetches": [names], "feeds": {name: array}}.
    """
    runs = []
    if not active:
        yield runs
        return
    tf = _tf()
    owner = next(c for c in tf.compat.v1.Session.__mro__ if "run" in vars(c))
    original = owner.run

    def run(self, fetches, feed_dict=None, *args, **kwargs):
        result = original(self, fetches, feed_dict, *args, **kwargs)
        feeds = {}
        for key, value in (feed_dict or {}).items():
            name = key if isinstance(key, str) else getattr(key, "name", None)
            array = np.asarray(value)
            if name and array.dtype.kind in "biufcS":
                feeds[name] = array
        graph_def = self.graph.as_graph_def().SerializeToString()
        runs.append({"graph_def": graph_def, "fetches": _names(fetches), "feeds": feeds})
        return result

    owner.run = run
    try:
        yield runs
    finally:
        owner.run = original


# ---------------------------------------------------------------------------- graphs and models
PIXELS, CLASSES = 784, 10


def _bundle(graph, returned, **names):
    return {
        "graph_def": graph.as_graph_def().SerializeToString(),
        "returned": returned,
        "names": {k: v for k, v in names.items() if v is not None},
    }


def _read(value, name):
    """The name of a tensor that reads ``value`` (a variable or tensor), or None."""
    tf = _tf()
    try:
        return tf.identity(value, name=name).name
    except Exception:  # noqa: BLE001 - not a tensor: the checks say so
        return None


def _assign(variable, name):
    """(placeholder name, assign op name) that set ``variable``, or (None, None)."""
    tf = _tf()
    try:
        value = tf.compat.v1.placeholder(variable.dtype.base_dtype, variable.shape, name=name)
        return value.name, variable.assign(value).name
    except Exception:  # noqa: BLE001 - not a variable: the checks say so
        return None, None


def _inference_graph(lookup, kwargs):
    tf = _tf()
    inference = lookup("inference")[0]
    graph = tf.Graph()
    with graph.as_default():
        features = tf.compat.v1.placeholder(tf.float32, [None, PIXELS], name="features")
        out = inference(features, **kwargs)
        names = {"features": features.name}
        if isinstance(out, (tuple, list)) and len(out) == 4:
            names["read_weights"] = _read(out[2], "check_read_weights")
            names["read_biases"] = _read(out[3], "check_read_biases")
            names["set_weights"], names["assign_weights"] = _assign(out[2], "check_set_weights")
            names["set_biases"], names["assign_biases"] = _assign(out[3], "check_set_biases")
    return graph, out, names


def inference_recipe(lookup, kwargs):
    """inference(features [None, 784] float32, **kwargs), with ops to set and read W and b."""
    tf = _tf()
    graph, out, names = _inference_graph(lookup, kwargs)
    with graph.as_default():
        init = tf.compat.v1.global_variables_initializer()
    return _bundle(graph, out, init=init.name, **names)


def loss_recipe(lookup):
    """loss(logits, labels) and loss(..., kind="book", prediction=softmax(logits))."""
    tf = _tf()
    loss = lookup("loss")[0]
    graph = tf.Graph()
    with graph.as_default():
        logits = tf.compat.v1.placeholder(tf.float32, [None, CLASSES], name="logits")
        labels = tf.compat.v1.placeholder(tf.float32, [None, CLASSES], name="labels")
        stable = loss(logits, labels)
        book = loss(logits, labels, kind="book", prediction=tf.nn.softmax(logits))
    return _bundle(graph, {"stable": stable, "book": book}, logits=logits.name, labels=labels.name)


def training_recipe(lookup, learning_rate):
    """training(mean cross-entropy of inference(features), learning_rate, global_step)."""
    tf = _tf()
    graph, out, names = _inference_graph(lookup, {})
    training = lookup("training")[0]
    with graph.as_default():
        labels = tf.compat.v1.placeholder(tf.float32, [None, CLASSES], name="labels")
        step = tf.compat.v1.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
        train_op = None
        if isinstance(out, (tuple, list)) and len(out) == 4:
            loss_op = tf.reduce_mean(
                tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=out[0])
            )
            train_op = training(loss_op, learning_rate, step)
        init = tf.compat.v1.global_variables_initializer()
        read_step = _read(step, "check_read_step")
    returned = {"inference": out, "train_op": train_op}
    return _bundle(graph, returned, init=init.name, labels=labels.name, step=read_step, **names)


def evaluation_recipe(lookup, prediction, labels):
    """evaluation(tf.constant(prediction), tf.constant(labels))."""
    tf = _tf()
    evaluation = lookup("evaluation")[0]
    graph = tf.Graph()
    with graph.as_default():
        accuracy = evaluation(tf.constant(prediction), tf.constant(labels))
    return _bundle(graph, accuracy)


def _saved(model):
    """The bytes of ``model`` saved in the .keras format (or the model itself if it is no model).

    Saved to memory, not to a file: the learner's process may write only small files.
    """
    if not hasattr(model, "save") or not hasattr(model, "layers"):
        return {"returned": model}
    import io

    from keras.src.saving import saving_lib  # the public save_model insists on a file path

    buffer = io.BytesIO()
    saving_lib.save_model(model, buffer)
    return {"keras": buffer.getvalue()}


def keras_model_recipe(lookup):
    """build_model(), saved as a .keras file."""
    return _saved(lookup("build_model")[0]())


def keras_compiled_recipe(lookup):
    """compile_model(build_model()), saved with its compile settings."""
    model = lookup("build_model")[0]()
    return _saved(lookup("compile_model")[0](model))


def numerical_gradient_recipe(lookup, p):
    """numerical_gradient(lambda: float(np.sum(p ** 3)), p), and p as it was left."""
    p = np.array(p, dtype=np.float64)
    got = lookup("numerical_gradient")[0](lambda: float(np.sum(p**3)), p)
    return {"returned": got, "p_after": p.copy()}


RECIPES = {
    "inference": inference_recipe,
    "loss": loss_recipe,
    "training": training_recipe,
    "evaluation": evaluation_recipe,
    "keras_model": keras_model_recipe,
    "keras_compiled": keras_compiled_recipe,
    "numerical_gradient": numerical_gradient_recipe,
}
