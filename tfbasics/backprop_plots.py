"""Section 10's results as the lesson prints them, as tables and as pictures for TensorBoard.

- ``gradient_check_lines``, ``vanishing_lines``, ``dead_relu_lines``: the printed tables, one str
  per line.
- ``markdown_table``, ``vanishing_markdown``, ``dead_relu_markdown``: Markdown tables, as
  TensorBoard's Text tab draws them.
- ``vanishing_chart``: one bar chart per network (depth, init), mean |dL/dW| per layer on a log
  axis, input side on the left: a vanishing gradient is a staircase down towards layer 1.
- ``dead_relu_chart``: one bar per case, the fraction of ReLU units that never fire.

The two experiments are not over time: a scalar chart would put the layer number or the case
index on TensorBoard's step axis, where a reader expects training time. Each chart function
returns RGB pixels, uint8 [height, width, 3], for ``tf.summary.image``. Matplotlib's object API
(a ``Figure`` with its own Agg canvas, no ``pyplot``): nothing opens a window or changes the
user's backend.
"""

import numpy as np

DPI = 100  # pixels per inch of the returned pictures
LOG_FLOOR = 1e-9  # bottom of the log axis: an exactly-zero gradient is drawn as no bar and "0"


# ------------------------------------------------------------------ pictures
def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


# ------------------------------------------------------------------ tables
def gradient_check_lines(rows):
    """``gradcheck.check_all()``'s (name, GradCheckRow) pairs as printed lines (list of str)."""
    lines = [
        f"{'model':<24} {'wrt':<9} {'shape':<8} {'vs finite diff':>15} {'vs tf.gradients':>16}"
    ]
    for name, r in rows:
        shape = "x".join(map(str, r.shape))
        lines.append(
            f"{name:<24} {r.wrt:<9} {shape:<8} {r.vs_finite_differences:>15.2e} "
            f"{r.vs_tensorflow:>16.2e}"
        )
    return lines


def _saturated(r):
    return "-" if np.isnan(r.saturated) else f"{r.saturated:.1%}"


def vanishing_lines(rows):
    """``vanishing_gradients()``'s LayerGradient rows as printed lines (list of str)."""
    lines = [
        f"{'layers':>6} {'init':<6} {'loss':>6} {'layer':>5} {'W shape':<9} "
        f"{'mean |dL/dW|':>13} {'saturated z*(1-z)<1e-3':>23}"
    ]
    for r in rows:
        loss = f"{r.loss:6.2f}" if r.layer == 1 else ""
        lines.append(
            f"{r.depth:>6} {r.init:<6} {loss:>6} {r.layer:>5} "
            f"{'x'.join(map(str, r.shape)):<9} {r.grad_norm:>13.2e} {_saturated(r):>23}"
        )
    return lines


def vanishing_markdown(rows):
    """The same rows as a Markdown table (str)."""
    header = ["layers", "init", "loss", "layer", "W shape", "mean ‖dL/dW‖", "saturated"]
    return markdown_table(
        header,
        [
            [r.depth, r.init, f"{r.loss:.2f}", r.layer, "x".join(map(str, r.shape))]
            + [f"{r.grad_norm:.2e}", _saturated(r)]
            for r in rows
        ],
    )


def _accuracy(r):
    return "-" if np.isnan(r.accuracy) else f"{r.accuracy:.4f}"


def dead_relu_lines(rows):
    """``dead_relu_experiment()``'s DeadReLURow rows as printed lines (list of str)."""
    lines = [f"{'case':<36} {'never fire':>10} {'validation accuracy':>20}"]
    lines += [f"{r.case:<36} {r.dead:>10.1%} {_accuracy(r):>20}" for r in rows]
    return lines


def dead_relu_markdown(rows):
    """The same rows as a Markdown table (str)."""
    return markdown_table(
        ["case", "never fire", "validation accuracy"],
        [[r.case.strip(), f"{r.dead:.1%}", _accuracy(r)] for r in rows],
    )


def markdown_table(header, rows):
    """A Markdown table (str): ``header`` a list of str, ``rows`` lists of cells (any type)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def pixels(fig):
    """The figure drawn by its Agg canvas: uint8 [height, width, 3] RGB."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def vanishing_chart(rows):
    """Mean |dL/dW| per layer, one bar chart per (depth, init), one row of charts per depth.

    Args:
      rows: list of backprop_experiments.LayerGradient (``vanishing_gradients``).
    Returns:
      uint8 [height, width, 3].
    """
    depths = sorted({r.depth for r in rows})
    inits = list(dict.fromkeys(r.init for r in rows))  # in the order they were run
    top = max(r.grad_norm for r in rows) * 10
    fig = _figure(3.2 * len(inits), 2.6 * len(depths) + 0.6)
    for i, depth in enumerate(depths):
        for j, init in enumerate(inits):
            case = sorted(
                (r for r in rows if r.depth == depth and r.init == init), key=lambda r: r.layer
            )
            ax = fig.add_subplot(len(depths), len(inits), i * len(inits) + j + 1)
            layers = [r.layer for r in case]
            norms = [r.grad_norm for r in case]
            ax.bar(layers, norms, color="tab:blue")  # a bar of exactly 0 is not drawn on a log axis
            ax.set_yscale("log")
            ax.set_ylim(LOG_FLOOR, top)
            ax.set_xticks(layers)
            for layer, norm in zip(layers, norms):
                label = "0" if norm == 0 else f"{norm:.1g}"
                ax.text(layer, max(norm, LOG_FLOOR) * 1.5, label, ha="center", fontsize=7)
            ax.set_title(f"{depth} layers, {init} (loss {case[0].loss:.2f})", fontsize=9)
            if i == len(depths) - 1:
                ax.set_xlabel("layer (1 = next to the input)", fontsize=8)
            if j == 0:
                ax.set_ylabel("mean |dL/dW|", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle("Vanishing gradients: untrained sigmoid networks, per layer", fontsize=11)
    fig.tight_layout()
    return pixels(fig)


def dead_relu_chart(rows):
    """The fraction of hidden ReLU units that fire on no training image, one bar per case.

    Args:
      rows: list of backprop_experiments.DeadReLURow (``dead_relu_experiment``).
    Returns:
      uint8 [height, width, 3].
    """
    fig = _figure(8, 0.5 * len(rows) + 1.2)
    ax = fig.add_subplot(1, 1, 1)
    cases = [r.case.strip() for r in rows][::-1]  # first case on top
    dead = [r.dead for r in rows][::-1]
    ax.barh(cases, dead, color="tab:red")
    for y, fraction in enumerate(dead):
        ax.text(fraction + 0.01, y, f"{fraction:.1%}", va="center", fontsize=8)
    ax.set_xlim(0, max(0.5, max(dead) + 0.1))
    ax.set_xlabel("units that never fire on the training images", fontsize=9)
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    ax.tick_params(labelsize=8)
    ax.set_title("Dead ReLUs: hidden units of a ReLU network that never fire", fontsize=10)
    fig.tight_layout()
    return pixels(fig)
