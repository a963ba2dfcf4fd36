"""The ``fastdip`` command: a thin skin over the public API.

Each subcommand is one short function that calls public fastdip functions and prints the result. Heavy
dependencies (numpy, numba, matplotlib, rich) are imported inside those functions only, so
``fastdip --help`` stays instant. A user mistake (bad path, unreadable image, bad argument) prints one line
``fastdip: error: ...`` on stderr and exits with status 2; anything unexpected prints one line and exits with
status 1. No traceback is ever shown, unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import sys

PROG = "fastdip"

_DESCRIPTION = "Fast digital image processing: inspect images, list the bundled samples, build the tour report."
_EPILOG = """examples:
  fastdip info photo.png          shape, dtype and ImageJ-style statistics of an image
  fastdip samples                 the bundled sample images
  fastdip ops filters.median      an operation's parameters (fastdip ops: all of them)
  fastdip apply in.png -o out.png --op filters.median:size=5 --op segmentation.binarize
  fastdip run count.json scans/ -o results/ --workers 2
  fastdip learn fit img.png scribbles.png -o model.npz   train a pixel classifier from scribbles
  fastdip serve --open            the web playground: operations and neural networks, live
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


def _positive_size(text: str) -> int:
    """A byte count: an integer, optionally with a K, M or G suffix (powers of 1024)."""
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    scale = units.get(text[-1:].upper(), 1)
    digits = text[:-1] if scale > 1 else text
    if not digits.isdigit() or int(digits) <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive byte count such as 536870912, 512M or 2G, got {text!r}")
    return int(digits) * scale


def _read_options() -> argparse.ArgumentParser:
    parent = _Parser(add_help=False)
    group = parent.add_argument_group("reading images")
    group.add_argument("--max-bytes", type=_positive_size, default=None, metavar="SIZE",
                       help="refuse images larger than SIZE once decoded, checked from the file header before "
                            "decoding (e.g. 2G; default 512M, fastdip.io.DEFAULT_MAX_BYTES)")
    return parent


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a probability in [0, 1], got {text!r}")
    return value


def _imread(path, args, **kwargs):
    from fastdip import io

    return io.imread(path, max_bytes=args.max_bytes or io.DEFAULT_MAX_BYTES, **kwargs)


# --- commands ----------------------------------------------------------------------------------------


def _print_json(obj) -> None:
    import json

    def default(o):
        return o.item() if hasattr(o, "item") else str(o)

    print(json.dumps(obj, indent=2, default=default))


def cmd_info(args) -> int:
    """Print path, shape, dtype and ImageJ-style statistics of each image."""
    import dataclasses

    from fastdip import histogram

    reports = []
    for path in args.images:
        image = _imread(path, args)
        # a bilevel (1-bit) image is read as bool: its statistics are those of its 0/1 levels
        stats = histogram.stats(image.astype("uint8") if image.dtype == bool else image)
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


def _need_torch() -> None:
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        raise UsageError("this command needs PyTorch: pip install 'fastdip[nn]'")


def cmd_train(args) -> int:
    """Train a reference network on its local data set; write checkpoint, curves and metrics to --out."""
    import json
    from pathlib import Path

    out = Path(args.out or f"train-{args.model}")
    files = {"checkpoint": out / "checkpoint.pt", "curves": out / "curves.png", "history": out / "history.csv",
             "metrics": out / "metrics.json"}
    _need_torch()
    existing = [str(f) for f in files.values() if f.exists()]
    if existing and not args.overwrite:
        raise FileExistsError(17, "already exists; pass --overwrite to replace it", existing[0])
    out.mkdir(parents=True, exist_ok=True)
    from fastdip import nn, viz

    result = nn.run_recipe(args.model, epochs=args.epochs, seed=args.seed, lr=args.lr, batch_size=args.batch_size,
                           n_images=args.images, progress=not args.quiet, checkpoint=files["checkpoint"])
    result.history.to_csv(files["history"])
    viz.save(result.history.plot(title=f"{args.model}: learning curves"), files["curves"])
    summary = {**result.summary(), "files": {k: str(v) for k, v in files.items()}}
    files["metrics"].write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"{args.model}: test {result.metric} {result.test_metric:.4f} after {len(result.history)} epochs "
          f"({result.seconds:.1f} s, {result.model.n_parameters} parameters)")
    print(f"written to {out}/: checkpoint.pt, curves.png, history.csv, metrics.json")
    return 0


