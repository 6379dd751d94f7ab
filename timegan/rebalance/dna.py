"""The DNA demonstration: a GAN trained on simulated hotspot-mutated TP53 sequences, and its report.

Sequences are one-hot encoded as in the source (A, T, C, G as 4-vectors, flattened): every
position is a categorical column with the fixed categories `tp53.NUCLEOTIDES`.
"""

import logging

import numpy as np
from keras import ops

from timegan._validation import Integer, validate
from timegan.rebalance import tp53
from timegan.rebalance.synthesizer import TabularGAN

logger = logging.getLogger(__name__)


def fit_sequence_gan(sequences, config):
    """Fits an unconditional (one-class) `TabularGAN` on equal-length DNA sequences.

    Args:
        sequences: list of `n` A/T/C/G strings of one length `L`.
        config: a `TabularGANConfig`.

    Returns:
        The fitted `TabularGAN`; its encoded records are `(n, 4 L)` one-hot rows.
    """
    letters = tp53.as_letters(sequences)
    gan = TabularGAN(config, categorical=list(range(letters.shape[1])), categories=list(tp53.NUCLEOTIDES))
    return gan.fit(letters.astype(object), np.zeros(len(letters), dtype=int))


def sample_sequences(gan, n, seed=None):
    """Draws `n` sequences (strings) from a GAN fitted by `fit_sequence_gan`."""
    letters = gan.sample(n, gan.classes_[0], seed=seed)
    return ["".join(row) for row in letters.astype(str)]


def discriminator_accuracy(gan, real_sequences, generated_sequences):
    """Share of real and generated sequences the trained discriminator classifies right (logit > 0 = real).

    The mean of the accuracy on real records and on generated ones (balanced).
    """
    encoder = gan.encoder
    label = np.zeros((1, len(gan.classes_)), dtype=np.float32)
    label[0, 0] = 1.0

    def logits(sequences):
        rows = encoder.transform(tp53.as_letters(sequences).astype(object))
        labels = np.repeat(label, len(rows), axis=0)
        return ops.convert_to_numpy(
            gan.gan.discriminator([ops.convert_to_tensor(rows), ops.convert_to_tensor(labels)], training=False)
        )[:, 0]

    return 0.5 * (float(np.mean(logits(real_sequences) > 0)) + float(np.mean(logits(generated_sequences) <= 0)))


def sequence_report(generated, real, reference, window=tp53.DEFAULT_WINDOW, heldout=None):
    """What generated "mutated" sequences look like next to the real (simulated) ones.

    Args:
        generated: list of generated sequences.
        real: list of the training sequences.
        reference: the reference window (same length).
        window: the codon window of the sequences. Default `tp53.DEFAULT_WINDOW`.
        heldout: optional list of real sequences of the class that the GAN did not see.

    Returns:
        A dict: `identity_mean/min/max` (% identity of each generated sequence to its nearest real
        one), `exact_copies` (share identical to a training sequence), `identity_to_reference_mean`,
        `hotspot_share` (share carrying at least one hotspot), `several_hotspots_share`,
        `hotspot_counts` {name: count}, `real_hotspot_counts`, `arg72_share` and `real_arg72_share`,
        `substitutions_mean` (differences from the reference besides hotspots and codon 72) and
        `real_substitutions_mean`; with `heldout`, `identity_to_heldout_mean` (% identity of
        each generated sequence to its nearest held-out one).
    """
    identity, _ = tp53.percent_identity(generated, real)
    found = tp53.find_hotspots(generated, window)
    real_found = tp53.find_hotspots(real, window)
    start = 3 * (window[0] - 1)
    arg72 = tp53.P72R.position - 1 - start
    known = {h.position - 1 - start for h in tp53.HOTSPOTS} | {arg72}
    ref = np.array(list(reference))

    def substitutions(sequences):
        letters = tp53.as_letters(sequences)
        differs = letters != ref
        differs[:, sorted(known)] = False
        return float(differs.sum(1).mean())

    names = [h.name for h in tp53.HOTSPOTS]
    real_set = set(real)
    report = {
        "n_generated": len(generated),
        "identity_mean": float(identity.mean()),
        "identity_min": float(identity.min()),
        "identity_max": float(identity.max()),
        "exact_copies": float(np.mean([s in real_set for s in generated])),
        "identity_to_reference_mean": float(tp53.percent_identity(generated, [reference])[0].mean()),
        "hotspot_share": float(np.mean([len(hits) >= 1 for hits in found])),
        "several_hotspots_share": float(np.mean([len(hits) > 1 for hits in found])),
        "hotspot_counts": {name: sum(name in hits for hits in found) for name in names},
        "real_hotspot_counts": {name: sum(name in hits for hits in real_found) for name in names},
        "arg72_share": float(np.mean([s[arg72] == "G" for s in generated])),
        "real_arg72_share": float(np.mean([s[arg72] == "G" for s in real])),
        "substitutions_mean": substitutions(generated),
        "real_substitutions_mean": substitutions(real),
    }
    if heldout is not None:
        report["identity_to_heldout_mean"] = float(tp53.percent_identity(generated, heldout)[0].mean())
    return report


