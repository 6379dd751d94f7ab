"""TimeGAN hyperparameters: one frozen dataclass, validated on construction.

Defaults are the TimeGAN paper's reference implementation (Yoon et al., NeurIPS 2019,
jsyoon0823/TimeGAN): sequence length 24, hidden size 24 (up to 8 features; wider data gets
`default_hidden_dim`), 3 GRU layers, batch 128, Adam 1e-3, gamma 1, and the loss weights below.
"""

import dataclasses
import warnings

from timegan._validation import (
    LOSS_WEIGHT,
    SEED,
    Bool,
    Integer,
    Options,
    Real,
    check_keys,
    fill_added_fields,
    validate,
    validate_fields,
)

CELLS = ("gru", "gru_block", "lstm")
REPRESENTATIONS = ("levels", "returns")
HEADS = ("sigmoid", "linear", "tanh")
SYNTHETIC_PATHS = ("supervisor", "generator")
STYLIZED_SCALES = ("model", "returns")
STYLIZED_NORMS = ("mean", "l2")
# Groups of fields added after run directories were first saved, oldest first, each with the
# values that reproduce a run saved before it (`timegan._validation.fill_added_fields`): such a
# run was the levels representation with the sigmoid head and no burn-in.
ADDED_FIELDS = (
    (
        ("representation", "heavy_tail", "recovery_activation", "burn_in"),
        lambda values: {"representation": "levels", "heavy_tail": True, "recovery_activation": None, "burn_in": 0},
    ),
    # Every run saved before it made its synthetic data through the supervisor (the paper's).
    (("synthetic_path",), lambda values: {"synthetic_path": "supervisor"}),
    # Every run saved before it was trained without the stylized-facts loss.
    (("stylized_weight", "stylized_lags"), lambda values: {"stylized_weight": 0.0, "stylized_lags": 5}),
    # Runs saved before it matched the autocorrelation of u at lag 1 only.
    (("stylized_return_lags",), lambda values: {"stylized_return_lags": 1}),
    # Runs saved before it had no leverage term.
    (("stylized_leverage_lags",), lambda values: {"stylized_leverage_lags": 0}),
    # ... and computed it on the model's scale.
    (("stylized_scale",), lambda values: {"stylized_scale": "model"}),
    # ... and averaged the gaps of each term.
    (("stylized_norm",), lambda values: {"stylized_norm": "mean"}),
    # ... and matched no correlations of whole windows.
    (("stylized_window_correlations",), lambda values: {"stylized_window_correlations": False}),
    # ... nor the variance ratio of the window sums.
    (("stylized_variance_ratio",), lambda values: {"stylized_variance_ratio": False}),
    # ... nor the dispersion of the in-window correlations.
    (("stylized_correlation_dispersion",), lambda values: {"stylized_correlation_dispersion": False}),
    # ... nor the basket's kurtosis.
    (("stylized_basket_kurtosis",), lambda values: {"stylized_basket_kurtosis": False}),
    # Runs saved before the noise had persistent channels had none.
    (("persistent_noise", "noise_persistence"), lambda values: {"persistent_noise": 0, "noise_persistence": 0.97}),
    # Runs saved before the drift was calibrated generated the generator's own drift.
    (("drift_calibration",), lambda values: {"drift_calibration": False}),
    # ... and their daily returns' distribution was the generator's own.
    (("marginal_calibration",), lambda values: {"marginal_calibration": False}),
    # Runs saved before it trained on synthetic windows from a cold start.
    (("train_burn_in",), lambda values: {"train_burn_in": 0}),
)
# The paper's width, kept as the floor of the rule: up to 8 features the default is unchanged.
MIN_HIDDEN_DIM = 24
HIDDEN_PER_FEATURE = 3


def default_hidden_dim(n_features):
    """The latent width `hidden_dim=None` resolves to: max(24, 3 * n_features).

    24 is the TimeGAN paper's width (Yoon et al. 2019, reference code) and stays the default
    up to 8 features; beyond, the width grows with the data so that the latent is always wider
    than the data. The factor 3 is where widening stopped paying off in the measured
    reconstruction error of the embedder/recovery on 20 tickers (docs/many_series.md); the
    whole GAN's quality at these widths is not measured yet.

    Args:
        n_features: features of the data, an integer >= 1.

    Returns:
        int.
    """
    return max(MIN_HIDDEN_DIM, HIDDEN_PER_FEATURE * int(n_features))


