"""TensorFlow, imported on first use and without its C++ start-up banner.

``from tfbasics._tf import tf`` is how every module gets TensorFlow (and ``keras``, Keras 3). The import itself is
instant: ``tf`` stands for the ``tensorflow`` module and imports it the first time an attribute
is read (``tf.Graph``, ``tf.compat.v1``), so a lesson's ``--help`` answers before TensorFlow
loads. On import TensorFlow's C++ side writes lines to stderr (oneDNN notice, CUDA probes on a
machine with no GPU, CPU feature hints) before its logging can be configured; readers take them
for errors. They are written straight to file descriptor 2, so they are silenced only for the
import and the first device probe; afterwards stderr is untouched and real errors show.
``TF_CPP_MIN_LOG_LEVEL`` is set to 2 (warnings and info hidden, errors shown) unless the user has
set it. Nothing else is changed: eager execution stays on.
"""

import os
import sys
import types


def _import_quietly():
    if "tensorflow" in sys.modules:  # already imported by the user: leave their setup alone
        import tensorflow

        return tensorflow
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow

        tensorflow.config.list_physical_devices()  # the CUDA probe logs here, once
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow


def _import_keras():
    _import_quietly()  # TensorFlow first: `import keras` alone would print TensorFlow's banner
    import keras

    return keras


class _Lazy(types.ModuleType):
    """A module imported when its first attribute is read; each name read is then cached."""

    def __init__(self, name, load):
        super().__init__(name)
        self._load = load

    def __getattr__(self, name):
        if name.startswith("__"):  # copy, pickle and doctest probe dunders: not a reason to load
            raise AttributeError(name)
        value = getattr(self._load(), name)
        setattr(self, name, value)
        return value

    def __dir__(self):
        return dir(self._load())


tf = _Lazy("tensorflow", _import_quietly)
keras = _Lazy("keras", _import_keras)  # Keras 3, as shipped with TensorFlow 2.21