def cmd_predict(args) -> int:
    """Run a trained checkpoint on an image: a mask (U-Net) or class probabilities (MLP, CNN)."""
    import json
    from pathlib import Path

    _need_torch()
    out = Path(args.output)
    if out.exists() and not args.overwrite:
        raise FileExistsError(17, "already exists; pass --overwrite to replace it", str(out))
    from fastdip import dtype, io, nn

    model = nn.load_checkpoint(args.checkpoint).model
    classify = getattr(model, "task", "dense") == "classify"
    if classify and out.suffix.lower() != ".json":
        raise UsageError(f"a classifier writes its class probabilities as JSON: OUT must end in .json, "
                         f"got {str(out)!r}")
    if not classify and io.EXTENSIONS.get(out.name.lower()[-7:] if out.name.lower().endswith(".nii.gz")
                                          else out.suffix.lower()) is None:
        raise UsageError(f"a U-Net writes an image: OUT must end in one of {', '.join(sorted(io.EXTENSIONS))}, "
                         f"got {str(out)!r}")
    channels = int(model.config.get("in_channels", 1)) if not classify else 1
    image = _imread(args.image, args, as_gray=channels == 1)
    if channels > 1:
        if image.ndim != 3 or image.shape[-1] < channels:
            raise ValueError(f"{args.image}: the network reads {channels}-channel colour images, "
                             f"got shape {image.shape}")
        image = image[..., :channels]
    image = dtype.to_float(image.astype("uint8") if image.dtype == bool else image)
    if classify:
        shape = tuple(model.config.get("input_shape") or (8, 8))
        if image.shape != shape:
            raise ValueError(f"{args.image}: the classifier needs a {shape[0]}x{shape[1]} image, got shape {image.shape}")
        probs = nn.predict(model, image[None, None])[0]
        label = int(probs.argmax())
        out.write_text(json.dumps({"class": label, "probabilities": probs.tolist()}, indent=2) + "\n")
        print(f"class {label} (probability {probs[label]:.3f}); written to {out}")
        return 0
    prob = nn.predict(model, image, tile=args.tile, overlap=args.overlap,
                      channel_axis=-1 if channels > 1 else None)
    result = dtype.to_uint8(prob) if args.probabilities else (prob > args.threshold).astype("uint8") * 255
    io.imwrite(out, result, overwrite=args.overwrite)
    print(f"{'probability map' if args.probabilities else 'mask'} {result.shape} written to {out}"
          + ("" if args.probabilities else f" ({(result > 0).mean():.1%} foreground)"))
    return 0