@dataclasses.dataclass(frozen=True)
class TimeGANConfig:
    """Architecture, loss weights and optimisation settings of a TimeGAN.

    The number of features is data-dependent and is not part of the config: it is taken from the
    data passed to `TimeGAN.fit`.

    Every field is checked on construction by `timegan._validation` (constraints in `CONSTRAINTS`
    below); NumPy scalars are accepted and stored as Python numbers, so `to_dict()` is always
    JSON-serialisable. Integers must be integers (`2.0` is refused), numbers finite.

    Attributes:
        seq_len: window length in time steps (>= 2). Default 24.
        hidden_dim: units per recurrent layer and size of the latent space; None (default) takes
            `default_hidden_dim(n_features)` when the model is built for its data, and the
            resolved number is what a saved model's config holds. A width below the number of
            features is allowed but warned about (`resolve`).
        num_layers: recurrent layers of the embedder, recovery, generator and discriminator; the
            supervisor has `num_layers - 1` (at least 1). Default 3.
        cell: "gru" (default: Keras' GRU, reset gate after the recurrent product, the form
            cuDNN runs), "gru_block" (the reset gate before the product, as in the reference
            code's `tf.nn.rnn_cell.GRUCell`; trained unrolled with TensorFlow's fused
            `GRUBlockCell` kernel, see `timegan.recurrent.BlockGRU`) or "lstm".
        batch_size: windows per update. Default 128.
        learning_rate: Adam learning rate of every optimizer, in (0, 1]. Default 1e-3.
        z_dim: noise features per time step; None uses the number of data features, as the
            reference implementation does. Default None.
        persistent_noise: extra noise channels, beside the `z_dim` i.i.d. ones, that persist
            over time: each a stationary AR(1) in time with autocorrelation `noise_persistence`
            at lag 1, uniform like the others (`timegan.noise.persistent_channels`), so that the
            generator can hold a regime (volatility, co-movement) for a window. The generator
            then takes `z_dim + persistent_noise` noise features (`noise_dim`). Default 0
            (the paper's noise; docs/many_series.md).
        noise_persistence: phi of those channels, in [0, 1] (1: constant over each path).
            Default 0.97 (lag-23 autocorrelation 0.50).
        gamma: weight of the losses on `G(Z)` without the supervisor. Default 1. This and the
            other loss weights below (not `disc_loss_threshold`) lie in [0, 1e6].
        recon_weight: factor of sqrt(MSE(X, X~)) in the embedder/recovery losses. Default 10.
        embedder_supervised_weight: factor of the supervised loss in the joint-phase embedder
            update. Default 0.1.
        generator_supervised_weight: factor of sqrt(supervised loss) in the generator loss.
            Default 100.
        moment_weight: factor of the moment-matching loss in the generator loss. Default 100.
        moment_eps: added to the variance before the square root in the moment loss, in [0, 1].
            Default 1e-6.
        disc_loss_threshold: the discriminator is updated only while its loss exceeds this; a
            finite number >= 0 (a huge value never updates it). Default 0.15.
        generator_updates_per_step: generator+embedder updates per joint step. Default 2.
        jit_compile: compile the update functions with XLA. Default False.
        unroll: unroll the recurrent layers over time in training. None (default) unrolls on a
            CPU without XLA, where it trains about 1.5x faster, and keeps the loop when a GPU is
            visible (the cuDNN kernel) or XLA is on. Generation always runs the loop, so it
            accepts any path length.
        representation: what the model learns from prices (`timegan.representation`): "levels"
            (default; per-feature MinMax-scaled prices, the TimeGAN paper's protocol) or
            "returns" (per-feature log returns, standardised, Gaussianised if `heavy_tail`;
            generation cumulates them from a start price).
        heavy_tail: with "returns", apply the inverse Lambert W transform (Goerg 2011; Quant
            GANs, Wiese et al. 2020, section 5) after standardising. Default True; ignored for
            "levels".
        recovery_activation: head of the recovery network, which outputs the model's scale:
            "sigmoid", "linear" or "tanh"; None (default) picks by representation: "sigmoid"
            for levels (the paper's, data in [0, 1]), "linear" for returns (data about N(0, 1),
            unbounded: a sigmoid head cannot output a negative return, tanh none beyond 1
            standard deviation; see docs/finance.md for the measurement).
        burn_in: recurrent steps that `generate` runs and drops before each path, so that a path
            starts from a recurrent state like those inside training windows rather than from
            zeros (see docs/finance.md, start-of-path transient). Default 0.
        train_burn_in: recurrent steps that the generator and the supervisor run and drop before
            each synthetic window of the joint phase, so that the losses and the discriminator
            judge windows that start from a running recurrent state, as `generate` gives them
            with `burn_in`; 0 (default, the paper's): from zeros. The generator and supervisor
            then run `train_burn_in + seq_len` steps per window (docs/finance.md, "Training on
            the windows that generation gives").
        synthetic_path: which latent path the recovery network turns into synthetic data.
            "supervisor" (default, the paper's X_hat = R(S(G(Z))), Yoon et al. 2019, section 4):
            the generator's latent sequence passed through the supervisor. "generator": X_hat =
            R(G(Z)), the generator's own latent sequence (the paper's E_hat, which the
            discriminator judges beside S(E_hat) through the `gamma` term); the moment loss and
            `generate` then use that path, the supervisor is still trained as the next-step
            predictor. An option for experiments: measured on returns (one seed, 100 joint
            steps), the generator's own path was as persistent as the supervised one, so it is
            not a fix by itself (docs/finance.md, "What limits the returns model").
        stylized_weight: factor of the stylized-facts loss (`timegan.losses.stylized_facts_loss`:
            lag-1 autocorrelation, autocorrelation of |u|, window-to-window volatility dispersion,
            excess kurtosis and cross-feature correlations of the synthetic batch matched to the
            real one) in the generator loss. Default 0 (off, the paper's loss); see
            docs/finance.md, "What limits the returns model", for what it measured on returns.
        stylized_lags: largest lag of the |u| autocorrelation in that loss, an integer >= 1
            (capped at `seq_len - 1`). Default 5.
        stylized_return_lags: largest lag of the autocorrelation of u in that loss, an integer
            >= 1 (capped at `seq_len - 1`). Default 1.
        stylized_leverage_lags: largest lag k of the leverage correlation corr(u_t, u_{t+k}^2)
            in that loss, an integer >= 0 (0: no leverage term; capped at `seq_len - 1`).
            Default 5.
        stylized_scale: where that loss takes its statistics. "model" (default): on the model's
            scale u (for returns, the Gaussianised standardised log returns). "returns": on the
            standardised log returns, the heavy-tail transform undone per feature
            (`timegan.losses.lambert_w_tails`), the scale of the finance scores, where tail
            events weigh as they do in the data; the same as "model" for levels and without
            `heavy_tail`.
        stylized_norm: how that loss sums the gaps of each of its terms: "l2" (default), the
            norms of the finance scores (the Euclidean norm over the lags per feature for the
            autocorrelations and leverage, the Frobenius norm for the correlations), which pull
            hardest on the entries furthest from the real values; "mean", the mean absolute gap
            of each term, the earlier loss (`timegan.losses.stylized_facts_loss`; measured in
            docs/finance.md, "The norm of the stylized-facts loss").
        stylized_window_correlations: also match, in that loss, the correlations across
            features of whole windows: of the window sums of u and of the window log volatilities
            (the `sum_correlation` and `vol_correlation` terms of `timegan.losses.stylized_statistics`;
            no effect with one feature). Default False (docs/many_series.md, "What gives 20 series
            away").
        stylized_variance_ratio: also match, in that loss, each feature's variance ratio of the
            window sums, Var(sum_t u_t) / (T Var(u)) (Lo & MacKinlay 1988): how far a window
            moves against its daily moves. Default False (docs/many_series.md).
        stylized_correlation_dispersion: also match, in that loss, how much each window's mean
            in-window correlation across features varies over windows (the
            `correlation_dispersion` term of `timegan.losses.stylized_statistics`; no effect with
            one feature). Default False (docs/many_series.md).
        stylized_basket_kurtosis: also match, in that loss, the excess kurtosis of the
            equal-weighted basket of the features (the `basket_kurtosis` term; no effect with
            one feature). Default False (docs/many_series.md).
        drift_calibration: returns only: `generate` gives each series the training data's
            drift. The generator's mean on the model's scale, estimated from
            generated paths of fixed noise (`TimeGAN.drift_offset`), is taken off every generated
            return (the training data's mean there is 0 by construction). A bias of a few
            hundredths of a standard deviation per day, which the moment and adversarial losses
            leave, is about 10% a year of drift and is what tells 20 series apart
            (docs/many_series.md, "Each series' drift"). Default True.
        marginal_calibration: returns only: `generate` gives each series the data's
            distribution of daily returns. Each generated `u` is moved by quantile mapping
            (`timegan.representation.quantile_map`) from the generator's marginal, estimated
            from the same paths as the drift (per path length), to the data's (stored with the representation,
            `u_quantiles`: the training days, and the held-out days when `fit` is given
            `validation_data`); the map keeps each series' ranks, so what the model
            learned of volatility clustering, leverage and co-movement is kept. It sets the mean
            too, so `drift_calibration` has no further effect with it. The generator's spread
            was 3-10% too narrow and its skew of the wrong sign, which left the tails light
            (kurtosis 3.3 against 10.7 on the Quickstart's 250-day paths) and the 1-day EMD
            three times GARCH-t's (docs/finance.md, "Marginal calibration"). Default True.
        seed: seeds weights, noise and batch order, in [0, 2**32 - 1] (what both
            `keras.utils.set_random_seed` and `keras.random.SeedGenerator` accept). Default 0.
    """

    seq_len: int = 24
    hidden_dim: int | None = None
    num_layers: int = 3
    cell: str = "gru"
    batch_size: int = 128
    learning_rate: float = 1e-3
    z_dim: int | None = None
    persistent_noise: int = 0
    noise_persistence: float = 0.97
    gamma: float = 1.0
    recon_weight: float = 10.0
    embedder_supervised_weight: float = 0.1
    generator_supervised_weight: float = 100.0
    moment_weight: float = 100.0
    moment_eps: float = 1e-6
    disc_loss_threshold: float = 0.15
    generator_updates_per_step: int = 2
    jit_compile: bool = False
    unroll: bool | None = None
    representation: str = "levels"
    heavy_tail: bool = True
    recovery_activation: str | None = None
    burn_in: int = 0
    train_burn_in: int = 0
    synthetic_path: str = "supervisor"
    stylized_weight: float = 0.0
    stylized_lags: int = 5
    stylized_return_lags: int = 1
    stylized_leverage_lags: int = 5
    stylized_scale: str = "model"
    stylized_norm: str = "l2"
    stylized_window_correlations: bool = False
    stylized_variance_ratio: bool = False
    stylized_correlation_dispersion: bool = False
    stylized_basket_kurtosis: bool = False
    drift_calibration: bool = True
    marginal_calibration: bool = True
    seed: int = 0

    def __post_init__(self):
        validate_fields(self, CONSTRAINTS)
        if self.cell == "gru_block" and self.jit_compile and self.unroll:
            raise ValueError(
                "Expected `unroll` to be None or False with cell='gru_block' and jit_compile=True: XLA has no "
                "GRUBlockCell kernel. Received: unroll=True"
            )

    @property
    def recovery_head(self):
        """The recovery head's activation: `recovery_activation`, or by representation if None."""
        if self.recovery_activation is not None:
            return self.recovery_activation
        return "sigmoid" if self.representation == "levels" else "linear"

    def noise_dim(self, n_features):
        """Noise features per time step the generator takes: (`z_dim` or `n_features`) + `persistent_noise`."""
        return (self.z_dim or n_features) + self.persistent_noise

    @property
    def supervisor_layers(self):
        """Recurrent layers of the supervisor: `num_layers - 1`, at least 1."""
        return max(1, self.num_layers - 1)

    def resolve(self, n_features):
        """The config with `hidden_dim` fixed for data of `n_features` features.

        None becomes `default_hidden_dim(n_features)`; a number is kept, with a `UserWarning`
        naming both sizes when it is narrower than the data.

        Raises:
            ValueError: if `n_features` is not an integer >= 1.
        """
        n_features = validate(n_features, "n_features", Integer(1))
        if self.hidden_dim is None:
            return dataclasses.replace(self, hidden_dim=default_hidden_dim(n_features))
        if self.hidden_dim < n_features:
            warnings.warn(
                f"hidden_dim={self.hidden_dim} is narrower than the data's {n_features} features: the latent "
                f"cannot hold every series; hidden_dim=None picks {default_hidden_dim(n_features)}.",
                UserWarning,
                stacklevel=3,
            )
        return self

    def to_dict(self):
        """Returns the config as a JSON-serialisable dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        """Builds a config from `to_dict` output.

        A config saved before a group of fields existed (`ADDED_FIELDS`: `representation`,
        `heavy_tail`, `recovery_activation` and `burn_in`; later `synthetic_path`; later
        `stylized_weight` and `stylized_lags`; later `stylized_return_lags`; later
        `stylized_leverage_lags`; later `stylized_scale`; later `stylized_norm`; later `stylized_window_correlations`; later
        `stylized_variance_ratio`; later `stylized_correlation_dispersion`; later
        `stylized_basket_kurtosis`; later
        `persistent_noise` and `noise_persistence`; later `drift_calibration`; later
        `marginal_calibration`; later `train_burn_in`) lacks the whole
        group; it gets the values of the model it described (levels, sigmoid head, no burn-in;
        synthetic data through the supervisor; no stylized-facts loss; its autocorrelation of u
        at lag 1 only; no leverage term; statistics on the model's scale; gaps averaged; no window correlations; no variance ratio; no correlation dispersion; no basket kurtosis; no persistent noise; the generator's own drift and marginal; cold-start training windows). Any
        other missing key is refused.

        Raises:
            TypeError: if `values` is not a dict, or a value has the wrong type.
            ValueError: on keys that are not fields of the config, on missing keys (a saved
                config is never completed with defaults) and on invalid values.
        """
        values = fill_added_fields(values, ADDED_FIELDS)
        check_keys(cls, values)
        return cls(**values)


# One entry per field; `tests/test_config.py` checks that none is missing.
CONSTRAINTS = {
    "seq_len": [Integer(2)],
    "hidden_dim": [Integer(1), None],
    "num_layers": [Integer(1)],
    "cell": [Options(*CELLS)],
    "batch_size": [Integer(1)],
    # Adam only: a rate above 1 throws every weight past its scale at the first step (1e30 gives
    # NaN losses at the first joint step), so the bound is tighter than the shared LEARNING_RATE.
    "learning_rate": [Real(0, 1, closed="right")],
    "z_dim": [Integer(1), None],
    "persistent_noise": [Integer(0)],
    "noise_persistence": [Real(0, 1)],
    "gamma": [LOSS_WEIGHT],
    "recon_weight": [LOSS_WEIGHT],
    "embedder_supervised_weight": [LOSS_WEIGHT],
    "generator_supervised_weight": [LOSS_WEIGHT],
    "moment_weight": [LOSS_WEIGHT],
    "moment_eps": [Real(0, 1)],
    "disc_loss_threshold": [Real(0, None)],
    "generator_updates_per_step": [Integer(1)],
    "jit_compile": [Bool()],
    "unroll": [Bool(), None],
    "representation": [Options(*REPRESENTATIONS)],
    "heavy_tail": [Bool()],
    "recovery_activation": [Options(*HEADS), None],
    "burn_in": [Integer(0)],
    "train_burn_in": [Integer(0)],
    "synthetic_path": [Options(*SYNTHETIC_PATHS)],
    "stylized_weight": [LOSS_WEIGHT],
    "stylized_lags": [Integer(1)],
    "stylized_return_lags": [Integer(1)],
    "stylized_leverage_lags": [Integer(0)],
    "stylized_scale": [Options(*STYLIZED_SCALES)],
    "stylized_norm": [Options(*STYLIZED_NORMS)],
    "stylized_window_correlations": [Bool()],
    "stylized_variance_ratio": [Bool()],
    "stylized_correlation_dispersion": [Bool()],
    "stylized_basket_kurtosis": [Bool()],
    "drift_calibration": [Bool()],
    "marginal_calibration": [Bool()],
    "seed": [SEED],
}
