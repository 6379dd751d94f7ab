"""A training run directory: what `scripts/train.py` writes and `load_run` reads back.

Layout::

    run.json            what was asked (config, steps, data) and the package version
    prices.csv          the aligned real prices the model was trained on (original units)
    checkpoint/         latest checkpoint while training (a saved TimeGAN), for --resume
    model/              the trained TimeGAN (`TimeGAN.load`)
    synthetic.csv       generated windows in price units, tidy: sample, step, ticker, field, value
    losses.csv          loss history, one row per step
    loss_curve.png      the losses per phase
    paths_<TICKER>.png  real windows beside synthetic ones, per ticker
"""

import dataclasses
import json
import logging
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from timegan import _atomic
from timegan.callbacks import Checkpoint, PhaseTensorBoard
from timegan.config import TimeGANConfig
from timegan.model import TimeGAN, distribution_strategy, frame_to_windows, windows_to_frame
from timegan.plots import plot_losses, plot_real_vs_synthetic
from timegan.preprocessing import check_window_count, make_windows

logger = logging.getLogger(__name__)

RUN_MARKERS = ("run.json", "model", "checkpoint")
_RUN_OUTPUTS = ("run.json", "prices.csv", "model", "checkpoint", "synthetic.csv", "losses.csv", "loss_curve.png")


@dataclasses.dataclass
class Run:
    """A training run read back from disk (see the module docstring for the files)."""

    path: Path
    model: TimeGAN
    prices: pd.DataFrame
    synthetic: np.ndarray | None
    losses: pd.DataFrame | None
    info: dict

    @property
    def feature_names(self):
        return list(self.model.feature_names)

    @property
    def real_windows(self):
        """Real windows (n_rows - seq_len + 1, seq_len, n_features) in time order, original units."""
        return make_windows(self.prices.to_numpy(), self.model.config.seq_len)


def holds_run(directory):
    """True if `directory` contains a run (or the start of one)."""
    directory = Path(directory)
    return any((directory / marker).exists() for marker in RUN_MARKERS)


def train_run(output_dir, prices=None, config=None, steps=None, n_synthetic=None, checkpoint_every=500,
              log_dir=None, resume=False, overwrite=False, progress=True, distribute="none"):
    """Trains a TimeGAN on `prices` and writes a complete run directory.

    Args:
        output_dir: run directory to create (or to resume).
        prices: aligned prices (DataFrame from `load_prices`); ignored when resuming, which
            reuses the run's own `prices.csv`.
        config: `TimeGANConfig`; ignored when resuming (the checkpoint's config is used).
        steps: steps per phase, int or (embedding, supervised, joint). Required unless
            resuming, where it defaults to the steps the run was started with.
        n_synthetic: windows to generate; default as many as there are real windows.
        checkpoint_every: steps between checkpoints (also saved at each phase end).
        log_dir: TensorBoard log directory, or None.
        resume: continue from `output_dir/checkpoint` at the saved phase and step.
        overwrite: replace a run already in `output_dir`.
        progress: show progress bars.
        distribute: "none", "mirrored" (all devices of this machine) or "multiworker" (the
            machines in `TF_CONFIG`); see `timegan.model.distribution_strategy`.

    Returns:
        The finished `Run`.

    Raises:
        FileExistsError: if `output_dir` holds a run and neither `resume` nor `overwrite` is set.
        FileNotFoundError: if `resume` is set and there is no checkpoint.
        ValueError: on data too short for `seq_len` or `batch_size`, and other bad values.
    """
    output_dir = Path(output_dir)
    strategy = distribution_strategy(distribute)
    if resume:
        with strategy.scope():
            model, prices, steps = _resume_state(output_dir, steps)
    else:
        if config is None:
            config = TimeGANConfig()
        if prices is None or steps is None:
            raise ValueError("Expected `prices` and `steps` for a new run.")
        check_window_count(len(prices), config.seq_len, config.batch_size)
        if output_dir.exists() and holds_run(output_dir):
            if not overwrite:
                raise FileExistsError(
                    f"Output directory {str(output_dir)!r} already holds a run; pass --overwrite to replace it "
                    "or --resume to continue it"
                )
            _remove_run(output_dir)
        with strategy.scope():
            model = TimeGAN(config)
        _atomic.write_json(output_dir / "run.json", {
            "config": config.to_dict(),
            "steps": list(steps) if isinstance(steps, (tuple, list)) else steps,
            "tickers": list(dict.fromkeys(str(c[0]) for c in prices.columns)),
            "fields": list(dict.fromkeys(str(c[1]) for c in prices.columns)),
            "sources": prices.attrs.get("sources", {}),
            "rows_dropped": prices.attrs.get("rows_dropped", 0),
        })
        _atomic.write_text(output_dir / "prices.csv", prices.to_csv(date_format="%Y-%m-%d"))

    import keras

    callbacks = [keras.callbacks.TerminateOnNaN(), Checkpoint(output_dir / "checkpoint", every=checkpoint_every)]
    if log_dir is not None:
        callbacks.append(PhaseTensorBoard(log_dir))
    model.fit(prices, steps=steps, callbacks=callbacks, progress=progress)
    if model.stop_training:
        raise ValueError(f"Training diverged (a non-finite loss) in the {model.phase} phase at step "
                         f"{model.steps_done[model.phase]}; the last finite state is in {str(output_dir / 'checkpoint')!r}")
    model.save(output_dir / "model")
    history = model.losses()
    _atomic.write_text(output_dir / "losses.csv", history.to_csv(index=False))
    _save_and_close(plot_losses(history), output_dir / "loss_curve.png")

    real = make_windows(prices.to_numpy(), model.config.seq_len)
    synthetic = model.generate(n_synthetic or len(real), seed=model.config.seed)
    frame = windows_to_frame(synthetic, model.feature_names)
    _atomic.write_text(output_dir / "synthetic.csv", frame.to_csv(index=False, float_format="%.6g"))
    for ticker in dict.fromkeys(name[0] for name in model.feature_names):
        figure = plot_real_vs_synthetic(real, synthetic, model.feature_names, ticker, seed=model.config.seed)
        _save_and_close(figure, output_dir / f"paths_{_safe(ticker)}.png")
    return Run(output_dir, model, prices, synthetic, history, _read_info(output_dir))


