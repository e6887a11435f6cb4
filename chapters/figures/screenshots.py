"""Screenshots of the real TensorBoard UI on this project's own runs, for the README.

    python chapters/figures/screenshots.py           # two 10-epoch runs of section 7 on MNIST
    python chapters/figures/screenshots.py --fast    # fake data, a few steps: tries the script

Runs section 7 twice (learning rate 0.5, the book's, and 0.1) into a temporary logdir (or
``--logdir``), starts TensorBoard on a free loopback port and headless Chromium (Debian's
``chromium`` package; nothing is downloaded), and saves four PNGs beside this script:

- ``tensorboard_graph.png``: the Graphs tab, the first run's graph fitted to the screen;
- ``tensorboard_scalars.png``: the Scalars tab, train and validation accuracy and loss overlaid;
- ``tensorboard_weight_templates.png``: the Images tab, the learned weight templates;
- ``tensorboard_hparams.png``: the HParams tab's table, one row per run.

It lives beside the pictures it makes, in the repository (not in the installed package): it is
how the README's figures are re-made, by anyone, after a change to what the scripts log.
"""

import shutil
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from tfbasics.board import browser as chromium
from tfbasics.board import tensorboard_pages as pages
from tfbasics.board import tensorboard_server as tb
from tfbasics.runs import folders

HERE = Path(__file__).resolve().parent
SCRIPT = "ch01_07_single_layer_mnist"
RUNS = {"lr0.5": ["--learning-rate", "0.5"], "lr0.1": ["--learning-rate", "0.1"]}
FIRST = next(iter(RUNS))  # the run the graph, curves and templates are shown for
SCALAR_TAGS = "^accuracy$"  # logged per epoch by both the train/ and validation/ runs
WIDTH, HEIGHT = 1280, 800  # CSS pixels of the browser window (and of each PNG)
HPARAMS_WIDTH = 1920  # the table has a column per hyperparameter, then the metrics
SETTLE = 2.0  # seconds for charts to finish their drawing animation before a screenshot


def fill_logdir(logdir, fast, epochs):
    """Run section 7 once per entry of RUNS into ``logdir``; returns 0 or the failing status."""
    from tfbasics.chapters import ch01_07_single_layer_mnist

    for name, flags in RUNS.items():
        argv = ["--logdir", str(logdir), "--run-name", name, "--seed", "0", *flags]
        argv += ["--fake-data", "--max-steps", "20"] if fast else ["--epochs", str(epochs)]
        print(f"== {SCRIPT} {' '.join(argv)}", flush=True)
        status = ch01_07_single_layer_mnist.main(argv)
        if status:
            return status
    return 0


def js(body):
    """A JavaScript expression running ``body`` with ``all(selector)`` (shadow roots walked)."""
    return f"(() => {{ const all = {pages.DEEP_ALL}; {body} }})()"


def take(browser, server, out):
    """The four screenshots; returns the list of Paths written."""
    written = []

    def shot(page, name):
        time.sleep(SETTLE)
        written.append(page.screenshot(out / f"tensorboard_{name}.png"))
        print(f"wrote {written[-1]}", flush=True)
        page.close()

    def open_page(dashboard, tag_filter=None, runs=None, width=WIDTH):
        url = pages.dashboard_url(server.url, dashboard, tag_filter)
        url += f"&regexInput={urllib.parse.quote(runs)}" if runs else ""
        return browser.open(url, width=width, height=HEIGHT)

    page = open_page("graphs")
    graph = pages.show_graph(page, f"{SCRIPT}/{FIRST}/train")
    if not graph["done"]:
        raise RuntimeError(f"the Graphs tab did not draw {SCRIPT}/{FIRST}/train: {graph}")
    pages.fit_graph(page)
    shot(page, "graph")

    page = open_page("scalars", SCALAR_TAGS, runs=f"{SCRIPT}/{FIRST}/")
    page.wait_for(
        js("return all('tf-scalar-card').length > 0 && all('vz-line-chart2').length > 0;")
    )
    # as a reader would set it: no smoothing (one point per epoch), every point in view, the
    # first chart enlarged
    page.evaluate(
        js(
            """all('tf-scalar-dashboard').forEach((d) => {
                 d._smoothingWeight = 0; d._ignoreYOutliers = false; });
               const card = all('tf-scalar-card')[0]; card._expanded = true;
               setTimeout(() => card.redraw(), 200);
               return 1;"""
        )
    )
    shot(page, "scalars")

    page = open_page("images", "weight_templates", runs=f"{SCRIPT}/{FIRST}/train")
    pages.images(page)
    page.evaluate(
        js("all('tf-image-dashboard').forEach((d) => { d._actualSize = true; }); return 1;")
    )
    shot(page, "weight_templates")

    page = open_page("hparams", width=HPARAMS_WIDTH)
    pages.hparams_table(page, show_all_metrics=True)  # TensorBoard ticks only the first five
    page.evaluate(  # untick the hyperparameters every run shares: the metrics come into view
        js(
            """const pane = all('tf-hparams-query-pane')[0];
               const groups = all('tf-hparams-table-view')[0].sessionGroups;
               const seen = (name) => new Set(groups.map((g) => JSON.stringify(g.hparams[name])));
               pane._hparams.forEach((h, i) => {
                 pane.set(`_hparams.${i}.displayed`, seen(h.info.name).size > 1); });
               return 1;"""
        )
    )
    time.sleep(SETTLE)
    page.evaluate(  # wide enough for a Trial ID such as ch01_07_single_layer_mnist/lr0.5
        js("const c = all('vaadin-grid-column')[0]; c.width = '300px'; c.flexGrow = 0; return 1;")
    )
    shot(page, "hparams")
    return written


def main(argv=None):
    parser = folders.Parser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE,
        help="folder for the PNGs (default: chapters/figures/, beside this script)",
    )
    parser.add_argument(
        "--logdir",
        type=Path,
        default=None,
        help="write the runs here and keep them (default: a temporary folder, removed after)",
    )
    parser.add_argument(
        "--skip-runs",
        action="store_true",
        help=f"run nothing: photograph the {SCRIPT} runs {', '.join(RUNS)} already in --logdir",
    )
    parser.add_argument(
        "--fast", action="store_true", help="fake data and 20 steps: to try the script"
    )
    parser.add_argument("--epochs", type=int, default=10, help="epochs of each real run (10)")
    args = parser.parse_args(argv)
    if args.skip_runs and args.logdir is None:
        parser.error("--skip-runs needs --logdir (the folder holding the runs)")
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    executable = chromium.find_chromium()
    if executable is None:
        print(
            f"error: no Chromium on PATH: install it with `{chromium.INSTALL_HINT}`",
            file=sys.stderr,
        )
        return 1

    scratch = None if args.logdir else Path(tempfile.mkdtemp(prefix="tfbasics-screenshots-"))
    logdir = args.logdir or scratch / "logs"  # TensorBoard shows the logdir's path
    try:
        if not args.skip_runs:
            status = fill_logdir(logdir, args.fast, args.epochs)
            if status:
                return status
        with tb.serve(logdir, port=tb.free_port(), reload_interval=1) as server:
            with chromium.launch(executable) as browser:
                take(browser, server, args.out)
    except (tb.TensorBoardError, chromium.BrowserError, RuntimeError, OSError) as e:
        print(f"error: {str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "interrupted; the PNGs already written are complete, the rest unchanged",
            file=sys.stderr,
        )
        return 130
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
