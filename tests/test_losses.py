import numpy as np
import pytest
import tensorflow as tf

from timegan import losses


def test_supervised_loss_scores_the_next_step_not_the_identity():
    h = tf.constant(np.arange(12, dtype="float32").reshape(1, 4, 3))  # h[:, t] = 3t + (0, 1, 2)
    next_step = tf.concat([h[:, 1:], h[:, -1:]], axis=1)  # a perfect next-step predictor
    assert float(losses.supervised_loss(h, next_step)) == 0.0
    # The identity map is off by one step everywhere: error 3 per element.
    assert float(losses.supervised_loss(h, h)) == pytest.approx(9.0)


def test_reconstruction_loss():
    x = tf.constant([[[0.0], [1.0]]])
    assert float(losses.reconstruction_loss(x, x + 0.5)) == pytest.approx(0.25)


def test_moment_loss_by_hand():
    x = tf.constant([[[0.0]], [[2.0]]])  # batch mean 1, std 1
    x_hat = tf.constant([[[1.0]], [[1.0]]])  # batch mean 1, std 0
    value = float(losses.moment_loss(x, x_hat, eps=0.0))
    assert value == pytest.approx(1.0)
    assert float(losses.moment_loss(x, x + 3.0, eps=0.0)) == pytest.approx(3.0)


def test_binary_cross_entropy_by_hand():
    logits = tf.constant([[0.0], [np.log(3.0)]])  # probabilities 0.5 and 0.75
    expected = -(np.log(0.5) + np.log(0.75)) / 2
    assert float(losses.binary_cross_entropy(logits, 1.0)) == pytest.approx(expected, rel=1e-6)
    expected0 = -(np.log(0.5) + np.log(0.25)) / 2
    assert float(losses.binary_cross_entropy(logits, 0.0)) == pytest.approx(expected0, rel=1e-6)


def test_discriminator_and_generator_losses_weight_gamma():
    real, fake, fake_e = tf.zeros((2, 3, 1)), tf.zeros((2, 3, 1)), tf.zeros((2, 3, 1))
    log2 = np.log(2.0)
    assert float(losses.discriminator_loss(real, fake, fake_e, gamma=2.0)) == pytest.approx(4 * log2)
    assert float(losses.generator_adversarial_loss(fake, fake_e, gamma=0.5)) == pytest.approx(1.5 * log2)


# ---------------------------------------------------------------- stylized facts


def white_noise(rng, n=256, steps=24, features=2):
    return rng.standard_normal((n, steps, features))


def ar1(rng, phi, n=256, steps=24, features=2):
    x = np.zeros((n, steps + 50, features))
    noise = rng.standard_normal(x.shape)
    for t in range(1, x.shape[1]):
        x[:, t] = phi * x[:, t - 1] + np.sqrt(1 - phi**2) * noise[:, t]
    return x[:, 50:]


def clustered(rng, n=256, steps=24, features=2, phi=0.95, vol_of_vol=0.3):
    """Stochastic volatility windows: log sigma_t = phi log sigma_{t-1} + vol_of_vol * noise."""
    log_sigma = np.zeros((n, steps + 100, features))
    for t in range(1, log_sigma.shape[1]):
        log_sigma[:, t] = phi * log_sigma[:, t - 1] + vol_of_vol * rng.standard_normal((n, features))
    return (np.exp(log_sigma) * rng.standard_normal(log_sigma.shape))[:, 100:]


def regimes(rng, n=1024, steps=24, features=2):
    """Each window at its own volatility, 0.4 or 1.6 (one regime per window and feature)."""
    scale = rng.choice([0.4, 1.6], size=(n, 1, features))
    return scale * rng.standard_normal((n, steps, features))


def leveraged(rng, n=1024, steps=24, features=2, burn=50):
    """GJR-like windows: a fall raises the next days' variance (sigma^2_t = 0.2 + 0.5 sigma^2_{t-1} + 0.5 r^2_{t-1} [r < 0])."""
    r = np.zeros((n, steps + burn, features))
    variance = np.ones((n, features))
    for t in range(steps + burn):
        r[:, t] = np.sqrt(variance) * rng.standard_normal((n, features))
        variance = 0.2 + 0.5 * variance + 0.5 * np.square(np.minimum(r[:, t], 0.0))
    return r[:, burn:]


def symmetric(rng, **kwargs):
    """The same windows with each one's sign flipped at random: the same |r| clustering, no leverage."""
    r = leveraged(rng, **kwargs)
    return r * rng.choice([-1.0, 1.0], size=(r.shape[0], 1, r.shape[2]))


