"""Hyperparameters of the conditional tabular GAN: one frozen dataclass, validated on construction.

The two losses are those of the project's image GANs: the non-saturating GAN loss (Goodfellow et
al., NeurIPS 2014, section 3) and WGAN-GP (Gulrajani et al., NeurIPS 2017, algorithm 1: critic
steps 5, penalty weight 10, Adam 1e-4 with betas (0, 0.9)). Categorical blocks use the
Gumbel-softmax (Jang et al., ICLR 2017, eq. 2) at `gumbel_temperature` while training.
"""

import dataclasses
import math
import numbers

LOSSES = ("non-saturating", "wgan-gp")


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"Expected `{name}` to be an integer >= {minimum}. Received: {name}={value!r}")


def _check_float(name, value, minimum=0.0, inclusive=True):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isnan(value)
    if ok:
        ok = value >= minimum if inclusive else value > minimum
    if not ok:
        relation = ">=" if inclusive else ">"
        raise ValueError(f"Expected `{name}` to be a number {relation} {minimum}. Received: {name}={value!r}")


def check_known_keys(cls, values):
    """Raises unless `values` is a dict whose keys are all fields of the dataclass `cls`.

    Raises:
        TypeError: if `values` is not a dict.
        ValueError: naming the unknown keys and the accepted ones.
    """
    if not isinstance(values, dict):
        raise TypeError(f"Expected a dict of {cls.__name__} values. Received: {type(values).__name__}")
    known = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"Unknown {cls.__name__} keys: {unknown}. Expected a subset of {sorted(known)}")


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
        if self.loss not in LOSSES:
            raise ValueError(
                f"Unknown loss {self.loss!r}. Expected one of {list(LOSSES)}. Received: loss={self.loss!r}"
            )
        units = self.hidden_units
        if isinstance(units, list):
            units = tuple(units)
        if (
            not isinstance(units, tuple)
            or not units
            or not all(isinstance(u, numbers.Integral) and not isinstance(u, bool) and u >= 1 for u in units)
        ):
            raise ValueError(
                f"Expected `hidden_units` to be a non-empty tuple of integers >= 1. Received: hidden_units={self.hidden_units!r}"
            )
        object.__setattr__(self, "hidden_units", tuple(int(u) for u in units))
        for name, minimum in (
            ("latent_dim", 1),
            ("batch_size", 1),
            ("steps", 1),
            ("discriminator_steps", 1),
            ("seed", 0),
        ):
            value = getattr(self, name)
            _check_int(name, value, minimum)
            object.__setattr__(self, name, int(value))
        for name in ("learning_rate", "gumbel_temperature"):
            _check_float(name, getattr(self, name), 0.0, inclusive=False)
        _check_float("gp_weight", self.gp_weight, 0.0)
        for name in ("dropout", "beta_1", "beta_2"):
            value = getattr(self, name)
            _check_float(name, value, 0.0)
            if value >= 1:
                raise ValueError(f"Expected `{name}` to be a number in [0, 1). Received: {name}={value!r}")
        for name in ("learning_rate", "gumbel_temperature", "gp_weight", "dropout", "beta_1", "beta_2"):
            object.__setattr__(self, name, float(getattr(self, name)))
        for name in ("straight_through", "balanced_batches", "clip_to_range"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"Expected `{name}` to be True or False. Received: {name}={getattr(self, name)!r}")

    def to_dict(self):
        """The fields as a JSON-ready dict (tuples become lists)."""
        values = dataclasses.asdict(self)
        values["hidden_units"] = list(self.hidden_units)
        return values

    @classmethod
    def from_dict(cls, values):
        """Builds a config from `to_dict()` output.

        Raises:
            TypeError: if `values` is not a dict.
            ValueError: on unknown keys or invalid values.
        """
        check_known_keys(cls, values)
        return cls(**values)
