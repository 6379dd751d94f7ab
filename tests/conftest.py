"""Shared fixtures: seeding, tiny data, a tiny TimeGAN config, a fake Yahoo Finance."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from _series import sine_series  # noqa: E402


def pytest_addoption(parser, pluginmanager):
    """setup.cfg runs the suite on pytest-xdist workers (`-n auto`). Without the plugin (`-p no:xdist`,
    or pytest alone) `-n` is accepted and ignored, and the suite runs in this one process."""
    if not pluginmanager.has_plugin("xdist"):
        group = parser.getgroup("xdist", "distributed testing (pytest-xdist is not loaded: one process)")
        group._addoption("-n", "--numprocesses", dest="numprocesses", default=None, help="ignored")


def pytest_configure(config):
    """An xdist worker (one per core) runs TensorFlow and the BLAS on one thread each: their pools
    are sized to every core of the machine, and two workers on two cores would run twice as many
    threads as there are cores. Processes the tests start keep the defaults."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import tensorflow as tf
        from threadpoolctl import threadpool_limits

        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        threadpool_limits(1)


@pytest.fixture(scope="session", autouse=True)
def graph_optimizer_off():
    """TensorFlow's graph optimizer (Grappler) rewrites every traced function before its first run:
    on the tests' tiny models that costs more than it saves (test_model.py: 22% less CPU without it).
    The tests check what the code computes, which the optimizer must not change; runs outside
    the tests keep it."""
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})


def no_global_seed():
    """TensorFlow's state of a fresh process: no global seed. tf.data's seeded shuffles (the
    training batches, `timegan.preprocessing.window_dataset`) combine their seed with the global
    one, so a test that sets it (`keras.utils.set_random_seed`) would change the batches of every
    later test in its worker, and the tests' results would depend on their order."""
    import tensorflow as tf

    if tf.compat.v1.random.get_seed(None)[0] is not None:
        tf.random.set_seed(None)


@pytest.fixture(autouse=True)
def fresh_global_seed():
    """Each test starts and ends with no global seed (`no_global_seed`)."""
    no_global_seed()
    yield
    no_global_seed()


@pytest.fixture
def seed():
    import keras

    keras.utils.set_random_seed(0)
    return 0


@pytest.fixture
def sine_windows():
    """64 windows (64, 8, 2) of noisy sines in [0, 10]."""
    rng = np.random.default_rng(0)
    t = np.arange(8)[None, :, None]
    freq = rng.uniform(0.2, 0.6, size=(64, 1, 2))
    phase = rng.uniform(0, np.pi, size=(64, 1, 2))
    return 5 + 5 * np.sin(freq * t + phase)


@pytest.fixture
def tiny_config():
    from timegan import TimeGANConfig

    return TimeGANConfig(seq_len=8, hidden_dim=4, num_layers=2, batch_size=8, seed=0)


def yahoo_frame(ticker, prices):
    """A frame shaped like `yfinance.download(ticker, auto_adjust=False)` returns it (yfinance >= 0.2.48)."""
    frame = prices.copy()
    frame.columns = pd.MultiIndex.from_product([frame.columns, [ticker]], names=["Price", "Ticker"])
    frame.index = pd.DatetimeIndex(frame.index, name="Date")
    return frame


@pytest.fixture(autouse=True)
def fake_yahoo(monkeypatch, tmp_path):
    """No test touches the network: `yfinance.download` is replaced and the cache is a temp dir.

    The fake is offline by default (empty frames, as yfinance returns without internet); set
    `fake_yahoo.online = True` to serve a small history for tickers AAA and BBB in yfinance's
    real output shape. Calls are recorded in `fake_yahoo.calls`.
    """
    import yfinance

    class Fake:
        def __init__(self):
            dates = pd.bdate_range("2021-01-04", periods=60)
            rng = np.random.default_rng(1)
            self.histories = {}
            for i, ticker in enumerate(("AAA", "BBB")):
                close = 50 * (i + 1) * np.exp(np.cumsum(rng.normal(0, 0.01, len(dates))))
                self.histories[ticker] = pd.DataFrame(
                    {
                        "Adj Close": close * 0.98,
                        "Close": close,
                        "High": close * 1.01,
                        "Low": close * 0.99,
                        "Open": close,
                        "Volume": rng.integers(1e5, 1e6, len(dates)).astype(float),
                    },
                    index=dates,
                )
            self.calls = []
            self.online = False

        def download(self, tickers, **kwargs):
            self.calls.append((tickers, kwargs))
            columns = pd.MultiIndex.from_product(
                [["Adj Close", "Close", "High", "Low", "Open", "Volume"], [tickers]], names=["Price", "Ticker"]
            )
            if not self.online or tickers not in self.histories:
                return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([], name="Date"))
            return yahoo_frame(tickers, self.histories[tickers])

    fake = Fake()
    monkeypatch.setattr(yfinance, "download", fake.download)
    monkeypatch.setenv("TIMEGAN_CACHE_DIR", str(tmp_path / "price-cache"))
    return fake


@pytest.fixture(scope="session")
def trained_timegan(tmp_path_factory):
    """One tiny TimeGAN (seq_len 4, hidden 4, one layer, batch 8, seed 0) trained 3 steps per phase
    on `sine_series()`, and the directory it was saved to. Shared by the tests that only read it:
    do not train or change it."""
    from timegan import TimeGAN, TimeGANConfig

    no_global_seed()  # as the tests that compare with it train, whatever fixture came first
    model = TimeGAN(TimeGANConfig(seq_len=4, hidden_dim=4, num_layers=1, batch_size=8, seed=0))
    model.fit(sine_series(), steps=3, progress=False)
    path = tmp_path_factory.mktemp("saved") / "model"
    model.save(path)
    return model, path