def with_random_substitutions(sequences, k, seed=0):
    """Copies of `sequences`, each with `k` random substitutions at distinct positions.

    Each chosen position takes one of the three other nucleotides, uniformly (the simulation's
    own rule for random substitutions, `tp53.simulate_population`).

    Args:
        sequences: list of equal-length A/T/C/G strings.
        k: substitutions per sequence, in [0, length].
        seed: NumPy seed. Default 0.

    Returns:
        A list of strings, each differing from its original at exactly `k` positions.
    """
    letters = tp53.as_letters(sequences).copy()
    k = validate(k, "k", Integer(0, letters.shape[1]))
    rng = np.random.default_rng(seed)
    for row in letters:
        for position in rng.choice(len(row), size=k, replace=False):
            row[position] = rng.choice([n for n in tp53.NUCLEOTIDES if n != row[position]])
    return ["".join(row) for row in letters]


def identity_baselines(training, heldout, normal, substitutions=(1, 2, 3, 5, 10), seed=0):
    """What the "% identity to the nearest real sequence" of generated sequences should be compared with.

    Every figure is the same statistic as for generated sequences: the % identity of each sequence
    to its nearest *training* sequence (`tp53.percent_identity`), averaged, for sequences that
    are known to be good, wrong or noisy:

    - `heldout`: real (simulated) mutated records the GAN never saw: what a new record of the
      class scores. A generator that produces new, valid records should score about this.
    - `leave_one_out`: each training record to its nearest *other* training record.
    - `normal`: records of the other class (no hotspot): a sequence of the wrong class.
    - `substituted_<k>`: training records with `k` random substitutions added
      (`with_random_substitutions`): what `k` errors per sequence do to the figure.
    - `random`: uniformly random sequences (the bottom of the scale, about 25% + chance).

    Args:
        training: list of the GAN's training sequences (equal length `L`).
        heldout: list of other real sequences of the same class.
        normal: list of real sequences of the other class.
        substitutions: the `k` of the substituted controls. Default (1, 2, 3, 5, 10).
        seed: seed of the substitutions and random sequences. Default 0.

    Returns:
        A dict name -> {"identity_mean": %, "identity_min": %, "differences_mean": positions
        differing from the nearest training sequence, i.e. `L (100 - identity) / 100`}.
    """
    length = len(training[0])

    def summary(identity):
        return {
            "identity_mean": float(identity.mean()),
            "identity_min": float(identity.min()),
            "differences_mean": float(length * (100.0 - identity.mean()) / 100.0),
        }

    train = tp53.one_hot(training)
    matches = train @ train.T
    np.fill_diagonal(matches, -1)
    results = {
        "heldout": summary(tp53.percent_identity(heldout, training)[0]),
        "leave_one_out": summary(100.0 * matches.max(axis=1) / length),
        "normal": summary(tp53.percent_identity(normal, training)[0]),
    }
    for k in substitutions:
        noisy = with_random_substitutions(training, k, seed=seed + k)
        results[f"substituted_{k}"] = summary(tp53.percent_identity(noisy, training)[0])
    rng = np.random.default_rng(seed)
    random = ["".join(rng.choice(tp53.NUCLEOTIDES, size=length)) for _ in range(len(training))]
    results["random"] = summary(tp53.percent_identity(random, training)[0])
    return results