def cmd_ops(args) -> int:
    """List the registered operations, or show one operation's schema."""
    from fastdip import pipeline

    ops = pipeline.registry()
    if args.name:
        op = pipeline.get(args.name)
        if args.json:
            _print_json(op.to_dict())
            return 0
        print(f"{op.name} — {op.summary}")
        print(f"kind: {op.kind}   output: {op.output}   dimensions: "
              f"{'any' if op.ndims is None else ', '.join(f'{n}-D' for n in op.ndims)}   dtypes: {op.dtypes}")
        if op.returns:
            print(f"returns: {op.returns}")
        print("parameters:")
        for p in op.params:
            extra = f" one of {', '.join(map(str, p.choices))}" if p.choices else ""
            bound = ("" if p.minimum is None and p.maximum is None else
                     f" >= {p.minimum:g}" if p.maximum is None else f" in [{p.minimum:g}, {p.maximum:g}]")
            state = "required" if p.required else f"default {p.default!r}"
            print(f"  {p.name:<16} {p.type}{extra}{bound}; {state}. {p.help}")
        example = next((f"{p.name}={p.default}" for p in op.params if p.default is not None and p.type != "array"),
                       "")
        print(f"example: fastdip apply in.png -o out.png --op {op.name}{':' + example if example else ''}")
        return 0
    if args.json:
        _print_json([op.to_dict() for op in ops.values()])
        return 0
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(ops)} operations (fastdip ops NAME for one)", show_lines=False)
    for column in ("topic", "operation", "kind", "output", "summary"):
        table.add_column(column, overflow="fold")
    for op in sorted(ops.values(), key=lambda o: (list(pipeline._registry.TOPICS).index(o.name.split(".")[0]),
                                                   o.name)):
        table.add_row(op.topic, op.name, op.kind, op.output, escape(op.summary))
    Console(width=max(100, _terminal_width())).print(table)
    return 0


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def _parse_op(text: str):
    """``NAME[:key=value[,key=value...]]`` -> (NAME, params), values parsed by the operation's schema."""
    from fastdip import pipeline
    from fastdip.pipeline._schema import parse_text

    name, _, rest = text.partition(":")
    op = pipeline.get(name.strip())
    params, depth, current, parts = {}, 0, "", []
    for ch in rest:
        if ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        if ch == "," and depth == 0 and "=" in current and _next_is_key(rest, current, parts):
            parts.append(current)
            current = ""
            continue
        current += ch
    if current:
        parts.append(current)
    for part in parts:
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq:
            raise UsageError(f"--op {text!r}: expected key=value after the name, got {part!r}")
        param = op.param(key)
        if param is None:
            raise UsageError(f"--op {text!r}: {op.name} has no parameter {key!r}; allowed: "
                             f"{', '.join(p.name for p in op.params)}")
        params[key] = parse_text(param, value)
    return op.name, params


def _next_is_key(rest: str, current: str, parts: list) -> bool:
    """A comma ends a key=value pair only when what follows is another ``key=`` (size=3,5 is one value)."""
    consumed = sum(len(p) + 1 for p in parts) + len(current)
    tail = rest[consumed + 1:]
    head = tail.split(",", 1)[0]
    return "=" in head and head.split("=", 1)[0].strip().isidentifier()


def cmd_apply(args) -> int:
    """Apply operations to one image (a pipeline given on the command line)."""
    from pathlib import Path

    from fastdip import io, pipeline

    if not args.op:
        raise UsageError("give at least one --op NAME[:key=value,...] (fastdip ops lists them)")
    try:
        steps = [_parse_op(text) for text in args.op]
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    pipe = pipeline.Pipeline(steps)
    out = Path(args.output)
    if out.exists() and not args.overwrite:
        raise FileExistsError(17, "already exists; pass --overwrite to replace it", str(out))
    if args.save_pipeline:
        pipe.to_file(args.save_pipeline, overwrite=args.overwrite)
    result = pipe.run(_imread(args.input, args))
    if pipe.output == "table":
        if out.suffix.lower() != ".csv":
            raise UsageError(f"this pipeline ends in a measurement: OUT must end in .csv, got {str(out)!r}")
        from fastdip.pipeline._batch import _write_csv

        _write_csv(out, result, overwrite=args.overwrite)
        print(f"{len(result)} rows written to {out}")
    else:
        io.imwrite(out, result, overwrite=args.overwrite)
        print(f"{result.dtype} {result.shape} written to {out}")
    return 0


def _chunks(text: str):
    """``--chunks``: one size for every image axis, or one per axis (``2048`` or ``512,512,3``)."""
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        values = ()
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected a positive chunk size such as 2048, or one per axis such as "
                                         f"512,512,3, got {text!r}")
    return values[0] if len(values) == 1 else values


