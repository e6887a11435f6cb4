"""TensorFlow, imported once and without its C++ start-up banner.

``from tfbasics._tf import tf`` is how every module gets TensorFlow. On import TensorFlow's C++
side writes lines to stderr (oneDNN notice, CUDA probes on a machine with no GPU, CPU feature
hints) before its logging can be configured; readers take them for errors. They are written
straight to file descriptor 2, so they are silenced only for the import and the first device
probe; afterwards stderr is untouched and real errors show. ``TF_CPP_MIN_LOG_LEVEL`` is set to 2
(warnings and info hidden, errors shown) unless the user has set it. Nothing else is changed: eager
execution stays on.
"""

import os
import sys


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


tf = _import_quietly()
