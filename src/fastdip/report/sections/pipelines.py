"""Tour section: pipelines — the coins count as a declarative pipeline file, shown next to its result."""

from __future__ import annotations

import json

import numpy as np

from fastdip.report import Section

TITLE = "Pipelines and batch processing"
SLUG = "pipelines"

#: the course's coin count as pipeline steps (examples/coins_count.json holds the same steps)
COINS_STEPS = [
    {"op": "morphology.tophat", "params": {"footprint": {"disk": 40}}},
    {"op": "segmentation.binarize", "params": {"threshold": "otsu"}},
    {"op": "segmentation.fill_holes", "params": {}},
    {"op": "segmentation.remove_small_objects", "params": {"min_size": 150}},
    {"op": "morphology.open", "params": {"footprint": {"disk": 2}}},
    {"op": "segmentation.label", "params": {}},
    {"op": "measure.regionprops", "params": {"intensity": "@input"}},
]
#: a local (neighbourhood-only) pipeline whose halo the section reports
SMOOTH_STEPS = [("filters.median", {"size": 5}), ("filters.gaussian", {"sigma": 1.0}),
                ("morphology.open", {"footprint": {"disk": 2}})]


def run(ctx) -> Section:
    from fastdip import data, pipeline, viz

    section = Section(TITLE, SLUG)
    ops = pipeline.registry()
    kinds = {k: sum(op.kind == k for op in ops.values()) for k in pipeline.KINDS}
    section.text(
        f"Every public operation that maps an image to an image or to a table is registered under its dotted "
        f"name ({len(ops)} of them: {', '.join(f'{n} {k}' for k, n in kinds.items())}) with a parameter "
        "schema read from its signature and docstring. A pipeline is an ordered list of such steps, stored as "
        "JSON or YAML and checked completely before anything runs; `fastdip run PIPELINE scans/ -o out/` runs "
        "it over a folder in worker processes, and `fastdip apply` over one image."
    )
    counting = pipeline.Pipeline(COINS_STEPS)
    coins = data.coins()
    masks = pipeline.Pipeline(COINS_STEPS[:-1]).run(coins)
    table = counting.run(coins)
    text = '{"version": 1, "steps": [\n' + ",\n".join(
        f' {{"op": "{step.op}",\n  "params": {json.dumps(step.params)}}}' for step in counting.steps) + "]}"
    fig, (left, right) = viz.new_figure(1, 2, size=(5.2, 4.2))
    left.text(0.0, 0.95, text, family="monospace", fontsize=6.5, va="top", ha="left", transform=left.transAxes)
    left.set_axis_off()
    left.set_title("examples/coins_count.json", fontsize="medium")
    viz.show_image(_colours(masks), right, title=f"its result: {len(table)} coins")
    for r, c, label in zip(table.data["centroid_0"], table.data["centroid_1"], table.data["label"]):
        right.text(c, r, str(label), fontsize=6, ha="center", va="center")
    section.figure(ctx.save(fig, "coins-pipeline"), "The coin count as a pipeline file (left) and what "
                   "`fastdip run examples/coins_count.json coins.png -o counts/` computes (right): one table row "
                   "per coin, numbered at its centroid.")
    smooth = pipeline.Pipeline(SMOOTH_STEPS)
    rows = [(op.name, op.kind, str(op.halo(values, 2)))
            for op, values in ((pipeline.get(s["op"]), {}) for s in COINS_STEPS)]
    section.table(("step", "kind", "halo (rows, cols)"), rows, "The coin pipeline's steps: global steps need the "
                  "whole image (their halo is None), so this pipeline runs per file, not per tile.")
    section.table(("quantity", "value"), (
        ("registered operations", len(ops)),
        ("coins counted by the pipeline", len(table)),
        ("columns of its table", len(table.columns)),
        ("halo of median 5 -> Gaussian σ 1 -> opening r 2 (rows)", smooth.halo(2)[0]),
    ), "Measured on the bundled coins image.")
    return section


def _colours(labels):
    """Each label a stable pseudo-random colour, background black."""
    rng = np.random.default_rng(7)
    palette = rng.integers(60, 256, (int(labels.max()) + 1, 3), dtype=np.uint8)
    palette[0] = 0
    return palette[labels]
