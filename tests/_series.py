"""Small synthetic series shared by the tests (a module of its own: `conftest` names are ambiguous
between test folders, this one is not)."""

import numpy as np


def sine_series(n=64, seq_len=4, dim=2, seed=0):
    """`n` windows (n, seq_len, dim) of sines in [0, 10], random frequency and phase per window.

    Four steps by default: a TimeGAN's joint-phase graph, which each new model traces, grows with
    the window (about 8 CPU-seconds at 8 steps, 4 at 4)."""
    rng = np.random.default_rng(seed)
    t = np.arange(seq_len)[None, :, None]
    return 5 + 5 * np.sin(rng.uniform(0.2, 0.6, (n, 1, dim)) * t + rng.uniform(0, np.pi, (n, 1, dim)))
