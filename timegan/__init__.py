"""TimeGAN for financial time series, in Keras 3.

Public API::

    from timegan import TimeGAN, TimeGANConfig, load_prices, load_run

Names are imported on first use, so `import timegan` does not load TensorFlow until a model
is needed.
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "BestModel": "timegan.callbacks",
    "Checkpoint": "timegan.callbacks",
    "PhaseTensorBoard": "timegan.callbacks",
    "ProgressBar": "timegan.callbacks",
    "TimeGANConfig": "timegan.config",
    "FIELDS": "timegan.data",
    "bundled_tickers": "timegan.data",
    "load_prices": "timegan.data",
    "read_price_csv": "timegan.data",
    "TimeGAN": "timegan.model",
    "frame_to_windows": "timegan.windows",
    "windows_to_frame": "timegan.windows",
    "FeatureScaler": "timegan.preprocessing",
    "align_prices": "timegan.preprocessing",
    "make_windows": "timegan.preprocessing",
    "Run": "timegan.run",
    "load_run": "timegan.run",
    "train_run": "timegan.run",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'timegan' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_EXPORTS])