def correlated(rng, rho=0.8, n=256, steps=24):
    common = rng.standard_normal((n, steps, 1))
    return np.sqrt(rho) * common + np.sqrt(1 - rho) * rng.standard_normal((n, steps, 2))


def stylized_gap(x, x_hat, term):
    return float(losses.stylized_facts_loss(tf.constant(x, "float32"), tf.constant(x_hat, "float32"), terms=[term]))


def test_stylized_statistics_by_hand():
    x = tf.constant([[[1.0], [-1.0], [1.0], [-1.0]]])  # mean 0, variance 1, alternating
    stats = losses.stylized_statistics(x, return_lags=2, abs_lags=2, eps=0.0)
    np.testing.assert_allclose(stats["acf"][:, 0], [-1.0, 1.0], rtol=1e-6)
    # |x| is constant: zero variance, and eps=0 would divide 0 by 0; with eps it is 0.
    assert float(losses.stylized_statistics(x, abs_lags=2)["acf_abs"][0, 0]) == pytest.approx(0.0, abs=1e-6)
    assert float(stats["kurtosis"][0]) == pytest.approx(1.0 - 3.0)  # E[x^4] / E[x^2]^2 - 3
    two = tf.constant([[[2.0], [2.0]], [[0.0], [0.0]]])  # window volatilities 2 and 0: std over the batch 1
    assert float(losses.stylized_statistics(two, eps=0.0)["vol_dispersion"][0]) == pytest.approx(1.0)
    pair = tf.constant([[[1.0, 2.0], [-1.0, -2.0]], [[3.0, -3.0], [-3.0, 3.0]]])
    corr = losses.stylized_statistics(pair, eps=0.0)["correlation"].numpy()
    flat = pair.numpy().reshape(-1, 2)
    np.testing.assert_allclose(corr, np.corrcoef(flat, rowvar=False), rtol=1e-6)
    assert losses.stylized_statistics(tf.zeros((2, 3, 1)), abs_lags=9)["acf_abs"].shape == (2, 1)  # lags < steps


def test_leverage_statistic_by_hand():
    # Pooled over the batch and the time steps, corr(x_t, x_{t+1}^2) is np.corrcoef of the pairs.
    x = np.array([[[1.0], [-2.0], [0.5], [3.0]], [[-1.0], [2.0], [-0.5], [1.0]]], dtype="float32")
    stats = losses.stylized_statistics(tf.constant(x, "float32"), eps=0.0, leverage_lags=2)
    assert stats["leverage"].shape == (2, 1)
    # The pooled estimator uses the moments of all steps (not of the paired ones), as the ACF does.
    u = x[..., 0]
    m, m2 = u.mean(), (u**2).mean()
    for lag in (1, 2):
        expected = ((u[:, :-lag] * u[:, lag:] ** 2).mean() - m * m2) / np.sqrt(u.var() * (u**2).var())
        assert float(stats["leverage"][lag - 1, 0]) == pytest.approx(expected, rel=1e-5)
    none = losses.stylized_statistics(tf.constant(x, "float32"), leverage_lags=0)["leverage"]
    assert none.shape == (0, 1)
    # No leverage term: the loss equals the one without the term.
    x_hat = x[::-1] * 1.5
    without = float(losses.stylized_facts_loss(x, x_hat, leverage_lags=0))
    others = [term for term in losses.STYLIZED_TERMS if term != "leverage"]
    assert without == pytest.approx(float(losses.stylized_facts_loss(x, x_hat, terms=others)))


def test_stylized_facts_loss_is_zero_on_itself_and_small_between_draws_of_one_process():
    rng = np.random.default_rng(0)
    x = clustered(rng)
    assert float(losses.stylized_facts_loss(tf.constant(x, "float32"), tf.constant(x, "float32"))) == 0.0
    shuffled = x[rng.permutation(len(x))]  # the statistics are pooled over windows: order does not matter
    assert float(losses.stylized_facts_loss(tf.constant(x, "float32"), tf.constant(shuffled, "float32"))) < 1e-4


@pytest.mark.parametrize(
    "term, right, wrong",
    [
        ("acf", white_noise, lambda rng: ar1(rng, 0.6)),
        ("acf_abs", clustered, white_noise),
        ("leverage", leveraged, symmetric),
        ("vol_dispersion", regimes, white_noise),
        ("kurtosis", regimes, white_noise),
        ("correlation", correlated, white_noise),
    ],
)
def test_each_stylized_term_tells_a_wrong_process_from_the_right_one(term, right, wrong):
    rng = np.random.default_rng(1)
    x = right(rng)
    same, other = stylized_gap(x, right(rng), term), stylized_gap(x, wrong(rng), term)
    assert other > 4 * same and other > 0.1, (same, other)


