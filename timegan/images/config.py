"""Frozen configuration of an image GAN: architecture, loss, optimizer and their hyperparameters.

Fields left as None take the default of the chosen loss or optimizer in `__post_init__`
(for example `loss="wgan"` gives RMSprop, learning rate 5e-5, 5 critic steps and clip value 0.01,
as in the WGAN paper), so `to_dict()` always shows the values that were used.
"""

import dataclasses
from dataclasses import dataclass

from timegan._validation import (
    LEARNING_RATE,
    LOSS_WEIGHT,
    SEED,
    Bool,
    Integer,
    Options,
    Real,
    Sequence,
    check_keys,
    fill_added_fields,
    validate_fields,
)

ARCHITECTURES = ("mlp", "dcgan")
LOSSES = ("minimax", "non-saturating", "hinge", "wgan", "wgan-gp")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam")
# How a conditional discriminator uses the label: "concat" (label embedding joined to the input),
# "projection" (Miyato & Koyama 2018) or "acgan" (auxiliary classifier head, Odena et al. 2017).
CONDITIONINGS = ("concat", "projection", "acgan")

# Learning rates of the optimizers when none is given: the usual values for GANs of this size
# (Adadelta's 1.0 is its paper's; RMSprop's 5e-5 is the WGAN paper's).
DEFAULT_LEARNING_RATES = {
    "sgd": 0.02,
    "momentum": 0.01,
    "adagrad": 0.01,
    "rmsprop": 5e-5,
    "adadelta": 1.0,
    "adam": 2e-4,
}
# Per loss: optimizer, discriminator (critic) steps per generator step, Adam betas.
_LOSS_DEFAULTS = {
    "minimax": dict(optimizer="adam", discriminator_steps=1, beta_1=0.5, beta_2=0.999),
    "non-saturating": dict(optimizer="adam", discriminator_steps=1, beta_1=0.5, beta_2=0.999),
    # Adam(2e-4, beta_1=0, beta_2=0.9) as in Miyato & Koyama (2018), section 5; one D step per G step.
    "hinge": dict(optimizer="adam", discriminator_steps=1, beta_1=0.0, beta_2=0.9),
    "wgan": dict(optimizer="rmsprop", discriminator_steps=5, beta_1=0.5, beta_2=0.999),
    "wgan-gp": dict(optimizer="adam", discriminator_steps=5, beta_1=0.0, beta_2=0.9),
}


# Per field, what `__post_init__` accepts once the loss's and optimizer's defaults are filled in.
_CONSTRAINTS = {
    "architecture": [Options(*ARCHITECTURES)],
    "loss": [Options(*LOSSES)],
    "optimizer": [Options(*OPTIMIZERS)],
    "generator_lr": [LEARNING_RATE],
    "discriminator_lr": [LEARNING_RATE],
    "momentum": [Real(0, 1, closed="left"), None],
    "beta_1": [Real(0, 1, closed="left"), None],
    "beta_2": [Real(0, 1, closed="left"), None],
    "discriminator_steps": [Integer(1)],
    "clip_value": [Real(0, None, closed="neither"), None],
    "gp_weight": [Real(0, LOSS_WEIGHT.high, closed="right"), None],
    "gp_epsilon": [Real(0, 1, closed="right")],
    "latent_dim": [Integer(1)],
    "image_size": [Integer(4)],
    "channels": [Integer(1)],
    "hidden_units": [Sequence(Integer(1))],
    "filters": [Integer(1)],
    "dropout": [Real(0, 1, closed="left")],
    "leaky_slope": [Real(0, 1)],
    "noise_layer": [Bool()],
    "noise_units": [Integer(1)],
    "minibatch_discrimination": [Bool()],
    "minibatch_kernels": [Integer(1)],
    "minibatch_kernel_dim": [Integer(1)],
    "conditional": [Bool()],
    "num_classes": [Integer(2)],
    "label_embedding_dim": [Integer(1)],
    "conditioning": [Options(*CONDITIONINGS), None],
    "classifier_weight": [Real(0, LOSS_WEIGHT.high, closed="right"), None],
    "packing": [Integer(1)],
    "spectral_norm": [Bool()],
    "conditional_batchnorm": [Bool()],
    "label_concat": [Bool()],
    "label_smoothing": [Real(0, 1, closed="left")],
    "ema_decay": [Real(0, 1, closed="neither"), None],
    "mode_seeking_weight": [LOSS_WEIGHT],
    "mode_seeking_epsilon": [Real(0, 1, closed="right")],
    "seed": [SEED],
}
_TRAINING_CONSTRAINTS = {
    "epochs": [Integer(1)],
    "batch_size": [Integer(1)],
    "train_size": [Integer(1), None],
    "sample_grid": [Integer(1)],
    "seed": [SEED],
}


