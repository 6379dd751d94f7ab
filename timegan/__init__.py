"""TimeGAN for financial time series, in Keras 3.

Public API::

    from timegan import TimeGAN, TimeGANConfig, load_prices, load_run
"""

__version__ = "0.1.0"

from timegan.callbacks import Callback, Checkpoint, ProgressBar, TensorBoard
from timegan.config import TimeGANConfig
from timegan.data import FIELDS, bundled_tickers, load_prices, read_price_csv
from timegan.model import TimeGAN, frame_to_windows, windows_to_frame
from timegan.preprocessing import FeatureScaler, align_prices, make_windows

__all__ = [
    "Callback",
    "Checkpoint",
    "FIELDS",
    "FeatureScaler",
    "ProgressBar",
    "TensorBoard",
    "TimeGAN",
    "TimeGANConfig",
    "align_prices",
    "bundled_tickers",
    "frame_to_windows",
    "load_prices",
    "make_windows",
    "read_price_csv",
    "windows_to_frame",
]
