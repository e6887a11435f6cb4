"""What TensorBoard's pages show, read from a real browser (a ``tfbasics.board.browser.Page``).

TensorBoard 2.21's dashboards are web components whose content lives in shadow roots, so every
query here walks them (``DEEP_ALL``). Each function opens or drives one dashboard the way a
reader does (pick a run, fit the graph to the screen) and returns plain Python values of what is
drawn, for the browser test to assert on and for the README's screenshots:

- ``show_graph(page, run)``: the Graphs tab's drawn nodes for a run;
- ``hparams_table(page)``: the HParams table's trial IDs and column headings;
- ``images(page)``: the Images tab's cards and whether their pictures loaded;
- ``text_tables(page)``: the Text tab's rendered tables.
"""

import json
import time
import urllib.parse

WAIT = 90.0  # seconds for a dashboard to load its data and draw (a busy 2-core machine)

# all elements matching a CSS selector in ``root`` (the document by default) and in every
# shadow root below it
DEEP_ALL = """(selector, root = document) => {
  const found = [];
  const visit = (node) => {
    node.querySelectorAll(selector).forEach((e) => found.push(e));
    node.querySelectorAll('*').forEach((e) => { if (e.shadowRoot) visit(e.shadowRoot); });
  };
  visit(root.shadowRoot || root);
  return found;
}"""


def query(page, body):
    """Evaluate ``body`` (JS statements ending in ``return``) with ``all(selector)`` defined."""
    return page.evaluate(f"(() => {{ const all = {DEEP_ALL}; {body} }})()")


def dashboard_url(server_url, name, tag_filter=None):
    """The address of one TensorBoard dashboard (``graphs``, ``hparams``, ``images``, ...).

    ``tag_filter`` (a regular expression) is what a reader types into "Filter tags": the
    Images and Text tabs then show the matching cards first, instead of only the first page.
    """
    url = f"{server_url.rstrip('/')}/#{name}"
    return url + (f"&tagFilter={urllib.parse.quote(tag_filter)}" if tag_filter else "")


def show_graph(page, run, tag=None, timeout=WAIT):
    """Pick ``run`` (and ``tag``) in the Graphs tab as the Run menu does; wait until it is drawn.

    Args:
      page: a Page showing the Graphs dashboard.
      run: str, e.g. ``ch01_02_hello_tensorflow/r/hello``.
      tag: str, or None for the run's first (the graph itself).
    Returns:
      dict: ``runs`` (the Run menu's entries), ``selected`` (the run drawn, or None if ``run`` is
      not in the menu), ``done`` (the layout finished), ``nodes`` (names of the boxes drawn at
      the top level, with a size on screen), ``annotations`` (names of the small circles drawn
      beside a node: constants), ``all_nodes`` (every box drawn, expanded scopes included).
    """
    runs = page.wait_for(
        "(() => { const all = " + DEEP_ALL + "; const c = all('tf-graph-controls')[0];"
        " return c && c.datasets && c.datasets.length ? c.datasets.map((d) => d.name) : null; })()",
        timeout,
    )
    if not runs or run not in runs:
        return {"runs": runs or [], "selected": None, "done": False}
    query(
        page,
        f"""const c = all('tf-graph-controls')[0];
        const i = c.datasets.findIndex((d) => d.name === {json.dumps(run)});
        const t = c.datasets[i].tags.findIndex((x) => x.tag === {json.dumps(tag)});
        c._selectedRunIndex = i;
        c._selectedTagIndex = {"0" if tag is None else "Math.max(t, 0)"};
        return i;""",
    )
    state_js = f"""
        const c = all('tf-graph-controls')[0];
        const scene = all('tf-graph-scene')[0];
        const drawn = (e) => e.getBoundingClientRect().width > 0;
        const names = (sel) => all(sel).filter(drawn).map((e) => e.getAttribute('data-name'));
        const progress = scene && scene.progress ? scene.progress.value : 0;
        return {{
          selected: c.selection ? c.selection.run : null,
          done: progress >= 100 && c.selection && c.selection.run === {json.dumps(run)},
          all_nodes: names('g.node'),
          annotations: names('g.annotation'),
        }};"""
    deadline = time.monotonic() + timeout
    previous = None
    while True:
        state = query(page, state_js)
        # drawn and settled: the layout is finished and two looks a moment apart agree
        if state["done"] and state == previous:
            break
        if time.monotonic() > deadline:
            break
        previous = state
        time.sleep(0.5)
    state["runs"] = runs
    state["nodes"] = [name for name in state["all_nodes"] if "/" not in name]
    return state