def _conditioning_fields(values):
    # Before `conditioning` existed, a conditional discriminator joined the label to its input.
    conditional = values.get("conditional") is True
    return {"conditioning": "concat" if conditional else None, "classifier_weight": None, "packing": 1}


# Groups of ImageGANConfig fields added after run directories were first saved, oldest first:
# each maps the values of an older config to the added fields' values that reproduce its training.
_ADDED_FIELDS = (
    (("conditioning", "classifier_weight", "packing"), _conditioning_fields),
    (
        ("spectral_norm", "conditional_batchnorm", "label_smoothing"),
        lambda values: {"spectral_norm": False, "conditional_batchnorm": False, "label_smoothing": 0.0},
    ),
    (("label_concat",), lambda values: {"label_concat": True}),
    # Runs saved before the generator's weight average existed trained and saved the raw generator.
    (("ema_decay",), lambda values: {"ema_decay": None}),
    # Runs saved before the mode-seeking term existed trained without it.
    (
        ("mode_seeking_weight", "mode_seeking_epsilon"),
        lambda values: {"mode_seeking_weight": 0.0, "mode_seeking_epsilon": 1e-5},
    ),
)


def migrate(values):
    """Adds to a saved `ImageGANConfig` dict the field groups it predates (`_ADDED_FIELDS`).

    See `timegan._validation.fill_added_fields`; returns a new dict, or `values` when complete.
    """
    return fill_added_fields(values, _ADDED_FIELDS)


