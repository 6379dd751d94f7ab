"""TimeGAN hyperparameters: one frozen dataclass, validated on construction.

Defaults are the TimeGAN paper's reference implementation (Yoon et al., NeurIPS 2019,
jsyoon0823/TimeGAN): sequence length 24, hidden size 24, 3 GRU layers, batch 128, Adam 1e-3,
gamma 1, and the loss weights below.
"""

import dataclasses
import numbers

CELLS = ("gru", "lstm")


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"Expected `{name}` to be an integer >= {minimum}. Received: {name}={value!r}")


def _check_float(name, value, minimum=0.0, inclusive=True):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value
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
class TimeGANConfig:
    """Architecture, loss weights and optimisation settings of a TimeGAN.

    The number of features is data-dependent and is not part of the config: it is taken from the
    data passed to `TimeGAN.fit`.

    Attributes:
        seq_len: window length in time steps (>= 2). Default 24.
        hidden_dim: units per recurrent layer and size of the latent space. Default 24.
        num_layers: recurrent layers of the embedder, recovery, generator and discriminator; the
            supervisor has `num_layers - 1` (at least 1). Default 3.
        cell: "gru" (default) or "lstm".
        batch_size: windows per update. Default 128.
        learning_rate: Adam learning rate of every optimizer. Default 1e-3.
        z_dim: noise features per time step; None uses the number of data features, as the
            reference implementation does. Default None.
        gamma: weight of the losses on `G(Z)` without the supervisor. Default 1.
        recon_weight: factor of sqrt(MSE(X, X~)) in the embedder/recovery losses. Default 10.
        embedder_supervised_weight: factor of the supervised loss in the joint-phase embedder
            update. Default 0.1.
        generator_supervised_weight: factor of sqrt(supervised loss) in the generator loss.
            Default 100.
        moment_weight: factor of the moment-matching loss in the generator loss. Default 100.
        moment_eps: added to the variance before the square root in the moment loss. Default 1e-6.
        disc_loss_threshold: the discriminator is updated only while its loss exceeds this.
            Default 0.15.
        generator_updates_per_step: generator+embedder updates per joint step. Default 2.
        jit_compile: compile the update functions with XLA. Default False.
        unroll: unroll the recurrent layers over time in training. None (default) unrolls on a
            CPU without XLA, where it trains about 1.5x faster, and keeps the loop when a GPU is
            visible (the cuDNN kernel) or XLA is on. Generation always runs the loop, so it
            accepts any path length.
        seed: seeds weights, noise and batch order. Default 0.
    """

    seq_len: int = 24
    hidden_dim: int = 24
    num_layers: int = 3
    cell: str = "gru"
    batch_size: int = 128
    learning_rate: float = 1e-3
    z_dim: int | None = None
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
    seed: int = 0

    def __post_init__(self):
        _check_int("seq_len", self.seq_len, 2)
        _check_int("hidden_dim", self.hidden_dim, 1)
        _check_int("num_layers", self.num_layers, 1)
        if self.cell not in CELLS:
            raise ValueError(f"Expected `cell` to be one of {CELLS}. Received: cell={self.cell!r}")
        _check_int("batch_size", self.batch_size, 1)
        _check_float("learning_rate", self.learning_rate, inclusive=False)
        if self.z_dim is not None:
            _check_int("z_dim", self.z_dim, 1)
        for name in (
            "gamma",
            "recon_weight",
            "embedder_supervised_weight",
            "generator_supervised_weight",
            "moment_weight",
            "moment_eps",
            "disc_loss_threshold",
        ):
            _check_float(name, getattr(self, name))
        _check_int("generator_updates_per_step", self.generator_updates_per_step, 1)
        if not isinstance(self.jit_compile, bool):
            raise TypeError(f"Expected `jit_compile` to be a bool. Received: jit_compile={self.jit_compile!r}")
        if self.unroll is not None and not isinstance(self.unroll, bool):
            raise TypeError(f"Expected `unroll` to be a bool or None. Received: unroll={self.unroll!r}")
        _check_int("seed", self.seed, 0)

    @property
    def supervisor_layers(self):
        """Recurrent layers of the supervisor: `num_layers - 1`, at least 1."""
        return max(1, self.num_layers - 1)

    def to_dict(self):
        """Returns the config as a JSON-serialisable dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        """Builds a config from `to_dict` output.

        Raises:
            ValueError: on keys that are not fields of the config.
        """
        check_known_keys(cls, values)
        return cls(**values)