def cmd_run(args) -> int:
    """Run a pipeline file over many images, or over one image bigger than memory, chunk by chunk."""
    from fastdip import pipeline

    pipe = pipeline.Pipeline.from_file(args.pipeline)
    if args.chunks is not None or args.output.rstrip("/\\").lower().endswith(".zarr"):
        if len(args.inputs) != 1:
            raise UsageError(f"a chunked run (--chunks, or an OUT ending in .zarr) takes one INPUT, got "
                             f"{len(args.inputs)}")
        if args.resume or args.report or args.format or args.recursive:
            raise UsageError("--resume, --report, --format and --recursive apply to runs over many files, not to "
                             "a chunked run (its OUT suffix picks the format: .zarr, .ome.zarr, .tif, .csv)")
        from fastdip import scale

        written = scale.apply(pipe, args.inputs[0], chunks=args.chunks or "auto", scheduler=args.scheduler,
                              out=args.output, overwrite=args.overwrite, progress=not args.quiet, level=args.level,
                              num_workers=args.workers if args.workers > 1 else None)
        print(f"{args.inputs[0]} -> {written}")
        return 0
    if args.scheduler:
        from fastdip import scale

        result = scale.run_files(pipe, args.inputs, args.output, scheduler=args.scheduler, overwrite=args.overwrite,
                                 resume=args.resume, fmt=args.format, report=args.report, recursive=args.recursive,
                                 max_bytes=args.max_bytes, progress=not args.quiet)
    else:
        result = pipeline.run_batch(pipe, args.inputs, args.output, workers=args.workers, overwrite=args.overwrite,
                                    resume=args.resume, fmt=args.format, report=args.report,
                                    recursive=args.recursive, max_bytes=args.max_bytes, progress=not args.quiet)
    for f in result.files:
        if f.status == "failed":
            print(f"{PROG}: failed: {f.input}: {f.error}", file=sys.stderr)
    print(result.summary())
    if result.combined_table:
        print(f"tables combined in {result.combined_table}")
    if args.report:
        print(f"report written to {args.report}")
    return result.exit_code


def cmd_serve(args) -> int:
    """Serve the web playground (image operations and neural networks) until Ctrl-C."""
    try:
        from fastdip import web
    except ImportError as exc:  # pragma: no cover - the web extra is missing
        raise UsageError(f"this command needs the web extra: pip install 'fastdip[web]' ({exc})") from None
    limits = {k: v for k, v in (("max_upload_bytes", args.max_upload), ("max_pixels", args.max_pixels),
                                ("timeout_s", args.timeout), ("workers", args.workers)) if v is not None}
    return web.serve(args.host, args.port, open_browser=args.open, **limits)


def _need_sklearn() -> None:
    import importlib.util

    if importlib.util.find_spec("sklearn") is None:
        raise UsageError("this command needs scikit-learn: pip install 'fastdip[learn]'")


def _sigmas(text: str):
    if text in ("ilastik", "skimage"):
        return text
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'ilastik', 'skimage' or numbers such as 0.7,1,1.6,3.5, "
                                         f"got {text!r}") from None


def cmd_learn(args) -> int:
    """``fastdip learn`` without a subcommand."""
    raise UsageError("a subcommand is required: fit or predict (see 'fastdip learn --help')")


def cmd_learn_fit(args) -> int:
    """Train a pixel classifier on IMAGE SCRIBBLES pairs and save it as a model file."""
    from pathlib import Path

    if len(args.pairs) % 2:
        raise UsageError(f"give IMAGE SCRIBBLES pairs: got {len(args.pairs)} paths")
    out = Path(args.output)
    if out.exists() and not args.overwrite:
        raise FileExistsError(17, "already exists; pass --overwrite to replace it", str(out))
    _need_sklearn()
    from fastdip.learn import PixelClassifier

    images = [_imread(p, args) for p in args.pairs[0::2]]
    scribbles = [_imread(p, args) for p in args.pairs[1::2]]
    scribbles = [s.astype("uint8") if s.dtype == bool else s for s in scribbles]
    features = {"sigmas": args.sigmas} if args.sigmas else {}
    if args.colour:
        features["channel_axis"] = -1
    clf = PixelClassifier(args.estimator, features=features, rng=args.seed).fit(images, scribbles)
    clf.save(out, overwrite=args.overwrite)
    labelled = sum(int((s > 0).sum()) for s in scribbles)
    print(f"{args.estimator}: classes {clf.classes_.tolist()} from {labelled} scribbled pixels in "
          f"{len(images)} image(s), {len(clf.feature_names_)} features; model written to {out}")
    return 0


