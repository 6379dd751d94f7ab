"""Hyperparameters of the conditional tabular GAN: one frozen dataclass, validated on construction.

The two losses are those of the project's image GANs: the non-saturating GAN loss (Goodfellow et
al., NeurIPS 2014, section 3) and WGAN-GP (Gulrajani et al., NeurIPS 2017, algorithm 1: critic
steps 5, penalty weight 10, Adam 1e-4 with betas (0, 0.9)). Categorical blocks use the
Gumbel-softmax (Jang et al., ICLR 2017, eq. 2) at `gumbel_temperature` while training.
"""

import dataclasses

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
    validate_fields,
)

LOSSES = ("non-saturating", "wgan-gp")


@dataclasses.dataclass(frozen=True)
class TabularGANConfig:
    """Architecture and optimisation settings of a `TabularGAN`.

    Attributes:
        loss: "non-saturating" or "wgan-gp". Default "non-saturating" (chosen by the benchmark
            in docs/rebalance.md).
        latent_dim: size of the generator's Gaussian noise. Default 32.
        hidden_units: width of each hidden layer of both networks. Default (128, 128).
        dropout: dropout rate of the discriminator's hidden layers. Default 0.25.
        learning_rate: Adam learning rate of both networks. Default 2e-4.
        beta_1: Adam beta 1. Default 0.5.
        beta_2: Adam beta 2. Default 0.999.
        batch_size: records per discriminator step. Default 64.
        steps: generator updates in `fit`. Default 1000.
        discriminator_steps: discriminator updates per generator update. Default 1.
        gp_weight: gradient-penalty weight (WGAN-GP only). Default 10.
        gumbel_temperature: Gumbel-softmax temperature of categorical blocks while training. Default 0.5.
        straight_through: pass exact one-hot vectors forward while training and the Gumbel-softmax
            gradient backward (Jang et al., section 2.2); False gives the soft Gumbel-softmax. Default False.
        balanced_batches: draw each class equally often while training, so the generator of a rare
            class gets as many updates as the common one. Default True.
        clip_to_range: clip generated numeric columns to the range seen in training. Default True.
        seed: seed of weights, noise and batch order. Default 0.
    """

    loss: str = "non-saturating"
    latent_dim: int = 32
    hidden_units: tuple = (128, 128)
    dropout: float = 0.25
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    batch_size: int = 64
    steps: int = 1000
    discriminator_steps: int = 1
    gp_weight: float = 10.0
    gumbel_temperature: float = 0.5
    straight_through: bool = False
    balanced_batches: bool = True
    clip_to_range: bool = True
    seed: int = 0

    def __post_init__(self):
        validate_fields(self, CONSTRAINTS)

    def to_dict(self):
        """The fields as a JSON-ready dict (tuples become lists)."""
        values = dataclasses.asdict(self)
        values["hidden_units"] = list(self.hidden_units)
        return values

    @classmethod
    def from_dict(cls, values):
        """Builds a config from `to_dict()` output (a saved GAN's config.json).

        Every field is required: a file without, say, `seed` would otherwise train another model.

        Raises:
            TypeError: if `values` is not a dict, or a value of the wrong type.
            ValueError: on unknown or missing keys, or invalid values.
        """
        check_keys(cls, values)
        return cls(**values)


# Checked by `timegan._validation` on construction; NumPy scalars become Python numbers.
_UNIT_INTERVAL = Real(0, 1, closed="left")  # dropout and Adam's betas: 1 would stop learning or averaging
CONSTRAINTS = {
    "loss": [Options(*LOSSES)],
    "latent_dim": [Integer(1)],
    "hidden_units": [Sequence(Integer(1))],
    "dropout": [_UNIT_INTERVAL],
    "learning_rate": [LEARNING_RATE],
    "beta_1": [_UNIT_INTERVAL],
    "beta_2": [_UNIT_INTERVAL],
    "batch_size": [Integer(1)],
    "steps": [Integer(1)],
    "discriminator_steps": [Integer(1)],
    "gp_weight": [LOSS_WEIGHT],
    "gumbel_temperature": [Real(0, None, closed="neither")],
    "straight_through": [Bool()],
    "balanced_batches": [Bool()],
    "clip_to_range": [Bool()],
    "seed": [SEED],
}
