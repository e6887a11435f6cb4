"""Placeholders and feed_dict, two bad feeds, and truncated_normal weights.

Feeds the book's placeholders, shows what a value of the wrong dtype or shape does (one readable
line, and the script goes on), and draws the book's 5x2 truncated-normal weights.
"""

import sys
from pathlib import Path

import numpy as np

from tfbasics import placeholders
from tfbasics._tf import tf
from tfbasics.runs import base_parser, run_dir, script_main, view_command, write_graph

SCRIPT = Path(__file__).stem


def main(argv=None):
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="graph seed for truncated_normal")
    args = parser.parse_args(argv)
    out = run_dir(args.logdir, SCRIPT, args.run_name)

    p = placeholders.build_feeds()
    with tf.compat.v1.Session(graph=p.graph) as sess:
        print(placeholders.run_feed(sess, p.x, {p.x: "Hello World"}))
        values = placeholders.run_feed(
            sess, [p.s, p.i, p.f], {p.s: "Welcome to CNN", p.i: 123, p.f: 123.45}
        )
        print(
            "one feed_dict, three placeholders: "
            + ", ".join(
                f"{t.op.name} ({t.dtype.name}) = {np.asarray(v)[()]!s}"
                for t, v in zip((p.s, p.i, p.f), values)
            )
        )
    write_graph(out / "feeds", p.graph)

    d = placeholders.build_doubler()
    with tf.compat.v1.Session(graph=d.graph) as sess:
        print(
            "x * 2 for x = [[1, 2, 3], [4, 5, 6]]:",
            placeholders.run_feed(sess, d.y, {d.x: [[1, 2, 3], [4, 5, 6]]}).tolist(),
        )
        for bad in (["abc", "def", "ghi"], [1, 2]):  # wrong dtype, then wrong shape
            try:
                placeholders.run_feed(sess, d.y, {d.x: bad})
            except placeholders.FeedError as err:
                print(f"bad feed: {err}")
    write_graph(out / "doubler", d.graph)

    weights_graph = placeholders.build_truncated_normal_weights(seed=args.seed)
    w = placeholders.truncated_normal_weights(w=weights_graph)
    print(
        f"truncated_normal(({placeholders.N_FEATURES}, {placeholders.N_LABELS})), seed {args.seed}:"
    )
    print(np.array2string(w, precision=4))
    print(
        f"shape {w.shape}, largest |value| {np.abs(w).max():.4f} (never beyond 2 standard deviations)"
    )
    write_graph(out / "weights", weights_graph.graph)

    print(f"Graphs written to {out}; view with: {view_command(args.logdir)}")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(main))
