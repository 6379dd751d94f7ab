"""Noise channels that persist over time, for window-level regimes (docs/many_series.md).

The paper's generator gets i.i.d. uniform noise at every step. A regime that holds for a whole
window (a calm or turbulent month, a month in which every stock moves with the market) must then
be built by the recurrent state from many independent draws, and the 20-ticker runs show it is
not: their windows' volatilities and mean correlations vary far less from window to window than
the real ones (docs/many_series.md, "What gives 20 series away"). `persistent_channels` turns
the last channels of the noise into a stationary AR(1) process in time, with uniform marginals
like the other channels, so a regime is one input away.
"""

import math

import numpy as np
import tensorflow as tf

# Steps per matrix product of the recursion: bounded, so that long generated paths cost O(steps).
_BLOCK = 64


def persistent_channels(z, count, persistence, block=_BLOCK):
    """Makes the last `count` channels of uniform noise persist over time.

    For each of those channels, with e_t = Phi^{-1}(z_t) (standard normal, Phi its distribution
    function): s_0 = e_0, s_t = phi s_{t-1} + sqrt(1 - phi^2) e_t, a stationary Gaussian AR(1)
    with unit variance and autocorrelation phi^k at lag k; the channel becomes Phi(s_t), uniform
    on (0, 1) again. The other channels are returned unchanged, and each sample depends only on
    its own noise.

    Args:
        z: uniform noise in [0, 1), (batch, time, channels), with a static time length.
        count: how many of the last channels to make persistent, 0 <= count <= channels
            (0: `z` returned as it is).
        persistence: phi in [0, 1]: 0 leaves the channels i.i.d.; 1 holds each at its first
            value for the whole path.
        block: steps per matrix product of the recursion (the result does not depend on it).

    Returns:
        Tensor like `z`.

    Raises:
        ValueError: if `count` exceeds the channels, or the time length is not static.
    """
    if count == 0:
        return z
    z = tf.convert_to_tensor(z)
    if count > z.shape[-1]:
        raise ValueError(f"Expected `count` <= the noise channels {z.shape[-1]}. Received: count={count}")
    steps = z.shape[1]
    if steps is None:
        raise ValueError("Expected noise with a static time length. Received: time=None")
    tiny = 1e-6  # Phi^{-1}(0) is -inf: the draws are kept inside (0, 1)
    e = tf.math.ndtri(tf.clip_by_value(z[..., -count:], tiny, 1.0 - tiny))
    phi, scale = float(persistence), math.sqrt(1.0 - float(persistence) ** 2)
    pieces, carry = [], None
    for start in range(0, steps, block):
        chunk = e[:, start : start + block]
        t = np.arange(chunk.shape[1])
        lag = t[:, None] - t[None, :]
        weights = np.where(lag >= 0, scale * phi ** np.maximum(lag, 0), 0.0)  # (out step, in step)
        if carry is None:
            weights[:, 0] = phi**t  # s_0 = e_0: the first draw enters with weight phi^t
        s = tf.einsum("tj,bjc->btc", tf.constant(weights, e.dtype), chunk)
        if carry is not None:
            s += tf.constant(phi ** (t + 1.0), e.dtype)[None, :, None] * carry[:, None, :]
        carry = s[:, -1]
        pieces.append(s)
    s = tf.concat(pieces, axis=1)
    persistent = 0.5 * (1.0 + tf.math.erf(s / math.sqrt(2.0)))
    return tf.concat([z[..., :-count], persistent], axis=-1)
