"""Prints (or writes) the markdown results table of evaluated image-GAN runs.

    python scripts/image_results_table.py runs/images/mnist/* runs/images/fashion-mnist/* --output table.md

Reads `metrics.json` (written by evaluate_images.py) from every run directory given.
"""

import argparse
import json
import sys
from pathlib import Path

from timegan._atomic import write_text
from timegan.cli._common import ArgumentParser, echo, run

PROG = "image_results_table"
HEADER = (
    "| dataset | run | model | loss | optimizer (lr, k) | remedy | epochs x images | train time (s) | "
    "Frechet distance (floor) | classifier score (ceiling) | classes covered | KL to uniform |"
)


STACKED_HEADER = (
    "| dataset | run | model | loss | remedy | epochs x images | train wall s (CPU s, load) | "
    "modes covered (real) | KL to uniform (real) |"
)


def _stacked_row(name, m):
    remedy = ", ".join(
        label
        for flag, label in (("minibatch_discrimination", "minibatch discr."), ("noise_layer", "noise layer"))
        if m.get(flag)
    )
    if m.get("packing", 1) > 1:
        remedy = ", ".join(filter(None, [remedy, f"packing {m['packing']}"]))
    cpu = m.get("cpu_seconds")
    load = m.get("load_average")
    time = f"{m['train_seconds']:.0f}" + (f" ({cpu:.0f}, {load[0]:.0f})" if cpu is not None and load else "")
    modes = "diverged" if m.get("diverged") else f"{m['modes_covered']}"
    kl = "-" if m.get("diverged") else f"{m['kl_to_uniform']:.2f}"
    return (
        f"| {m['dataset']} | {name} | {m['architecture']} | {m['loss']} | {remedy or '-'} | "
        f"{m['epochs']} x {m['train_images']} | {time} | {modes} ({m['modes_covered_real']}) | "
        f"{kl} ({m['kl_to_uniform_real']:.3f}) |"
    )


def _optimizer(run_dir, m):
    """`adam (0.0002, k=1)` from the run's config.json, or the bare name if it is unreadable."""
    try:
        gan = json.loads((Path(run_dir) / "config.json").read_text(encoding="utf-8"))["gan"]
        return f"{gan['optimizer']} ({gan['generator_lr']:g}, k={gan['discriminator_steps']})"
    except (OSError, KeyError, TypeError, json.JSONDecodeError):
        return m["optimizer"]


def _row(name, m, optimizer):
    remedy = (
        ", ".join(
            label
            for flag, label in (
                ("minibatch_discrimination", "minibatch discr."),
                ("noise_layer", "noise layer"),
                ("conditional", "conditional"),
            )
            if m.get(flag)
        )
        or "-"
    )
    extra = f" (label acc. {m['label_accuracy']:.2f})" if m.get("label_accuracy") is not None else ""
    if m.get("conditioning"):
        extra = f", {m['conditioning']}{extra}"
    if m.get("diverged"):
        return (
            f"| {m['dataset']} | {name} | {m['architecture']} | {m['loss']} | {optimizer} | {remedy} | "
            f"{m['epochs']} x {m['train_images']} | {m['train_seconds']:.0f} | diverged (NaN) ({m['frechet_floor']:.2f}) | "
            f"- ({m['classifier_score_real']:.2f}) | - | - |"
        )
    return (
        f"| {m['dataset']} | {name} | {m['architecture']} | {m['loss']} | {optimizer} | {remedy}{extra} | "
        f"{m['epochs']} x {m['train_images']} | {m['train_seconds']:.0f} | "
        f"{m['frechet_distance']:.1f} ({m['frechet_floor']:.2f}) | {m['classifier_score']:.2f} ({m['classifier_score_real']:.2f}) | "
        f"{m['classes_covered']}/{len(m['class_histogram'])} | {m['kl_to_uniform']:.3f} |"
    )


def main(argv=None):
    parser = ArgumentParser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="run directories holding metrics.json")
    parser.add_argument("--output", help="write the table to this file as well")
    args = parser.parse_args(argv)

    def _main():
        rows, stacked = [], []
        for run_dir in args.runs:
            path = Path(run_dir) / "metrics.json"
            if not path.is_file():
                raise OSError(f"No metrics.json in {str(run_dir)!r}; run evaluate_images.py --run {run_dir} first.")
            try:
                metrics = json.loads(path.read_text(encoding="utf-8"))
                if "modes_covered_real" in metrics:
                    stacked.append(_stacked_row(Path(run_dir).name, metrics))
                else:
                    rows.append(_row(Path(run_dir).name, metrics, _optimizer(run_dir, metrics)))
            except (json.JSONDecodeError, KeyError) as error:
                raise ValueError(f"Malformed metrics.json in {str(run_dir)!r}: {error!r}") from None
        tables = []
        for header, lines in ((HEADER, rows), (STACKED_HEADER, stacked)):
            if lines:
                tables.append("\n".join([header, "|" + "---|" * header.count(" | ") + "---|", *lines]))
        table = "\n\n".join(tables) + "\n"
        if args.output:
            write_text(args.output, table)
        echo(table.rstrip("\n"))

    return run(_main, PROG)


if __name__ == "__main__":
    sys.exit(main())
