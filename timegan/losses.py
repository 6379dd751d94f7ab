"""TimeGAN's loss terms as pure functions of tensors (TimeGAN reference implementation)."""

import tensorflow as tf

from timegan.config import STYLIZED_NORMS


def reconstruction_loss(x, x_tilde):
    """Mean squared error between the data and its reconstruction R(E(x)), over all elements."""
    return tf.reduce_mean(tf.square(x - x_tilde))


def supervised_loss(h, h_supervised):
    """How well the supervisor predicts the next latent step.

    Compares the embedding at steps 1..T-1 with the supervisor's output at steps 0..T-2, i.e.
    S(H)[:, t] is trained to predict H[:, t + 1]. (Comparing H[:, 1:] with S(H)[:, 1:] would
    train an identity map.)

    Args:
        h: embeddings, (batch, time, hidden).
        h_supervised: supervisor output S(h), same shape.

    Returns:
        Scalar mean squared error.
    """
    return tf.reduce_mean(tf.square(h[:, 1:, :] - h_supervised[:, :-1, :]))


def moment_loss(x, x_hat, eps=1e-6, moments=tf.nn.moments):
    """Matches the first two moments over the batch of real and synthetic data.

    mean |std_batch(x_hat) - std_batch(x)| + mean |mean_batch(x_hat) - mean_batch(x)|, with
    std = sqrt(var + eps), moments taken over the batch axis for each time step and feature.
    `moments(tensor, axes)` returns (mean, variance); under a `tf.distribute` strategy, pass one
    that reduces over the global batch.
    """
    mean_x, var_x = moments(x, axes=[0])
    mean_hat, var_hat = moments(x_hat, axes=[0])
    std_term = tf.reduce_mean(tf.abs(tf.sqrt(var_hat + eps) - tf.sqrt(var_x + eps)))
    mean_term = tf.reduce_mean(tf.abs(mean_hat - mean_x))
    return std_term + mean_term


def binary_cross_entropy(logits, target):
    """Mean sigmoid cross-entropy of `logits` against the constant label `target` (0 or 1)."""
    labels = tf.fill(tf.shape(logits), tf.cast(target, logits.dtype))
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


def discriminator_loss(real_logits, fake_logits, fake_e_logits, gamma):
    """BCE(real, 1) + BCE(fake, 0) + gamma * BCE(fake_e, 0).

    `fake_logits` score S(G(Z)), `fake_e_logits` score G(Z) without the supervisor.
    """
    return (
        binary_cross_entropy(real_logits, 1.0)
        + binary_cross_entropy(fake_logits, 0.0)
        + gamma * binary_cross_entropy(fake_e_logits, 0.0)
    )


def generator_adversarial_loss(fake_logits, fake_e_logits, gamma):
    """BCE(fake, 1) + gamma * BCE(fake_e, 1): the non-saturating generator loss."""
    return binary_cross_entropy(fake_logits, 1.0) + gamma * binary_cross_entropy(fake_e_logits, 1.0)


def lambert_w_tails(u, delta, bound=6.0):
    """The Lambert W x Gaussian map `u * exp(delta * u**2 / 2)` in TensorFlow, u clipped to +-`bound`.

    Undoes the returns representation's Gaussianisation (`timegan.representation.heavy_tail`,
    Goerg 2011): from the model's scale u back to standardised log returns z, whose statistics
    are those the finance scores see. The clip keeps a generator that strays far out finite (at
    delta = 0.3, u = 6 is already z = 1300); the real u of daily returns stay well inside it.

    Args:
        u: model-scale values, (..., features).
        delta: tail parameter per feature, (features,) or a scalar, >= 0 (0: identity).
        bound: clip of |u| before the map. Default 6.

    Returns:
        Tensor of the shape and dtype of `u`.
    """
    u = tf.clip_by_value(tf.convert_to_tensor(u), -bound, bound)
    return u * tf.exp(tf.cast(delta, u.dtype) * tf.square(u) / 2.0)


STYLIZED_TERMS = ("acf", "acf_abs", "leverage", "vol_dispersion", "kurtosis", "correlation")
# Facts of whole windows, matched only when asked for (`stylized_facts_loss(terms=...)`).
WINDOW_TERMS = ("sum_correlation", "vol_correlation", "variance_ratio", "correlation_dispersion")
# Facts of the cross-section (the equal-weighted basket), matched only when asked for.
BASKET_TERMS = ("basket_kurtosis",)
# Every term `stylized_facts_loss` adds only when asked for.
OPTIONAL_TERMS = WINDOW_TERMS + BASKET_TERMS
# The terms that are correlation matrices across features: their gaps are taken off the diagonal.
CORRELATION_TERMS = ("correlation", "sum_correlation", "vol_correlation")
# The terms with a lag axis: with norm="l2" their gaps are summed over the lags (`stylized_facts_loss`).
LAGGED_TERMS = ("acf", "acf_abs", "leverage")


