"""The ``fastdip`` command: a thin skin over the public API.

Each subcommand is one short function that calls public fastdip functions and prints the result. Heavy
dependencies (numpy, numba, matplotlib, rich) are imported inside those functions only, so
``fastdip --help`` stays instant. A user mistake (bad path, unreadable image, bad argument) prints one line
``fastdip: error: ...`` on stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

PROG = "fastdip"

_DESCRIPTION = "Fast digital image processing: inspect images, list the bundled samples, build the tour report."
_EPILOG = """examples:
  fastdip info photo.png          shape, dtype and ImageJ-style statistics of an image
  fastdip samples                 the bundled sample images
  fastdip tour --out tour --open  run every topic and open the HTML report

Run 'fastdip COMMAND --help' for a command's options."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Wrap prose lines to the terminal; keep indented lines (the examples) as written."""

    def _fill_text(self, text, width, indent):
        import textwrap

        return "\n".join(
            indent + line if not line or line[0].isspace()
            else textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent)
            for line in text.splitlines()
        )


class UsageError(Exception):
    """A bad command line (raised by the parser instead of printing usage and exiting)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")


# --- shared option groups (defined once) -------------------------------------------------------------


def _output_options() -> argparse.ArgumentParser:
    parent = _Parser(add_help=False)
    group = parent.add_argument_group("output")
    group.add_argument("--json", action="store_true", help="print machine-readable JSON instead of text")
    return parent


# --- commands ----------------------------------------------------------------------------------------


def _print_json(obj) -> None:
    import json

    def default(o):
        return o.item() if hasattr(o, "item") else str(o)

    print(json.dumps(obj, indent=2, default=default))


def cmd_info(args) -> int:
    """Print path, shape, dtype and ImageJ-style statistics of each image."""
    import dataclasses

    from fastdip import histogram, io

    reports = []
    for path in args.images:
        image = io.imread(path)
        stats = histogram.stats(image)
        reports.append({"path": str(path), "shape": list(image.shape), "dtype": str(image.dtype),
                        "stats": dataclasses.asdict(stats), "text": str(stats)})
    if args.json:
        _print_json(reports if len(reports) > 1 else reports[0])
        return 0
    for i, r in enumerate(reports):
        if i:
            print()
        print(f"path:  {r['path']}")
        print(f"shape: {tuple(r['shape'])}")
        print(f"dtype: {r['dtype']}")
        if len(r["shape"]) == 3 and r["shape"][-1] in (3, 4):
            print("statistics of all channels together:")
        print(r["text"])
    return 0


def cmd_samples(args) -> int:
    """List the bundled sample images with their shape and dtype."""
    from fastdip import data

    rows = []
    for name in data.names():
        image = data.load(name)
        rows.append({"name": name, "shape": list(image.shape), "dtype": str(image.dtype)})
    if args.json:
        _print_json(rows)
        return 0
    width = max([len("name"), *(len(r["name"]) for r in rows)])
    print(f"{'name':<{width}}  {'shape':<15}  dtype")
    for r in rows:
        print(f"{r['name']:<{width}}  {str(tuple(r['shape'])):<15}  {r['dtype']}")
    return 0


def cmd_tour(args) -> int:
    """Run the tour sections and write the HTML report."""
    import logging

    from fastdip import report

    if args.list:
        for module in report.section_modules():
            print(f"{module.SLUG:<20} {module.TITLE}")
        return 0
    failures = _count_errors(logging.getLogger("fastdip.report"))
    try:
        index = report.build_tour(args.out, full=args.full, only=args.only, progress=not args.quiet)
    finally:
        logging.getLogger("fastdip.report").removeHandler(failures)
    print(f"tour written to {index} ({index.resolve().as_uri()})")
    if args.open:
        import webbrowser

        webbrowser.open(index.resolve().as_uri())
    if failures.count:
        print(f"{PROG}: {failures.count} section(s) failed; see the error boxes in the report", file=sys.stderr)
        return 1
    return 0


def _count_errors(logger):
    """Attach a handler that prints each logged error as one line on stderr and counts them."""
    import logging

    class _Handler(logging.Handler):
        count = 0

        def emit(self, record):
            self.count += 1
            print(f"{PROG}: error: {record.getMessage()}", file=sys.stderr)

    handler = _Handler(logging.ERROR)
    logger.addHandler(handler)
    return handler


# --- parser ------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The ``fastdip`` argument parser (one subparser per command; each command's function is ``func``)."""
    from fastdip import __version__

    fmt = _Formatter
    parser = _Parser(prog=PROG, description=_DESCRIPTION, epilog=_EPILOG, formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    output = _output_options()

    p = commands.add_parser(
        "info", parents=[output], formatter_class=fmt, help="shape, dtype and statistics of image files",
        description="Print the path, shape, dtype and ImageJ-style histogram statistics (count, min, mean, "
                    "max, standard deviation, mode) of each image.",
        epilog="examples:\n  fastdip info camera.png\n  fastdip info a.png b.tif --json")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image file(s) to read (PNG, TIFF, JPEG, ...)")
    p.set_defaults(func=cmd_info)

    p = commands.add_parser(
        "samples", parents=[output], formatter_class=fmt, help="list the bundled sample images",
        description="List the sample images bundled with fastdip, with their shape and dtype. In Python, "
                    "load one with fastdip.data.load(NAME).",
        epilog="examples:\n  fastdip samples\n  fastdip samples --json")
    p.set_defaults(func=cmd_samples)

    p = commands.add_parser(
        "tour", formatter_class=fmt, help="run every course topic and write an HTML report",
        description="Run each topic of the course on the bundled images and write DIR/index.html with its "
                    "figures (DIR/figures/*.png) and tables of measured numbers. The report is generated: an "
                    "existing DIR/index.html and figures of the same name are replaced, nothing else in DIR "
                    "is touched. A section that fails shows an error box in the report; the command then "
                    "exits with status 1.",
        epilog="examples:\n  fastdip tour                    writes tour/index.html\n"
               "  fastdip tour --out /tmp/t --open\n  fastdip tour --only averaging histograms\n"
               "  fastdip tour --list             the section names --only accepts")
    p.add_argument("--out", metavar="DIR", default="tour", help="report folder (default: %(default)s)")
    p.add_argument("--open", action="store_true", help="open the report in a web browser when done")
    p.add_argument("--full", action="store_true", help="run the slower, larger variant of each section")
    p.add_argument("--only", nargs="+", metavar="SECTION", help="run only these sections (see --list)")
    p.add_argument("--list", action="store_true", help="list the sections and exit")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_tour)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    errors = [UsageError, ValueError, TypeError, OSError]
    io = sys.modules.get("fastdip.io")
    if io is not None and hasattr(io, "ImageReadError"):
        errors.append(io.ImageReadError)
    return tuple(errors)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        text = f"{exc.filename}: {exc.strerror}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def main(argv=None) -> int:
    """Run the ``fastdip`` command line; returns the exit status (0 ok, 1 tour section failed, 2 usage error).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Examples
    --------
    >>> main(["--version"])
    fastdip ...
    0
    """
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help and --version exit through argparse
            return int(exc.code or 0)
        if args.command is None:
            raise UsageError(f"a command is required ({', '.join(command_names(parser))}; see '{PROG} --help')")
        return args.func(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``fastdip samples | head``): not an error of ours; silence the final flush
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if not isinstance(exc, _user_errors()):
            raise
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2


def command_names(parser: argparse.ArgumentParser | None = None) -> list[str]:
    """The subcommand names, in help order (used by the docs tests)."""
    parser = build_parser() if parser is None else parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


if __name__ == "__main__":
    raise SystemExit(main())