def test_stylized_facts_loss_gradients_are_finite_at_zero_variance():
    x = tf.constant(correlated(np.random.default_rng(2)), "float32")
    small = 0.01 * tf.random.stateless_normal((8, 24, 2), seed=[0, 1])
    for start in (tf.zeros((8, 24, 2)), tf.ones((8, 24, 2)), small):
        x_hat = tf.Variable(start)
        with tf.GradientTape() as tape:
            loss = losses.stylized_facts_loss(x, x_hat)
        gradient = tape.gradient(loss, x_hat)
        assert np.isfinite(float(loss)) and np.all(np.isfinite(gradient.numpy()))
    assert float(tf.reduce_sum(tf.abs(gradient))) > 0  # a nearly constant generator is pushed somewhere


def test_stylized_facts_loss_refuses_unknown_terms():
    with pytest.raises(ValueError, match=r"Expected `terms` among .*Received: terms=\['tails'\]"):
        losses.stylized_facts_loss(tf.zeros((2, 3, 1)), tf.zeros((2, 3, 1)), terms=["tails"])


def test_return_lags_see_a_dependence_that_lag_1_misses():
    rng = np.random.default_rng(3)
    noise = rng.standard_normal((256, 40, 2))
    lag2 = noise.copy()
    for t in range(2, 40):  # x_t = 0.7 x_{t-2} + noise: no lag-1 autocorrelation, 0.7 at lag 2
        lag2[:, t] = 0.7 * lag2[:, t - 2] + np.sqrt(1 - 0.49) * noise[:, t]
    x, x_hat = tf.constant(white_noise(rng), "float32"), tf.constant(lag2[:, 16:], "float32")
    only_lag_1 = float(losses.stylized_facts_loss(x, x_hat, return_lags=1, terms=["acf"]))
    three_lags = float(losses.stylized_facts_loss(x, x_hat, return_lags=3, terms=["acf"]))
    assert only_lag_1 < 0.05 and three_lags > 0.2, (only_lag_1, three_lags)


def test_l2_norm_is_the_euclidean_norm_of_the_gaps_over_the_lags_by_hand():
    rng = np.random.default_rng(4)
    x, x_hat = (tf.constant(rng.standard_normal((16, 12, 2)), "float32") for _ in range(2))
    real = losses.stylized_statistics(x, return_lags=3)
    fake = losses.stylized_statistics(x_hat, return_lags=3)
    gaps = np.abs(fake["acf"].numpy() - real["acf"].numpy())  # (3 lags, 2 features)
    l2 = float(losses.stylized_facts_loss(x, x_hat, return_lags=3, terms=["acf"], norm="l2"))
    mean = float(losses.stylized_facts_loss(x, x_hat, return_lags=3, terms=["acf"]))
    assert l2 == pytest.approx(np.mean(np.sqrt(np.sum(gaps**2, axis=0))), rel=1e-5)
    assert mean == pytest.approx(np.mean(gaps), rel=1e-5)
    # The correlations: the Frobenius norm of the off-diagonal gap (the correlation distance).
    correlation_gap = fake["correlation"].numpy() - real["correlation"].numpy()
    np.fill_diagonal(correlation_gap, 0.0)
    frobenius = float(losses.stylized_facts_loss(x, x_hat, terms=["correlation"], norm="l2"))
    assert frobenius == pytest.approx(np.linalg.norm(correlation_gap), rel=1e-4)
    # The terms of one value per feature are the same under both norms.
    for term in ("vol_dispersion", "kurtosis"):
        a, b = (float(losses.stylized_facts_loss(x, x_hat, terms=[term], norm=n)) for n in ("mean", "l2"))
        assert a == pytest.approx(b), term


def test_l2_norm_weighs_uneven_gaps_more_than_even_ones():
    rng = np.random.default_rng(5)
    x = tf.constant(white_noise(rng), "float32")
    x_hat = tf.constant(ar1(rng, 0.6), "float32")
    mean, l2 = (
        float(losses.stylized_facts_loss(x, x_hat, return_lags=3, terms=["acf"], norm=norm)) for norm in ("mean", "l2")
    )
    # AR(1) at 0.6 against white noise: gaps about 0.6, 0.36, 0.22 at lags 1-3. Over L lags the
    # norm is sqrt(L) times the mean for equal gaps and up to L times it when one lag holds them all.
    assert mean > 0.3 and np.sqrt(3) * mean < l2 < 3 * mean, (mean, l2)


