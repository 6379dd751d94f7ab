"""What `train.py` hands to `train_run`, without training: for the tests of its options."""

import pytest


class Captured(Exception):
    """Raised by the stand-in for `train_run` once it has what the command passed."""


def train_command_config(argv, monkeypatch):
    """The `TimeGANConfig` that `train.py argv` would train (the options parsed, the data loaded and
    every rule that depends on it applied), caught where the command calls `train_run`."""
    import timegan.cli.train
    import timegan.run

    passed = {}

    def stand_in(output_dir, **arguments):
        passed.update(arguments)
        raise Captured

    monkeypatch.setattr(timegan.run, "train_run", stand_in)  # the command imports it when it runs
    with pytest.raises(Captured):
        timegan.cli.train.main(argv)
    return passed["config"]
