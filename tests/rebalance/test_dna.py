import numpy as np
import pytest

from timegan.rebalance import dna, tp53


def test_random_substitutions_change_exactly_k_positions():
    sequences = ["ACGTACGTAC", "TTTTTTTTTT"]
    noisy = dna.with_random_substitutions(sequences, 3, seed=0)
    for before, after in zip(sequences, noisy):
        assert sum(a != b for a, b in zip(before, after)) == 3
    assert dna.with_random_substitutions(sequences, 3, seed=0) == noisy
    assert dna.with_random_substitutions(sequences, 0) == sequences
    with pytest.raises(ValueError, match=r"Expected `k` to be an integer in \[0, 10\]. Received: k=11"):
        dna.with_random_substitutions(sequences, 11)


def test_identity_baselines_on_hand_made_sequences():
    training = ["AAAAAAAAAA", "AAAAAAAAAC"]  # one position apart
    heldout = ["AAAAAAAAAA", "CCAAAAAAAA"]  # 100% and 80% to the nearest training sequence
    normal = ["GGGGGAAAAA"]  # 50%
    baselines = dna.identity_baselines(training, heldout, normal, substitutions=(2,), seed=0)
    assert baselines["heldout"] == {"identity_mean": 90.0, "identity_min": 80.0, "differences_mean": 1.0}
    assert baselines["leave_one_out"]["identity_mean"] == 90.0
    assert baselines["normal"]["identity_mean"] == 50.0
    # two substitutions from a training sequence: 80%, or 90% if one of them makes it the other one
    assert 80.0 <= baselines["substituted_2"]["identity_mean"] <= 90.0
    assert baselines["random"]["identity_mean"] < 80.0


def test_sequence_report_counts_hotspots_and_identity():
    window = tp53.DEFAULT_WINDOW
    start = 3 * (window[0] - 1)
    reference = tp53.coding_sequence()[start : 3 * window[1]]

    def mutate(sequence, *variants):
        letters = list(sequence)
        for variant in variants:
            letters[variant.position - 1 - start] = variant.alt
        return "".join(letters)

    r175h, r273h = tp53.HOTSPOTS[0], tp53.HOTSPOTS[5]
    real = [mutate(reference, r175h), mutate(reference, r273h)]
    generated = [real[0], mutate(reference, r175h, r273h), reference]
    report = dna.sequence_report(generated, real, reference, window, heldout=[mutate(reference, r273h, tp53.P72R)])
    assert report["exact_copies"] == pytest.approx(1 / 3)
    assert report["hotspot_share"] == pytest.approx(2 / 3)
    assert report["several_hotspots_share"] == pytest.approx(1 / 3)
    assert report["hotspot_counts"]["R175H"] == 2 and report["hotspot_counts"]["R273H"] == 1
    one = 100 * (1 - 1 / len(reference))
    np.testing.assert_allclose(report["identity_mean"], (100 + one + one) / 3, rtol=1e-6)
    # the held-out record differs from the three at 3 (175, 273, 72), 2 (175, 72) and 2 (273, 72) positions
    np.testing.assert_allclose(report["identity_to_heldout_mean"], 100 * (1 - 7 / 3 / len(reference)), rtol=1e-6)
    assert report["substitutions_mean"] == 0.0