def reduce_mean(tensor, axes):
    """`tf.reduce_mean(tensor, axis=axes)`: the one-device `mean` of `stylized_statistics`."""
    return tf.reduce_mean(tensor, axis=axes)


def stylized_statistics(x, return_lags=1, abs_lags=5, eps=1e-6, mean=reduce_mean, leverage_lags=5):
    """The stylized facts of returns-like data that `stylized_facts_loss` matches, per feature.

    All statistics are pooled over the batch and the time steps (one value per feature, or per
    pair of features), and every one is a function of means of element-wise products, so that a
    `mean` reducing over the global batch makes them those of the global batch exactly:

    - `acf`: autocorrelation of u at lags k = 1..`return_lags`, (E[u_t u_{t+k}] - m^2) / (v + eps),
      with m = E[u] and v = E[u^2] - m^2 pooled; shape (lags, features).
    - `acf_abs`: the same autocorrelation of |u| at lags 1..`abs_lags` (volatility clustering;
      lags longer than the window are dropped); shape (lags, features).
    - `leverage`: corr(u_t, u_{t+k}^2) at lags k = 1..`leverage_lags`,
      (E[u_t u_{t+k}^2] - E[u] E[u^2]) / sqrt((v + eps) (w + eps)) with w = E[u^4] - E[u^2]^2
      pooled: falling prices raise later volatility (the leverage effect); shape (lags, features),
      (0, features) when `leverage_lags` is 0.
    - `vol_dispersion`: the standard deviation over the batch of each window's volatility
      s_i = sqrt(mean_t u_it^2 + eps), sqrt(E[s^2] - E[s]^2 + eps): how much the volatility level
      moves from window to window (most of daily returns' kurtosis is this mixture of regimes);
      shape (features,).
    - `kurtosis`: excess kurtosis E[(u - m)^4] / (v + eps)^2 - 3; shape (features,).
    - `correlation`: the correlation matrix of u across features, (f, f).
    - `sum_correlation`: the correlation matrix across features of the window sums sum_t u_t,
      over the batch, (f, f): how the series move together over a whole window (with negative
      cross-correlations at lags != 0, daily co-movement can hold while the window moves do not).
    - `vol_correlation`: the correlation matrix across features of the window log volatilities
      log s_i (s_i as in `vol_dispersion`), over the batch, (f, f): whether the series' calm and
      turbulent windows coincide, and how closely.
    - `variance_ratio`: the variance over the batch of the window sums divided by `time` times the
      pooled variance of u, Var(sum_t u_t) / (T v), per feature (Lo & MacKinlay 1988, "Stock
      market prices do not follow random walks", Review of Financial Studies 1(1), with q = T):
      1 without serial correlation, below 1 when the series reverts within the window; it
      weighs the autocorrelations at every lag up to T - 1, which the `acf` term sees only up to
      `return_lags`; shape (features,).
    - `correlation_dispersion`: the standard deviation over the batch of each window's mean
      in-window correlation c_i, the mean over the pairs of features a != b of the correlation
      of u_a and u_b over the window's own time steps (each centred on its window mean),
      sqrt(E[c^2] - E[c]^2 + eps): how much the co-movement of the whole cross-section changes
      from window to window (correlations rise in turbulent markets: Longin & Solnik 2001,
      "Extreme correlation of international equity markets", Journal of Finance 56(2)), which
      the pooled `correlation` does not see; shape (1,), (0,) with one feature.
    - `basket_kurtosis`: the excess kurtosis (as `kurtosis`) of the equal-weighted basket
      b_t = mean over features of u_t, pooled: whether the whole cross-section has its days of
      large common moves (the market's tails, which the series' own kurtosis does not fix: 20
      series with fat-tailed but unrelated jumps make a near-Gaussian basket); shape (1,), (0,)
      with one feature.

    Args:
        x: data on the model's scale, (batch, time, features), float.
        return_lags: largest lag of the autocorrelation of u, an integer >= 1. Default 1.
        abs_lags: largest lag of the |u| autocorrelation, an integer >= 1. Default 5.
        eps: added to variances before dividing or taking a square root, so the statistics and
            their gradients stay finite on constant data. Default 1e-6.
        mean: `mean(tensor, axes)` -> the mean over `axes`; under a `tf.distribute` strategy,
            one that averages the replicas' means (equal per-replica batches).
        leverage_lags: largest lag of the leverage correlation, an integer >= 0 (0: none).
            Default 5.

    Returns:
        dict of the tensors above, keyed by `STYLIZED_TERMS` and `OPTIONAL_TERMS`.

    Sources: Cont (2001), "Empirical properties of asset returns: stylized facts and statistical
    issues", Quantitative Finance 1(2) (absence of linear autocorrelation, heavy tails, volatility
    clustering, leverage effect); Wiese et al. (2020), "Quant GANs", section 6 (ACF of r and |r|,
    leverage effect corr(r_t, r_{t+k}^2), cross-correlation).
    """
    x = tf.convert_to_tensor(x)
    steps = x.shape[1]
    pooled = [0, 1]

    def autocorrelation(u, lag):
        m = mean(u, pooled)
        variance = mean(tf.square(u), pooled) - tf.square(m)
        lagged = mean(u[:, lag:] * u[:, :-lag], pooled) - tf.square(m)
        return lagged / (variance + eps)

    m = mean(x, pooled)
    centred = x - m
    variance = mean(tf.square(centred), pooled)

    def excess_kurtosis(centred_u, variance_u):
        """E[(u - m)^4] / (v + eps)^2 - 3 from u - m and v, pooled."""
        return mean(centred_u**4, pooled) / tf.square(variance_u + eps) - 3.0

    kurtosis = excess_kurtosis(centred, variance)
    # Each window's own volatility, (batch, features): a mean within the window, never across replicas.
    volatility = tf.sqrt(tf.reduce_mean(tf.square(x), axis=1) + eps)
    dispersion = tf.sqrt(tf.nn.relu(mean(tf.square(volatility), [0]) - tf.square(mean(volatility, [0]))) + eps)

    def lags(largest):
        return range(1, min(largest, steps - 1) + 1)

    squared = tf.square(x)
    mean_squared = mean(squared, pooled)
    variance_squared = mean(tf.square(squared), pooled) - tf.square(mean_squared)
    leverage_scale = tf.sqrt((mean_squared - tf.square(m) + eps) * (variance_squared + eps))

    def leverage(lag):
        return (mean(x[:, :-lag] * squared[:, lag:], pooled) - m * mean_squared) / leverage_scale

    leverage_values = [leverage(lag) for lag in lags(leverage_lags)]

    sums = tf.reduce_sum(x, axis=1)  # each window's sum, (batch, features)
    features = x.shape[-1]
    if features >= 2:
        within = x - tf.reduce_mean(x, axis=1, keepdims=True)  # centred on each window's own mean
        covariance = tf.einsum("btf,btg->bfg", within, within) / steps
        within_scale = tf.sqrt(tf.linalg.diag_part(covariance) + eps)
        in_window = covariance / (within_scale[:, :, None] * within_scale[:, None, :])
        off_diagonal = 1.0 - tf.eye(features, dtype=x.dtype)
        mean_correlation = tf.reduce_sum(in_window * off_diagonal, axis=[1, 2]) / (features * (features - 1))
        spread = mean(tf.square(mean_correlation), [0]) - tf.square(mean(mean_correlation, [0]))
        correlation_dispersion = tf.sqrt(tf.nn.relu(spread) + eps)[None]
        basket = tf.reduce_mean(x, axis=2, keepdims=True)  # (batch, time, 1)
        basket_centred = basket - mean(basket, pooled)
        basket_kurtosis = excess_kurtosis(basket_centred, mean(tf.square(basket_centred), pooled))
    else:
        correlation_dispersion = basket_kurtosis = tf.zeros((0,), x.dtype)

    def correlation_matrix(values, axes):
        """(..., features) -> the correlation matrix across features, pooled over `axes`, (f, f)."""
        centred_values = values - mean(values, axes)
        covariance = mean(centred_values[..., :, None] * centred_values[..., None, :], axes)
        values_scale = tf.sqrt(tf.linalg.diag_part(covariance) + eps)
        return covariance / (values_scale[:, None] * values_scale[None, :])

    return {
        "acf": tf.stack([autocorrelation(x, lag) for lag in lags(return_lags)]),
        "acf_abs": tf.stack([autocorrelation(tf.abs(x), lag) for lag in lags(abs_lags)]),
        "leverage": tf.stack(leverage_values) if leverage_values else tf.zeros((0, x.shape[-1]), x.dtype),
        "vol_dispersion": dispersion,
        "kurtosis": kurtosis,
        "correlation": correlation_matrix(x, pooled),
        "sum_correlation": correlation_matrix(sums, [0]),
        "vol_correlation": correlation_matrix(tf.math.log(volatility), [0]),
        "variance_ratio": (mean(tf.square(sums), [0]) - tf.square(mean(sums, [0]))) / (steps * variance + eps),
        "correlation_dispersion": correlation_dispersion,
        "basket_kurtosis": basket_kurtosis,
    }