def cmd_learn_predict(args) -> int:
    """Segment images with a saved pixel classifier; one label image per input in OUTDIR."""
    from pathlib import Path

    _need_sklearn()
    from fastdip import io
    from fastdip.learn import PixelClassifier

    clf = PixelClassifier.load(args.model)
    outdir = Path(args.output)
    outdir.mkdir(parents=True, exist_ok=True)
    failed = 0
    progress = _progress(len(args.images), "predicting", quiet=args.quiet)
    for path in args.images:
        try:
            image = _imread(path, args)
            labels = clf.predict(image)
            target = outdir / (Path(path).name.split(".")[0] + (".png" if labels.ndim == 2 else ".tif"))
            io.imwrite(target, labels, overwrite=args.overwrite)
        except _user_errors() as exc:
            failed += 1
            print(f"{PROG}: failed: {path}: {_one_line(exc)}", file=sys.stderr)
        progress()
    progress(done=True)
    print(f"{len(args.images) - failed} of {len(args.images)} image(s) segmented into {outdir}")
    return 1 if failed else 0


def _progress(total: int, label: str, *, quiet: bool):
    """A rich progress bar on stderr; call it once per item and with done=True at the end."""
    if quiet:
        return lambda done=False: None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task(label, total=total)
    bar.start()

    def step(done=False):
        if done:
            bar.stop()
        else:
            bar.advance(task)

    return step


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
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an unexpected error")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    output = _output_options()
    reading = _read_options()

    p = commands.add_parser(
        "info", parents=[output, reading], formatter_class=fmt, help="shape, dtype and statistics of image files",
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

    p = commands.add_parser(
        "train", formatter_class=fmt, help="train an MLP, CNN or U-Net on a bundled data set",
        description="Train a reference network on data made locally (no download): 'mlp' and 'cnn' on the 8x8 "
                    "handwritten digits (60/20/20 % train/validation/test), 'unet' on synthetic fluorescence "
                    "cell images. Writes DIR/checkpoint.pt (updated every epoch), DIR/history.csv and "
                    "DIR/curves.png (learning curves) and DIR/metrics.json (test accuracy or Dice, time). "
                    "Needs the 'nn' extra (torch) and, for the digits, the 'learn' extra (scikit-learn).",
        epilog="examples:\n  fastdip train mlp --epochs 40 --out runs/mlp\n"
               "  fastdip train unet --epochs 20 --images 48 --out runs/unet\n"
               "  fastdip predict runs/unet/checkpoint.pt cells.png -o mask.png")
    p.add_argument("model", choices=("mlp", "cnn", "unet"), help="which network")
    p.add_argument("--epochs", type=int, metavar="N", help="passes over the training data (default per model)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: train-MODEL)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed of data, weights and shuffling "
                   "(default: %(default)s)")
    p.add_argument("--lr", type=float, metavar="LR", help="learning rate (default per model)")
    p.add_argument("--batch-size", type=int, metavar="B", help="samples per step (default per model)")
    p.add_argument("--images", type=int, metavar="N", help="unet: number of synthetic training images")
    p.add_argument("--overwrite", action="store_true", help="replace the files of an earlier run in DIR")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train)

    p = commands.add_parser(
        "predict", parents=[reading], formatter_class=fmt, help="run a trained network on an image",
        description="Load a checkpoint written by 'fastdip train' and run it on IMAGE. A U-Net writes a mask "
                    "image (0/255, or the probability map with --probabilities) to OUT; large images go "
                    "through overlapping tiles (--tile) blended with Gaussian weights. An MLP/CNN digit "
                    "classifier reads an 8x8 image and writes its class probabilities as JSON to OUT. An "
                    "existing OUT is never replaced unless --overwrite is given.",
        epilog="examples:\n  fastdip predict runs/unet/checkpoint.pt cells.png -o mask.png\n"
               "  fastdip predict runs/unet/checkpoint.pt big.tif -o mask.png --tile 256 --overlap 32\n"
               "  fastdip predict runs/mlp/checkpoint.pt digit8x8.png -o digit.json")
    p.add_argument("checkpoint", metavar="CHECKPOINT", help="checkpoint file from 'fastdip train'")
    p.add_argument("image", metavar="IMAGE", help="image file to run the network on")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output file (image or .json)")
    p.add_argument("--tile", type=int, metavar="N", help="tile size for large images (default: whole image)")
    p.add_argument("--overlap", type=int, default=32, metavar="N", help="tile overlap (default: %(default)s)")
    p.add_argument("--threshold", type=_probability, default=0.5, metavar="T",
                   help="probability above which a pixel is foreground (default: %(default)s)")
    p.add_argument("--probabilities", action="store_true", help="write the probability map (0..255)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.set_defaults(func=cmd_predict)
    p = commands.add_parser(
        "ops", parents=[output], formatter_class=fmt, help="list the operations pipelines can use",
        description="List every registered operation (the steps of 'fastdip apply' and pipeline files), grouped "
                    "by course topic, or show one operation's parameters: type, default, allowed values and help.",
        epilog="examples:\n  fastdip ops\n  fastdip ops filters.gaussian\n  fastdip ops segmentation.binarize --json")
    p.add_argument("name", nargs="?", metavar="NAME", help="one operation, e.g. filters.median")
    p.set_defaults(func=cmd_ops)

    p = commands.add_parser(
        "apply", parents=[reading], formatter_class=fmt, help="apply operations to one image",
        description="Apply a chain of registered operations to IMAGE and write the result to OUT (an image, or "
                    "a CSV when the last operation is a measurement). Each --op is NAME or "
                    "NAME:key=value,key=value with values parsed by the operation's schema (numbers, true/false, "
                    "lists such as size=3,5 or kernel=[[0,1],[1,0]], footprint={\"disk\":3}).",
        epilog="examples:\n  fastdip apply in.png -o out.png --op filters.median:size=5\n"
               "  fastdip apply coins.png -o mask.png --op morphology.tophat:footprint={\\\"disk\\\":40} "
               "--op segmentation.binarize\n"
               "  fastdip apply in.png -o out.png --op filters.gaussian:sigma=2 --save-pipeline smooth.json")
    p.add_argument("input", metavar="IMAGE", help="image file to read")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="image (or .csv) to write")
    p.add_argument("--op", action="append", default=[], metavar="NAME[:k=v,...]", help="an operation (repeatable)")
    p.add_argument("--save-pipeline", metavar="FILE", help="also write the steps as a pipeline file (.json/.yaml)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.set_defaults(func=cmd_apply)

    p = commands.add_parser(
        "run", parents=[reading], formatter_class=fmt, help="run a pipeline file over many images",
        description="Run the pipeline in PIPELINE (.json/.yaml) on every image named by INPUTS (files, folders, "
                    "glob patterns) and write one output per input into OUTDIR, named after the input. Outputs are "
                    "written atomically, never over an input and never over an existing file unless --overwrite; "
                    "--resume skips inputs whose output exists. A file that fails is reported with its reason and "
                    "the rest go on. Measurement pipelines write one CSV per image and OUTDIR/results.csv. Exit "
                    "status: 0 all succeeded, 1 some failed, 2 usage or pipeline errors (nothing touched), 130 "
                    "interrupted (Ctrl-C: no partial files). One image bigger than memory: with --chunks, or an OUT "
                    "ending in .zarr, INPUT (a TIFF/BigTIFF, zarr or OME-Zarr) is processed chunk by chunk with "
                    "Dask (fastdip.scale, the 'scale' extra) into OUT: .zarr, .ome.zarr, a tiled .tif, or .csv for "
                    "a measurement. --scheduler ADDRESS runs on a dask.distributed cluster, for one huge image or "
                    "for a batch of files (the workers need fastdip and the same paths).",
        epilog="examples:\n  fastdip run examples/coins_count.json coins.png -o counts/\n"
               "  fastdip run denoise.yaml scans/ -o out/ --recursive --workers 2 --format tif --report run.json\n"
               "  fastdip run denoise.yaml 'scans/*.png' -o out/ --resume\n"
               "  fastdip run denoise.yaml big.tif -o big.ome.zarr --chunks 2048\n"
               "  fastdip run denoise.yaml scans/ -o out/ --scheduler tcp://10.0.0.5:8786")
    p.add_argument("pipeline", metavar="PIPELINE", help="pipeline file (.json, .yaml)")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, folders or glob patterns")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder (created if needed)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default: %(default)s)")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    p.add_argument("--resume", action="store_true", help="skip inputs whose output already exists")
    p.add_argument("--format", choices=("png", "tif", "npy"), help="output image format (default: the input's "
                   "own png/tif/npy, else tif)")
    p.add_argument("--report", metavar="FILE", help="write a JSON report of every file")
    p.add_argument("--recursive", action="store_true", help="descend into sub-folders of folder inputs")
    p.add_argument("--chunks", type=_chunks, metavar="SIZE[,SIZE...]", help="process one big INPUT in chunks of "
                   "this size (per axis, or one for all) with Dask; default for an OUT ending in .zarr: automatic")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a dask.distributed scheduler (tcp://host:8786), "
                   "'distributed' (a local cluster) or 'processes'")
    p.add_argument("--level", type=int, default=0, metavar="N", help="the OME-Zarr/pyramid level of a chunked "
                   "INPUT (default: %(default)s, full resolution)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)

    p = commands.add_parser(
        "learn", formatter_class=fmt, help="train a pixel classifier from scribbles and segment images with it",
        description="Pixel classification (ilastik / Trainable Weka style): 'fit' trains a random forest on "
                    "the scribbled pixels of one or more images (a scribble image per image: 0 unlabelled, "
                    "1..k classes) and saves a model file (arrays + JSON, never pickle); 'predict' segments "
                    "images with it, one label image per input in OUTDIR. Needs the 'learn' extra.",
        epilog="examples:\n  fastdip learn fit cells.png cells_scribbles.png -o cells.model.npz\n"
               "  fastdip learn predict cells.model.npz scans/*.png -o labels/")
    p.set_defaults(func=cmd_learn)
    learn = p.add_subparsers(title="subcommands", dest="learn_command", metavar="SUBCOMMAND")
    q = learn.add_parser(
        "fit", parents=[reading], formatter_class=fmt, help="train on IMAGE SCRIBBLES pairs; write MODEL",
        description="Train a pixel classifier on the scribbled pixels of each IMAGE (SCRIBBLES: an integer "
                    "image of the same size, 0 = unlabelled, 1..k = classes) and write it to MODEL. An existing "
                    "MODEL is never replaced unless --overwrite is given.",
        epilog="examples:\n  fastdip learn fit a.png a_marks.png b.png b_marks.png -o model.npz\n"
               "  fastdip learn fit rgb.png marks.png -o model.npz --colour --sigmas ilastik --seed 1")
    q.add_argument("pairs", nargs="+", metavar="IMAGE SCRIBBLES", help="image and scribble files, in pairs")
    q.add_argument("-o", "--output", required=True, metavar="MODEL", help="model file to write (.npz)")
    q.add_argument("--estimator", choices=("random_forest", "extra_trees"), default="random_forest",
                   help="the learner (default: %(default)s)")
    q.add_argument("--sigmas", type=_sigmas, metavar="S", help="feature scales: ilastik, skimage or a list "
                   "such as 0.7,1,1.6,3.5,5,10 (default)")
    q.add_argument("--colour", action="store_true", help="colour images: features per channel (last axis)")
    q.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: %(default)s)")
    q.add_argument("--overwrite", action="store_true", help="replace an existing MODEL")
    q.set_defaults(func=cmd_learn_fit)
    q = learn.add_parser(
        "predict", parents=[reading], formatter_class=fmt, help="segment IMAGES with MODEL into OUTDIR",
        description="Segment every IMAGE with a model from 'fastdip learn fit' and write its label image to "
                    "OUTDIR/NAME.png (NAME.tif for volumes). Existing outputs are never replaced unless "
                    "--overwrite is given. A file that fails is reported and the rest go on. Exit status: 0 "
                    "all succeeded, 1 some failed, 2 usage or model errors.",
        epilog="examples:\n  fastdip learn predict model.npz scan1.png scan2.png -o labels/\n"
               "  fastdip learn predict model.npz scans/*.tif -o labels/ --overwrite -q")
    q.add_argument("model", metavar="MODEL", help="model file from 'fastdip learn fit'")
    q.add_argument("images", nargs="+", metavar="IMAGE", help="image files to segment")
    q.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder (created if needed)")
    q.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    q.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    q.set_defaults(func=cmd_learn_predict)
    p = commands.add_parser(
        "serve", formatter_class=fmt, help="the web playground: operations and neural networks, live",
        description="Serve the playground at http://127.0.0.1:PORT/: pick a bundled image or drop one in, chain "
                    "registered operations and watch each result, its histogram and spectrum update while a "
                    "slider moves; export the result, the pipeline file (for 'fastdip run') or a Python script. "
                    "/nn is the neural-network playground. Listens on 127.0.0.1 only unless --host says otherwise "
                    "(a warning is printed). Needs the 'web' extra.",
        epilog="examples:\n  fastdip serve                   http://127.0.0.1:8000/\n"
               "  fastdip serve --port 0 --open   a free port, opened in the browser\n"
               "  fastdip serve --max-upload 200M --max-pixels 100000000")
    p.add_argument("--port", type=int, default=8000, metavar="N", help="port (0: a free one; default: %(default)s)")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    p.add_argument("--open", action="store_true", help="open the page in the web browser")
    p.add_argument("--max-upload", type=_positive_size, metavar="SIZE", help="largest upload (default 50M)")
    p.add_argument("--max-pixels", type=int, metavar="N", help="largest image in pixels (default 40000000)")
    p.add_argument("--timeout", type=float, metavar="S", help="time limit of one request in seconds (default 60)")
    p.add_argument("--workers", type=int, metavar="N", help="threads running operations (default 2-4)")
    p.set_defaults(func=cmd_serve)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    errors = [UsageError, ValueError, TypeError, OSError, KeyError]
    io = sys.modules.get("fastdip.io")
    if io is not None and hasattr(io, "ImageReadError"):
        errors.append(io.ImageReadError)
    return tuple(errors)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return " ".join(str(exc.args[0]).split())
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        text = f"{exc.filename}: {exc.strerror}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def main(argv=None) -> int:
    """Run the ``fastdip`` command line; returns the exit status (0 ok, 1 a tour section failed or an
    unexpected error, 2 a usage or input error).

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
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted anywhere on the line
    argv = [a for a in argv if a != "--debug"]
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
        if debug:
            raise
        if not isinstance(exc, _user_errors()):
            # a bug or an environment problem (out of memory, a library failing): one line, status 1
            print(f"{PROG}: error: unexpected {type(exc).__name__}: {_one_line(exc)} "
                  f"(run with --debug to see the traceback)", file=sys.stderr)
            return 1
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
