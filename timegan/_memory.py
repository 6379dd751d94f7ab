"""How much memory this process may use, and the bound every generator of windows checks.

`TimeGAN.generate` holds its whole output, so a huge `n` (or path length) would grow until the
machine runs out of memory; `check_windows_fit` refuses it first, naming the largest `n` that
fits. `timegan.run.train_run` applies the same bound to `--n-synthetic`.
"""

import os
from pathlib import Path

# Memory one generated value costs: the float32 network output, the float64 array in the data's
# units and its scaled copy during the inverse transform.
BYTES_PER_GENERATED_VALUE = 4 + 8 + 8


def available_memory():
    """Bytes of memory this process may use: physical memory, or a lower container limit; None if unknown."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def format_bytes(n):
    """`n` bytes as "512 B", "11.2 KiB", "23.5 GiB"."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024


def check_windows_fit(n, seq_len, n_features, name="n", available=None):
    """Refuses `n` generated windows of `seq_len x n_features` values that cannot fit in half the memory.

    Args:
        n: windows asked for.
        seq_len: steps per window.
        n_features: features per step.
        name: the argument's name in the message (`n`, `n_synthetic`).
        available: bytes of memory; default `available_memory()` (no check if unknown).

    Raises:
        ValueError: naming `name`, the largest number of windows that fits and the memory.
    """
    available = available_memory() if available is None else available
    if available is None:
        return
    limit = int(available // 2 // (seq_len * n_features * BYTES_PER_GENERATED_VALUE))
    if n > limit:
        raise ValueError(
            f"Expected {name} <= {limit} (windows of {seq_len} x {n_features} values that fit in half of the "
            f"{format_bytes(available)} of memory). Received: {name}={n}"
        )