def stylized_facts_loss(
    x,
    x_hat,
    return_lags=1,
    abs_lags=5,
    eps=1e-6,
    mean=reduce_mean,
    terms=STYLIZED_TERMS,
    leverage_lags=5,
    norm="mean",
):
    """Matches the stylized facts of returns between real and synthetic windows.

    sum over the terms of the gap |stat(x_hat) - stat(x)| averaged over its entries (with
    `norm="l2"`, Euclidean norms instead: see `norm`), the statistics of `stylized_statistics`:
    the autocorrelation of u at lags 1..`return_lags`, the autocorrelation of |u| at lags
    1..`abs_lags`, the leverage correlation corr(u_t, u_{t+k}^2) at lags 1..`leverage_lags` (no
    term when 0), the dispersion of the window volatility over the batch, the excess kurtosis
    (each per feature), and the off-diagonal correlations of u across features (no term with one
    feature); with `terms` including `WINDOW_TERMS`, also the correlations across features of the
    window sums and window log volatilities, the variance ratio of the window sums, and the
    dispersion over windows of the mean in-window correlation; with `BASKET_TERMS`, the excess
    kurtosis of the equal-weighted basket. The real statistics are constants (no gradient flows into the real batch).

    The moment loss (`moment_loss`) matches only per-step means and standard deviations over the
    batch, which a generator with one constant volatility and no serial structure satisfies; these
    terms ask for what it leaves out (docs/finance.md, "What limits the returns model").

    Args:
        x: real windows on the model's scale, (batch, time, features).
        x_hat: synthetic windows, (batch', time, features) (the batch sizes may differ on one
            device; under `tf.distribute` every replica has equal batches).
        return_lags, abs_lags, eps, mean, leverage_lags: as in `stylized_statistics`.
        terms: which of `STYLIZED_TERMS` and `OPTIONAL_TERMS` to add. Default all of
            `STYLIZED_TERMS`.
        norm: how the gaps of a term are summed. "mean" (default): the mean absolute gap over
            the term's entries. "l2": the norms of the finance scores (Wiese et al. 2020,
            section 6; `evaluation.finance`): for the autocorrelations and the leverage
            correlation, per feature ||stat(x_hat) - stat(x)||_2 over the lags 1..L, then the
            mean over features; for the correlations, the Frobenius norm of the off-diagonal
            gap (the correlation distance); the other terms as with "mean". With "mean" every
            entry pulls with the same force, 1 / (entries), whatever its gap; with "l2" the
            force goes to the entries with the largest gaps, and a term's total force no longer
            shrinks as the number of pairs of features grows (docs/finance.md, "The norm of the
            stylized-facts loss").

    Returns:
        Scalar tensor, >= 0; 0 when the statistics of both batches are equal.

    Raises:
        ValueError: on a term not in `STYLIZED_TERMS` or `OPTIONAL_TERMS`, or a `norm` not in
            `timegan.config.STYLIZED_NORMS`.
    """
    unknown = sorted(set(terms) - set(STYLIZED_TERMS + OPTIONAL_TERMS))
    if unknown:
        raise ValueError(
            f"Expected `terms` among {list(STYLIZED_TERMS + OPTIONAL_TERMS)}. Received: terms={list(terms)!r}"
        )
    if norm not in STYLIZED_NORMS:
        raise ValueError(f"Expected `norm` to be one of {list(STYLIZED_NORMS)}. Received: norm={norm!r}")
    x_hat = tf.convert_to_tensor(x_hat)
    real = stylized_statistics(x, return_lags, abs_lags, eps, mean, leverage_lags)
    fake = stylized_statistics(x_hat, return_lags, abs_lags, eps, mean, leverage_lags)
    total = tf.zeros((), x_hat.dtype)
    for name in terms:
        if real[name].shape.num_elements() == 0:
            continue
        gap = tf.abs(fake[name] - tf.stop_gradient(real[name]))
        if name in CORRELATION_TERMS:
            features = gap.shape[-1]
            if features < 2:
                continue
            off_diagonal = 1.0 - tf.eye(features, dtype=gap.dtype)
            if norm == "l2":  # the tiny constant keeps the gradient finite at a gap of 0
                gap = tf.sqrt(tf.reduce_sum(tf.square(gap) * off_diagonal) + 1e-12)
            else:
                gap = tf.reduce_sum(gap * off_diagonal) / (features * (features - 1))
        elif norm == "l2" and name in LAGGED_TERMS:
            # (lags, features) -> (features,)
            gap = tf.sqrt(tf.reduce_sum(tf.square(gap), axis=0) + 1e-12)
        total += tf.reduce_mean(gap)
    return total