def load_run(path):
    """Reads a run directory written by `train_run` / `scripts/train.py`.

    Raises:
        FileNotFoundError: if `path` is not a directory.
        ValueError: if the run is incomplete (training not finished) or unreadable.
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"No run directory at {str(path)!r}")
    missing = [name for name in ("run.json", "prices.csv", "model") if not (path / name).exists()]
    if missing:
        raise ValueError(f"Run directory {str(path)!r} is incomplete (missing {missing}); finish it with --resume")
    model = TimeGAN.load(path / "model")
    prices = read_prices_csv(path / "prices.csv")
    synthetic = None
    if (path / "synthetic.csv").is_file():
        synthetic, _ = frame_to_windows(pd.read_csv(path / "synthetic.csv"), model.feature_names)
    losses = pd.read_csv(path / "losses.csv") if (path / "losses.csv").is_file() else model.losses()
    return Run(path, model, prices, synthetic, losses, _read_info(path))


def read_prices_csv(path):
    """Reads a `prices.csv` written by a run: two header rows (ticker, field), Date index."""
    prices = pd.read_csv(path, header=[0, 1], index_col=0, parse_dates=True)
    prices.columns = prices.columns.set_names(["ticker", "field"])
    prices.index.name = "Date"
    return prices.astype("float64")


def _resume_state(output_dir, steps):
    checkpoint = output_dir / "checkpoint"
    if not checkpoint.is_dir():
        raise FileNotFoundError(f"Nothing to resume: no checkpoint in {str(output_dir)!r}")
    if not (output_dir / "prices.csv").is_file() or not (output_dir / "run.json").is_file():
        raise ValueError(f"Cannot resume {str(output_dir)!r}: run.json or prices.csv is missing")
    model = TimeGAN.load(checkpoint)
    if steps is None:
        saved = _read_info(output_dir).get("steps")
        steps = tuple(saved) if isinstance(saved, list) else saved
    logger.info("Resuming from %s at %s.", checkpoint, model.steps_done)
    return model, read_prices_csv(output_dir / "prices.csv"), steps


def _remove_run(output_dir):
    for name in _RUN_OUTPUTS:
        target = output_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for target in output_dir.glob("paths_*.png"):
        target.unlink()


def _read_info(path):
    with open(Path(path) / "run.json", encoding="utf-8") as handle:
        return json.load(handle)


def _save_and_close(figure, path):
    try:
        _atomic.save_figure(figure, path, dpi=110)
    finally:
        plt.close(figure)


def _safe(name):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name))