def test_stylized_facts_loss_refuses_an_unknown_norm():
    with pytest.raises(ValueError, match=r"Expected `norm` to be one of \['mean', 'l2'\]. Received: norm='max'"):
        losses.stylized_facts_loss(tf.zeros((2, 3, 1)), tf.zeros((2, 3, 1)), norm="max")


# ---------------------------------------------------------------- correlations of whole windows


def lead_lag(rng, rho=0.64, n=512, steps=24):
    """Series 1 moves with series 0 each day and gives it back the next: daily correlation rho,
    window sums almost uncorrelated (the fault measured in 20-ticker synthetic windows)."""
    e = rng.standard_normal((n, steps + 1))
    own = rng.standard_normal((n, steps))
    second = np.sqrt(rho) * (e[:, 1:] - e[:, :-1]) / np.sqrt(2) + np.sqrt(1 - rho) * own
    return np.stack([e[:, 1:], second], axis=-1)


def same_day(rng, rho=0.64, n=512, steps=24):
    """Series 1 = the same daily correlation with series 0 as `lead_lag`, nothing given back."""
    e = rng.standard_normal((n, steps + 1))
    own = rng.standard_normal((n, steps))
    second = np.sqrt(rho / 2) * e[:, 1:] + np.sqrt(1 - rho / 2) * own
    return np.stack([e[:, 1:], second], axis=-1)


def common_regimes(rng, n=1024, steps=24, share=1.0):
    """Two independent series whose window volatility (0.4 or 1.6) is the same in both with
    probability `share`, drawn independently otherwise."""
    first = rng.choice([0.4, 1.6], size=(n, 1))
    second = np.where(rng.random((n, 1)) < share, first, rng.choice([0.4, 1.6], size=(n, 1)))
    scale = np.stack([first, second], axis=-1)
    return scale * rng.standard_normal((n, steps, 2))


def test_window_statistics_by_hand():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((64, 5, 3)).astype("float32")
    stats = losses.stylized_statistics(tf.constant(x), eps=0.0)
    np.testing.assert_allclose(stats["sum_correlation"], np.corrcoef(x.sum(axis=1), rowvar=False), atol=1e-5)
    log_volatility = 0.5 * np.log(np.mean(np.square(x), axis=1) + 1e-6)  # the volatility keeps its eps
    expected = np.corrcoef(log_volatility, rowvar=False)
    np.testing.assert_allclose(stats["vol_correlation"], expected, atol=1e-5)


def test_window_terms_see_what_the_daily_correlation_misses():
    rng = np.random.default_rng(6)
    x, lagged, same = lead_lag(rng), lead_lag(rng), same_day(rng)
    # The two processes have one daily correlation: the daily term cannot tell them apart ...
    assert stylized_gap(x, same, "correlation") < 0.05
    # ... the window sums can.
    assert stylized_gap(x, same, "sum_correlation") > 4 * stylized_gap(x, lagged, "sum_correlation")
    assert stylized_gap(x, same, "sum_correlation") > 0.3
    common, mixed = common_regimes(rng), common_regimes(rng, share=0.3)
    assert stylized_gap(common, mixed, "correlation") < 0.05  # no daily correlation in either
    assert stylized_gap(common, mixed, "vol_correlation") > 4 * stylized_gap(
        common, common_regimes(rng), "vol_correlation"
    )
    assert stylized_gap(common, mixed, "vol_correlation") > 0.3


def test_window_terms_are_off_by_default_and_need_two_features():
    rng = np.random.default_rng(7)
    x, x_hat = (tf.constant(f(rng), "float32") for f in (lead_lag, same_day))
    assert float(losses.stylized_facts_loss(x, x_hat)) == pytest.approx(
        float(losses.stylized_facts_loss(x, x_hat, terms=losses.STYLIZED_TERMS))
    )
    with_windows = losses.STYLIZED_TERMS + losses.WINDOW_TERMS
    assert float(losses.stylized_facts_loss(x, x_hat, terms=with_windows)) > float(losses.stylized_facts_loss(x, x_hat))
    one = x[..., :1], x_hat[..., :1]
    assert float(losses.stylized_facts_loss(*one, terms=["sum_correlation", "vol_correlation"])) == 0.0


