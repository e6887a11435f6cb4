"""Run here what the learner's process built there: a GraphDef's bytes, a saved Keras model.

The learner's process sends a graph as its serialized GraphDef (data); ``load_graph`` refuses
ops that reach outside the graph (Python callbacks, files, readers, writers, remote calls) and
imports the rest into a fresh ``tf.Graph``; ``run_graph`` runs it in a session with a time
limit. ``load_keras`` loads a ``.keras`` file in Keras's safe mode (no Lambda code, no custom
classes). Either way no code of the learner's runs here: only TensorFlow's own kernels.
"""

from tfbasics.grading.exercise_checks.expect import TaskFailure

RUN_TIMEOUT_MS = 10_000  # a graph that computes longer than this is stopped
REFUSED_OPS = {
    "PyFunc",
    "PyFuncStateless",
    "EagerPyFunc",
    "ReadFile",
    "WriteFile",
    "MatchingFiles",
    "Save",
    "SaveV2",
    "SaveSlices",
    "Restore",
    "RestoreV2",
    "RestoreSlice",
    "MergeV2Checkpoints",
    "ImmutableConst",
    "Rpc",
    "TryRpc",
}
REFUSED_PARTS = ("Reader", "Writer", "Dataset", "Iterator", "Summary", "Collective", "Send", "Recv")


def _tf():
    from tfbasics._tf import tf

    return tf


def refused(graph_def):
    """The op types of ``graph_def`` (and its function library) that are not allowed."""
    nodes = list(graph_def.node)
    for function in graph_def.library.function:
        nodes += list(function.node_def)
    bad = set()
    for node in nodes:
        if node.op in REFUSED_OPS or any(part in node.op for part in REFUSED_PARTS):
            bad.add(node.op)
    return sorted(bad)


def load_graph(data, what):
    """A tf.Graph imported from the GraphDef bytes ``data`` (TaskFailure if refused or broken).

    what: how the check names the graph to the learner, e.g. "inference(features)".
    """
    tf = _tf()
    graph_def = tf.compat.v1.GraphDef()
    try:
        graph_def.ParseFromString(bytes(data))
    except Exception:  # noqa: BLE001 - the bytes came from the learner's process
        raise TaskFailure(f"{what}\n  sent a graph that does not parse") from None
    bad = refused(graph_def)
    if bad:
        raise TaskFailure(
            f"{what}\n  built a graph with the op(s) {', '.join(bad)}, which reach outside the "
            "graph (Python callbacks, files, readers, writers)\n  expected plain TensorFlow math"
        )
    graph = tf.Graph()
    try:
        with graph.as_default():
            tf.compat.v1.import_graph_def(graph_def, name="")
    except Exception as e:  # noqa: BLE001
        first = (str(e).strip().splitlines() or [""])[0][:200]
        raise TaskFailure(f"{what}\n  built a graph that cannot be loaded: {first}") from None
    return graph


def run_graph(graph, fetches, feeds=None, what="the graph"):
    """``sess.run(fetches, feeds)`` on ``graph`` by tensor/op names, with RUN_TIMEOUT_MS.

    fetches: a name or list of names; feeds: {tensor name: value}. TaskFailure if it fails.
    """
    tf = _tf()
    options = tf.compat.v1.RunOptions(timeout_in_ms=RUN_TIMEOUT_MS)
    try:
        with tf.compat.v1.Session(graph=graph) as sess:
            return sess.run(fetches, feed_dict=dict(feeds or {}), options=options)
    except tf.errors.DeadlineExceededError:
        raise TaskFailure(f"{what}\n  ran longer than {RUN_TIMEOUT_MS / 1000:g} s") from None
    except Exception as e:  # noqa: BLE001
        first = (str(e).strip().splitlines() or [""])[0][:200]
        raise TaskFailure(f"{what}\n  failed when run: {type(e).__name__}: {first}") from None


class Runner:
    """One session on an imported graph, for checks that run it several times in order."""

    def __init__(self, graph):
        tf = _tf()
        self.session = tf.compat.v1.Session(graph=graph)
        self.options = tf.compat.v1.RunOptions(timeout_in_ms=RUN_TIMEOUT_MS)

    def run(self, fetches, feeds=None, what="the graph"):
        try:
            return self.session.run(fetches, feed_dict=dict(feeds or {}), options=self.options)
        except Exception as e:  # noqa: BLE001
            first = (str(e).strip().splitlines() or [""])[0][:200]
            raise TaskFailure(f"{what}\n  failed when run: {type(e).__name__}: {first}") from None

    def close(self):
        self.session.close()


def replay(run, what):
    """The values the captured session run ``run`` computes when run here (a list, per fetch)."""
    graph = load_graph(run["graph_def"], what)
    fetches = list(run.get("fetches", []))
    return run_graph(graph, fetches, run.get("feeds", {}), what)


def load_keras(data, what):
    """The Keras model in the ``.keras`` bytes ``data``, loaded in safe mode (TaskFailure if not)."""
    import io
    import warnings

    from keras.src.saving import saving_lib  # the public load_model insists on a file path

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "skipping variable loading for optimizer"
            return saving_lib.load_model(io.BytesIO(bytes(data)), safe_mode=True)
    except Exception as e:  # noqa: BLE001
        first = (str(e).strip().splitlines() or [""])[0][:200]
        raise TaskFailure(
            f"{what}\n  gave a model that Keras cannot load safely: {first}\n  expected a "
            "model of Keras's own layers (no Lambda layers or custom classes)"
        ) from None