@dataclass(frozen=True)
class ImageGANConfig:
    """Everything that defines an image GAN and its training step.

    Every field is checked by `timegan._validation` once the defaults are filled in (constraints
    in `_CONSTRAINTS`): NumPy scalars are accepted and stored as Python numbers, numbers must be
    finite, learning rates lie in (0, 10] and seeds in [0, 2**32 - 1].

    Attributes:
        architecture: `"mlp"` (fully connected, as in Goodfellow et al. 2014) or `"dcgan"`
            (transposed convolutions with batch norm in the generator, strided convolutions in the
            discriminator). Default `"mlp"`.
        loss: `"minimax"`, `"non-saturating"`, `"hinge"` (Lim & Ye 2017; Miyato et al. 2018,
            eq. 16-17, the loss of the projection discriminator's paper), `"wgan"` or `"wgan-gp"`.
            Default `"non-saturating"`.
        optimizer: one of `OPTIMIZERS`. Default None: Adam, or RMSprop for `"wgan"`.
        generator_lr: generator learning rate. Default None: `DEFAULT_LEARNING_RATES[optimizer]`.
        discriminator_lr: discriminator learning rate. Default None: same as the generator's default.
        momentum: momentum of the `"momentum"` optimizer. Default None: 0.9 for `"momentum"`;
            refused for the other optimizers.
        beta_1: Adam's first-moment decay. Default None: 0.5, or 0.0 for `"hinge"` and `"wgan-gp"`
            (only Adam).
        beta_2: Adam's second-moment decay. Default None: 0.999, or 0.9 for `"hinge"` and
            `"wgan-gp"` (only Adam).
        discriminator_steps: discriminator (critic) updates per generator update, `k` in
            Goodfellow et al. Default None: 1, or 5 for the Wasserstein losses.
        clip_value: WGAN weight clipping bound `c`. Default None: 0.01 for `"wgan"`; refused for
            the other losses.
        gp_weight: gradient penalty weight lambda. Default None: 10 for `"wgan-gp"`; refused otherwise.
        gp_epsilon: added under the square root of the gradient norm so its gradient stays finite
            at zero. Default 1e-12.
        latent_dim: size of the noise vector z. Default 100.
        image_size: side of the square images. Default 28. `"dcgan"` needs a multiple of 4.
        channels: image channels. Default 1.
        hidden_units: MLP layer widths, generator order (the discriminator uses them reversed).
            Default (256, 512).
        filters: DCGAN base number of filters. Default 64.
        dropout: dropout rate in the MLP discriminator. Default 0.3.
        leaky_slope: negative slope of the discriminator's LeakyReLUs. Default 0.2.
        noise_layer: concatenate fresh Gaussian noise to the generator's first hidden layer.
            Default False.
        noise_units: width of that noise. Default 32.
        minibatch_discrimination: add a `MinibatchDiscrimination` layer before the
            discriminator's output. Default False.
        minibatch_kernels: number of kernels B of that layer. Default 50.
        minibatch_kernel_dim: dimension C of each kernel. Default 5.
        conditional: feed the class label to generator and discriminator. Default False.
        num_classes: number of classes for `conditional`. Default 10.
        label_embedding_dim: width of the label embedding. Default 50.
        conditioning: how the discriminator uses the label, one of `CONDITIONINGS`:
            `"concat"` (the embedding is joined to the flattened image (MLP) or added as an image
            channel (DCGAN)), `"projection"` (logit `psi(phi(x)) + embed(y) . phi(x)`, Miyato &
            Koyama 2018, eq. 3) or `"acgan"` (the discriminator sees the image only and also
            predicts its class; both networks add the class cross-entropy, Odena et al. 2017,
            eqs. 2-3). Default None: `"projection"` for a conditional model; refused otherwise.
        classifier_weight: weight of the AC-GAN class cross-entropy in both losses. Default None:
            1.0 for `conditioning="acgan"`; refused otherwise.
        packing: PacGAN degree m (Lin et al. 2018): the discriminator judges m samples at once,
            concatenated along the channel axis. Default 1 (no packing). The batch size must be
            a multiple of m; not with `conditional`.
        spectral_norm: divide every dense and convolution kernel of the discriminator by its
            largest singular value, estimated by one power iteration per training call (Miyato et
            al. 2018; `keras.layers.SpectralNormalization`). The projection embedding is left as it
            is (Keras' wrapper cuts an embedding's gradient). Default False.
        conditional_batchnorm: the generator's batch normalizations take a per-class scale and
            shift instead of one learned pair (de Vries et al. 2017; Miyato & Koyama 2018, section
            5). Only for a conditional DCGAN. Default False.
        label_concat: the generator joins the label embedding to z before its first layer (Mirza
            & Osindero 2014). Default True. False (only with `conditional_batchnorm`) leaves the
            label to the batch norms, so the first layer sees z alone, as in Miyato & Koyama's
            generator.
        label_smoothing: one-sided label smoothing s (Salimans et al. 2016, section 3.4): the
            discriminator's target for real images is 1 - s. Only for `"minimax"` and
            `"non-saturating"`. Default 0.
        ema_decay: decay beta of an exponential moving average of the generator's weights
            (Yazici et al. 2019, "The Unusual Effectiveness of Averaging in GAN Training", section 3:
            `theta_ema <- beta * theta_ema + (1 - beta) * theta` after every generator update),
            with TensorFlow's `ExponentialMovingAverage` warm-up: at the t-th update the decay is
            `min(beta, (1 + t) / (10 + t))`, so the first steps' weights do not linger. The
            averaged generator is the one that is sampled, saved and evaluated; the raw one keeps
            training. Default None: no average.
        mode_seeking_weight: weight lambda of the mode-seeking term in the generator's loss
            (Mao et al. 2019, "Mode Seeking Generative Adversarial Networks for Diverse Image
            Synthesis", MSGAN, eqs. 3-4): each generator batch is two halves with the same labels
            (a conditional model) and their own noise, and the generator also minimises
            `lambda / (mean|G(z1) - G(z2)| / mean|z1 - z2| + epsilon)`, so that different noise
            under one label must give different images (see `losses.mode_seeking_loss`). The
            batch size must be even. Default 0: no term, and the step is the one without it.
        mode_seeking_epsilon: epsilon of that term, which bounds it by `1 / epsilon` when two
            halves give the same images. Default 1e-5 (the authors' code).
        seed: seed of weight initialization and training noise. Default 0.
    """

    architecture: str = "mlp"
    loss: str = "non-saturating"
    optimizer: str | None = None
    generator_lr: float | None = None
    discriminator_lr: float | None = None
    momentum: float | None = None
    beta_1: float | None = None
    beta_2: float | None = None
    discriminator_steps: int | None = None
    clip_value: float | None = None
    gp_weight: float | None = None
    gp_epsilon: float = 1e-12
    latent_dim: int = 100
    image_size: int = 28
    channels: int = 1
    hidden_units: tuple = (256, 512)
    filters: int = 64
    dropout: float = 0.3
    leaky_slope: float = 0.2
    noise_layer: bool = False
    noise_units: int = 32
    minibatch_discrimination: bool = False
    minibatch_kernels: int = 50
    minibatch_kernel_dim: int = 5
    conditional: bool = False
    num_classes: int = 10
    label_embedding_dim: int = 50
    conditioning: str | None = None
    classifier_weight: float | None = None
    packing: int = 1
    spectral_norm: bool = False
    conditional_batchnorm: bool = False
    label_concat: bool = True
    label_smoothing: float = 0.0
    ema_decay: float | None = None
    mode_seeking_weight: float = 0.0
    mode_seeking_epsilon: float = 1e-5
    seed: int = 0

    def __post_init__(self):
        # The defaults depend on the loss and optimizer, so those are checked first.
        validate_fields(self, {name: _CONSTRAINTS[name] for name in ("architecture", "loss")})
        defaults = _LOSS_DEFAULTS[self.loss]
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        if self.optimizer is None:
            set_("optimizer", defaults["optimizer"])
        validate_fields(self, {"optimizer": _CONSTRAINTS["optimizer"]})
        for name in ("generator_lr", "discriminator_lr"):
            if getattr(self, name) is None:
                set_(name, DEFAULT_LEARNING_RATES[self.optimizer])
        # Optimizer-specific fields stay None for the other optimizers (so from_dict(to_dict()) holds).
        if self.optimizer == "momentum":
            if self.momentum is None:
                set_("momentum", 0.9)
        elif self.momentum is not None:
            raise ValueError(
                f"`momentum` only applies to optimizer='momentum'. Received: momentum={self.momentum!r} "
                f"with optimizer={self.optimizer!r}"
            )
        for name in ("beta_1", "beta_2"):
            if self.optimizer == "adam":
                if getattr(self, name) is None:
                    set_(name, defaults[name])
            elif getattr(self, name) is not None:
                raise ValueError(
                    f"`{name}` only applies to optimizer='adam'. Received: {name}={getattr(self, name)!r} "
                    f"with optimizer={self.optimizer!r}"
                )
        if self.discriminator_steps is None:
            set_("discriminator_steps", defaults["discriminator_steps"])
        if self.clip_value is None and self.loss == "wgan":
            set_("clip_value", 0.01)
        if self.clip_value is not None and self.loss != "wgan":
            raise ValueError(
                f"`clip_value` only applies to loss='wgan'. Received: clip_value={self.clip_value!r} "
                f"with loss={self.loss!r}"
            )
        if self.gp_weight is None and self.loss == "wgan-gp":
            set_("gp_weight", 10.0)
        if self.gp_weight is not None and self.loss != "wgan-gp":
            raise ValueError(
                f"`gp_weight` only applies to loss='wgan-gp'. Received: gp_weight={self.gp_weight!r} "
                f"with loss={self.loss!r}"
            )
        self._resolve_conditioning(set_)
        validate_fields(self, _CONSTRAINTS)
        if self.architecture == "dcgan" and self.image_size % 4:
            raise ValueError(
                "Expected `image_size` to be a multiple of 4 for architecture='dcgan' (two stride-2 "
                f"upsamplings). Received: image_size={self.image_size!r}"
            )
        if self.minibatch_discrimination and self.loss == "wgan-gp":
            # The penalty constrains the gradient of each sample's score with respect to that sample;
            # minibatch features make a sample's score depend on the whole batch (the reason the
            # WGAN-GP paper drops batch norm from the critic).
            raise ValueError(
                "minibatch_discrimination=True is incompatible with loss='wgan-gp': the gradient "
                "penalty is per sample and minibatch features mix samples. Use another loss or drop "
                "minibatch discrimination."
            )
        if self.conditional_batchnorm and not (self.conditional and self.architecture == "dcgan"):
            raise ValueError(
                "conditional_batchnorm=True needs a conditional DCGAN (the MLP generator has no batch norm). "
                f"Received: architecture={self.architecture!r}, conditional={self.conditional}"
            )
        if not self.label_concat and not self.conditional_batchnorm:
            raise ValueError(
                "label_concat=False needs conditional_batchnorm=True (the generator would not see the label). "
                f"Received: conditional={self.conditional}, conditional_batchnorm={self.conditional_batchnorm}"
            )
        if self.label_smoothing and self.loss not in ("minimax", "non-saturating"):
            raise ValueError(
                f"`label_smoothing` only applies to loss='minimax' or 'non-saturating'. "
                f"Received: label_smoothing={self.label_smoothing!r} with loss={self.loss!r}"
            )
        if self.packing > 1 and self.conditional:
            raise ValueError(
                f"packing={self.packing} is not available with conditional=True (a pack would mix labels). "
                "Use packing=1 or an unconditional model."
            )

    def _resolve_conditioning(self, set_):
        if not self.conditional:
            for name in ("conditioning", "classifier_weight"):
                if getattr(self, name) is not None:
                    raise ValueError(
                        f"`{name}` only applies to conditional=True. Received: {name}={getattr(self, name)!r} "
                        "with conditional=False"
                    )
            return
        if self.conditioning is None:
            set_("conditioning", "projection")
        validate_fields(self, {"conditioning": _CONSTRAINTS["conditioning"]})
        if self.conditioning == "acgan":
            if self.classifier_weight is None:
                set_("classifier_weight", 1.0)
        elif self.classifier_weight is not None:
            raise ValueError(
                f"`classifier_weight` only applies to conditioning='acgan'. "
                f"Received: classifier_weight={self.classifier_weight!r} with conditioning={self.conditioning!r}"
            )

    @property
    def discriminator_input_shape(self):
        """`(image_size, image_size, channels * packing)`: what the discriminator sees."""
        return (self.image_size, self.image_size, self.channels * self.packing)

    @property
    def image_shape(self):
        """`(image_size, image_size, channels)`."""
        return (self.image_size, self.image_size, self.channels)

    def to_dict(self):
        """Returns the resolved fields as a JSON-ready dict."""
        values = dataclasses.asdict(self)
        values["hidden_units"] = list(self.hidden_units)
        return values

    @classmethod
    def from_dict(cls, values):
        """Builds a config from `to_dict()` output, including that of older versions.

        A config saved before a group of fields existed (see `_ADDED_FIELDS`) lacks the whole
        group; it is given the values that reproduce how such runs were trained (for example
        `conditioning="concat"` for an old conditional run). Any other missing key is refused.

        Raises:
            TypeError: if `values` is not a dict, or a value has the wrong type.
            ValueError: for keys that are not fields of this config, missing keys (never filled
                with defaults) and invalid values.
        """
        values = migrate(values)
        check_keys(cls, values)
        values = dict(values)
        if isinstance(values.get("hidden_units"), list):
            values["hidden_units"] = tuple(values["hidden_units"])
        return cls(**values)


@dataclass(frozen=True)
class ImageTrainingConfig:
    """How a run is trained: data, epochs, batch size.

    Attributes:
        dataset: `"mnist"` or `"fashion-mnist"`.
        epochs: passes over the training images. Default 10.
        batch_size: images per discriminator update. Default 64.
        train_size: number of training images (a seeded random subset). Default None: all 60000.
        sample_grid: samples per side of the per-epoch grid (non-conditional runs). Default 8.
        seed: seed of the subset and shuffling. Default 0.
    """

    dataset: str = "mnist"
    epochs: int = 10
    batch_size: int = 64
    train_size: int | None = None
    sample_grid: int = 8
    seed: int = 0

    def __post_init__(self):
        from timegan.images.data import check_dataset_name

        check_dataset_name(self.dataset)
        validate_fields(self, _TRAINING_CONSTRAINTS)

    def to_dict(self):
        """Returns the fields as a JSON-ready dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        """Builds a config from `to_dict()` output; rejects unknown and missing keys."""
        check_keys(cls, values)
        return cls(**values)
