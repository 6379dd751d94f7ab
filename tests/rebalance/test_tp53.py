import numpy as np
import pytest

from timegan.rebalance import tp53

# Codons of the NM_000546 reference and the changes the IARC TP53 database lists.
EXPECTED = {
    "R175H": (175, "CGC", "CAC"),
    "G245S": (245, "GGC", "AGC"),
    "R248Q": (248, "CGG", "CAG"),
    "R248W": (248, "CGG", "TGG"),
    "R249S": (249, "AGG", "AGT"),
    "R273H": (273, "CGT", "CAT"),
    "R273C": (273, "CGT", "TGT"),
    "R282W": (282, "CGG", "TGG"),
    "P72R": (72, "CCC", "CGC"),
}
CODE = {
    "CGC": "R",
    "CAC": "H",
    "GGC": "G",
    "AGC": "S",
    "CGG": "R",
    "CAG": "Q",
    "TGG": "W",
    "AGG": "R",
    "AGT": "S",
    "CGT": "R",
    "CAT": "H",
    "TGT": "C",
    "CCC": "P",
}


def test_bundled_cds_is_the_p53_coding_sequence():
    cds = tp53.coding_sequence()
    assert len(cds) == 1182 and cds[:3] == "ATG" and cds[-3:] == "TGA"
    stops = {"TAA", "TAG", "TGA"}
    assert not any(tp53.codon(cds, n) in stops for n in range(1, 394))  # open reading frame of 393 codons


@pytest.mark.parametrize("variant", tp53.HOTSPOTS + (tp53.P72R,), ids=lambda v: v.name)
def test_reference_codons_and_documented_changes(variant):
    cds = tp53.coding_sequence()
    codon_number, ref_codon, alt_codon = EXPECTED[variant.name]
    assert variant.codon == codon_number
    assert tp53.codon(cds, codon_number) == ref_codon
    mutated = cds[: variant.position - 1] + variant.alt + cds[variant.position :]
    assert tp53.codon(mutated, codon_number) == alt_codon
    assert variant.name == CODE[ref_codon] + str(codon_number) + CODE[alt_codon]


def test_simulated_population_carries_hotspots_only_in_mutated_records():
    sequences, labels, names = tp53.simulate_population(200, 300, substitution_rate=1e-3, seed=0)
    assert len(sequences) == 500 and {len(s) for s in sequences} == {648}
    found = tp53.find_hotspots(sequences)
    assert all(name in hits for name, hits, label in zip(names, found, labels) if label == 1)
    assert sum(bool(hits) for hits, label in zip(found, labels) if label == 0) <= 2  # only by random chance
    assert {n for n in names if n} == {h.name for h in tp53.HOTSPOTS}
    start = 3 * (tp53.DEFAULT_WINDOW[0] - 1)
    arg72 = np.mean([s[tp53.P72R.position - 1 - start] == "G" for s in sequences])
    assert abs(arg72 - tp53.ARG72_FREQUENCY) < 0.06
    identity, _ = tp53.percent_identity(sequences[:50], sequences[200:])
    assert 99.0 < identity.mean() < 100.0


def test_one_hot_order_and_identity():
    np.testing.assert_array_equal(tp53.one_hot(["ATCG"]), [[1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]])
    identity, nearest = tp53.percent_identity(["AAAA", "CCCG"], ["AAAT", "CCCC", "GGGG"])
    np.testing.assert_allclose(identity, [75.0, 75.0])
    np.testing.assert_array_equal(nearest, [0, 1])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: tp53.one_hot(["ATN"]), "Expected only A, T, C, G. Received: ['N']"),
        (lambda: tp53.one_hot(["AT", "ATC"]), "Expected sequences of one length. Received: lengths [2, 3]"),
        (lambda: tp53.simulate_population(-1, 5), "Expected `n_mutated` to be an integer >= 0. Received: n_mutated=-1"),
        (
            lambda: tp53.simulate_population(1, 1, substitution_rate=2.0),
            "Expected `substitution_rate` to be a number in [0, 1]. Received: substitution_rate=2.0",
        ),
        (lambda: tp53.simulate_population(1, 1, window=(100, 285)), "Expected `window` to contain codon 72 (P72R)"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError) as raised:
        call()
    assert message in str(raised.value)


def test_counts_must_be_integers():
    with pytest.raises(TypeError, match=r"Expected `n_normal` to be an integer >= 0. Received: n_normal=5.0"):
        tp53.simulate_population(1, 5.0)