def test_variance_ratio_by_hand_and_against_a_series_that_reverts():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((64, 6, 2)).astype("float32")
    stats = losses.stylized_statistics(tf.constant(x), eps=0.0)
    sums, pooled = x.sum(axis=1), x.reshape(-1, 2)
    np.testing.assert_allclose(stats["variance_ratio"], sums.var(axis=0) / (6 * pooled.var(axis=0)), rtol=1e-4)
    noise = white_noise(rng, n=1024)
    assert np.allclose(losses.stylized_statistics(tf.constant(noise, "float32"))["variance_ratio"], 1.0, atol=0.15)
    # x_t = e_t - 0.5 e_{t-1}: lag-1 autocorrelation -0.4, the window moves about a third as much.
    e = rng.standard_normal((1024, 25, 2))
    reverting = e[:, 1:] - 0.5 * e[:, :-1]
    assert stylized_gap(noise, reverting, "variance_ratio") > 4 * stylized_gap(
        noise, white_noise(rng), "variance_ratio"
    )
    # The acf term at lag 1 sees this one too; a reversion spread thinly over lags 6..23 only the ratio sees.
    spread = np.zeros((1024, 24, 2))
    shocks = rng.standard_normal((1024, 48, 2))
    for t in range(24):
        spread[:, t] = shocks[:, t + 24] - shocks[:, t + 6 : t + 24].sum(axis=1) / 18 * 0.9
    assert stylized_gap(noise, spread, "acf") < 0.1 < stylized_gap(noise, spread, "variance_ratio")


def correlation_regimes(rng, n=1024, steps=24, features=4, low=0.0, high=0.8):
    """Four series whose in-window correlation is `low` or `high` at random per window (`low` ==
    `high`: one correlation for every window)."""
    rho = rng.choice([low, high], size=(n, 1, 1))
    common = rng.standard_normal((n, steps, 1))
    own = rng.standard_normal((n, steps, features))
    return np.sqrt(rho) * common + np.sqrt(1 - rho) * own


def test_correlation_dispersion_by_hand_and_none_with_one_feature():
    x = np.random.default_rng(9).standard_normal((50, 24, 4)).astype("float32")
    stats = losses.stylized_statistics(tf.constant(x), eps=0.0)
    mean_correlations = [np.corrcoef(w, rowvar=False)[~np.eye(4, dtype=bool)].mean() for w in x]
    np.testing.assert_allclose(stats["correlation_dispersion"], [np.std(mean_correlations)], rtol=1e-4)
    assert losses.stylized_statistics(tf.constant(x[..., :1]))["correlation_dispersion"].shape == (0,)
    one = tf.constant(x[..., :1]), tf.constant(x[::-1, :, :1])
    assert float(losses.stylized_facts_loss(*one, terms=["correlation_dispersion"])) == 0.0


def test_correlation_dispersion_sees_correlation_regimes_the_pooled_correlation_misses():
    rng = np.random.default_rng(10)
    regimes, steady = correlation_regimes(rng), correlation_regimes(rng, low=0.4, high=0.4)
    # One pooled correlation (0.4) in both: the daily term cannot tell them apart ...
    assert stylized_gap(regimes, steady, "correlation") < 0.05
    # ... the spread of each window's own correlation can.
    gap = stylized_gap(regimes, steady, "correlation_dispersion")
    assert gap > 4 * stylized_gap(regimes, correlation_regimes(rng), "correlation_dispersion")
    assert gap > 0.15


def market_jumps(rng, n=1024, steps=24, features=4, common=True):
    """Four series with Gaussian moves and rare large jumps: on the same days in every series
    (`common`, a fat-tailed basket) or on each series' own days (a near-Gaussian basket)."""
    days = rng.random((n, steps, 1 if common else features)) < 0.02
    jumps = np.where(days, 6.0 * rng.standard_normal((n, steps, features)), 0.0)
    return rng.standard_normal((n, steps, features)) + jumps


def test_basket_kurtosis_by_hand_and_what_the_series_kurtosis_misses():
    rng = np.random.default_rng(11)
    x = market_jumps(rng)
    stats = losses.stylized_statistics(tf.constant(x, "float32"), eps=0.0)
    basket = x.mean(axis=2).ravel()
    expected = np.mean((basket - basket.mean()) ** 4) / basket.var() ** 2 - 3.0
    np.testing.assert_allclose(stats["basket_kurtosis"], [expected], rtol=1e-3)
    assert losses.stylized_statistics(tf.constant(x[..., :1], "float32"))["basket_kurtosis"].shape == (0,)
    own = market_jumps(rng, common=False)
    # Each series has the same tails either way: the kurtosis term barely tells them apart ...
    assert stylized_gap(x, own, "kurtosis") < 0.25 * stylized_gap(x, own, "basket_kurtosis")
    # ... the basket's kurtosis does.
    assert stylized_gap(x, own, "basket_kurtosis") > 4 * stylized_gap(x, market_jumps(rng), "basket_kurtosis")