def fit_graph(page):
    """Press "Fit to screen" in the Graphs tab and give the zoom its animation time."""
    query(page, "all('tf-graph-scene')[0].fit(); return true;")
    time.sleep(1.5)


def hparams_table(page, show_all_metrics=False, timeout=WAIT):
    """The HParams tab's table view as drawn.

    TensorBoard shows only the first five metrics (and hyperparameters) as columns by default;
    the others are unticked in the left pane. ``show_all_metrics`` ticks them all first, as a
    reader would.

    Returns:
      dict: ``rows`` (the Trial ID of each row), ``listed`` (every metric tag of the experiment,
      ticked or not), ``metrics`` (for each metric column of the table: its tag and the heading
      that shows it), ``headings`` (those headings that are drawn).
    """
    body = """const grid = all('tf-hparams-table-view vaadin-grid, vaadin-grid')[0];
        const view = all('tf-hparams-table-view')[0];
        const pane = all('tf-hparams-query-pane')[0];
        if (!grid || !view || !view.visibleSchema || !grid.items || !pane || !pane._metrics)
          return null;
        if (SHOW_ALL) pane._metrics.forEach((m, i) => {
          if (!m.displayed) pane.set(`_metrics.${i}.displayed`, true); });
        const cells = all('vaadin-grid-cell-content').map((e) => e.textContent.trim());
        return {
          rows: grid.items.map((g) => g.name),
          listed: pane._metrics.map((m) => m.info.name.tag),
          cells: cells.filter((t) => t),
          metrics: view.visibleSchema.metricInfos.map((m) => ({
            tag: m.name.tag, group: m.name.group, heading: m.displayName || m.name.tag})),
        };""".replace("SHOW_ALL", "true" if show_all_metrics else "false")
    deadline = time.monotonic() + timeout
    previous = None
    while True:
        table = query(page, body)
        drawn = table and table["rows"] and table == previous
        if show_all_metrics and drawn:
            drawn = len(table["metrics"]) == len(table["listed"])
        if drawn or time.monotonic() > deadline:
            break
        previous = table
        time.sleep(0.5)
    table = table or {"rows": [], "listed": [], "cells": [], "metrics": []}
    table["headings"] = [m["heading"] for m in table["metrics"] if m["heading"] in table["cells"]]
    return table


def images(page, timeout=WAIT):
    """The Images tab's cards: list of dict ``run``, ``tag``, ``loaded`` (the picture arrived:
    its width and height in pixels, or None)."""
    body = """return all('tf-image-loader').map((card) => {
          const img = card.shadowRoot ? card.shadowRoot.querySelector('img') : null;
          const ok = img && img.complete && img.naturalWidth > 0;
          return {run: card.run, tag: card.tag,
                  loaded: ok ? [img.naturalWidth, img.naturalHeight] : null};
        });"""
    deadline = time.monotonic() + timeout
    previous = None
    while True:
        cards = query(page, body)
        settled = cards and cards == previous and all(c["loaded"] for c in cards)
        if settled or time.monotonic() > deadline:
            return cards or []
        previous = cards
        time.sleep(0.5)


def text_tables(page, timeout=WAIT):
    """The Text tab's cards: list of dict ``run``, ``tag``, ``tables`` (each table's column
    headings, for the Markdown tables TensorBoard drew)."""
    body = """return all('tf-text-loader').map((card) => {
          const tables = all('table', card).map(
            (t) => Array.from(t.querySelectorAll('th')).map((th) => th.textContent.trim()));
          const shown = all('.text, table, pre, p', card).length > 0;
          return {run: card.run, tag: card.tag, tables: tables, shown: shown};
        });"""
    deadline = time.monotonic() + timeout
    previous = None
    while True:
        cards = query(page, body)
        settled = cards and cards == previous and all(c["shown"] for c in cards)
        if settled or time.monotonic() > deadline:
            return cards or []
        previous = cards
        time.sleep(1.0)
