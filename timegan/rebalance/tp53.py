"""A simulated TP53 population from the real reference sequence: hotspot-mutated and non-mutated records.

The reference is the coding sequence (CDS) of human TP53 mRNA NCBI RefSeq NM_000546.6 (bundled in
`timegan/rebalance/data/`, see its README). Records are *simulated* from it: every record is the
reference window plus, with the population frequency `arg72_frequency`, the common P72R
polymorphism (rs1042522, c.215C>G, codon 72 CCC -> CGC), plus rare random substitutions; a
"mutated" record also carries one hotspot missense mutation (below). No record is a real patient.

Hotspot mutations (HGVS on NM_000546 CDS; the IARC TP53 Database, Bouaoun et al., Hum Mutat 37:865,
2016, and Petitjean et al., Hum Mutat 28:622, 2007, list these codons as the most frequent
somatic missense hotspots):

    R175H  c.524G>A  CGC -> CAC     R249S  c.747G>T  AGG -> AGT
    G245S  c.733G>A  GGC -> AGC     R273H  c.818G>A  CGT -> CAT
    R248Q  c.743G>A  CGG -> CAG     R273C  c.817C>T  CGT -> TGT
    R248W  c.742C>T  CGG -> TGG     R282W  c.844C>T  CGG -> TGG
"""

import dataclasses
import logging
from importlib import resources

import numpy as np

from timegan._validation import SEED, Integer, Real, validate

logger = logging.getLogger(__name__)

CDS_START = 143  # 1-based position of the A of ATG in NM_000546.6
CDS_LENGTH = 1182  # 393 codons + stop
NUCLEOTIDES = ("A", "T", "C", "G")  # the source's one-hot order
DEFAULT_WINDOW = (70, 285)  # codons (1-based, inclusive): P72 and every hotspot, 648 nt
# Arg72 allele frequency 0.68 in 3,794 genotyped members of the 1982 Pelotas birth cohort, Brazil
# (J Biosci 36:823, 2011, PubMed 22116280); it varies by population (docs/rebalance.md).
ARG72_FREQUENCY = 0.68


@dataclasses.dataclass(frozen=True)
class Substitution:
    """A single-nucleotide substitution in the TP53 CDS.

    Attributes:
        name: protein change, e.g. "R175H".
        position: 1-based CDS position (the number in HGVS `c.524G>A`).
        ref: reference nucleotide.
        alt: substituted nucleotide.
    """

    name: str
    position: int
    ref: str
    alt: str

    @property
    def codon(self):
        """1-based codon number."""
        return (self.position - 1) // 3 + 1

    @property
    def hgvs(self):
        """The cDNA change, e.g. "c.524G>A"."""
        return f"c.{self.position}{self.ref}>{self.alt}"


HOTSPOTS = (
    Substitution("R175H", 524, "G", "A"),
    Substitution("G245S", 733, "G", "A"),
    Substitution("R248Q", 743, "G", "A"),
    Substitution("R248W", 742, "C", "T"),
    Substitution("R249S", 747, "G", "T"),
    Substitution("R273H", 818, "G", "A"),
    Substitution("R273C", 817, "C", "T"),
    Substitution("R282W", 844, "C", "T"),
)
P72R = Substitution("P72R", 215, "C", "G")


def read_fasta(text):
    """The sequences of a FASTA text, as {header: sequence} in file order (upper case, no spaces)."""
    records, header = {}, None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(">"):
            header = line[1:]
            records[header] = []
        elif line:
            if header is None:
                raise ValueError(f"Expected a FASTA header line ('>...') first. Received: {line[:20]!r}")
            records[header].append(line.upper())
    return {key: "".join(parts) for key, parts in records.items()}


def reference_mrna():
    """The 2,512-nt TP53 mRNA NM_000546.6: the bundled exon records, concatenated in order."""
    text = resources.files("timegan.rebalance").joinpath("data/TP53_NM_000546.6.exons.fa").read_text()
    mrna = "".join(read_fasta(text).values())
    if len(mrna) != 2512:
        raise ValueError(f"Expected the 2512-nt NM_000546.6 mRNA. Received: {len(mrna)} nt")
    return mrna


def coding_sequence():
    """The 1,182-nt CDS (ATG ... TGA) of NM_000546.6."""
    return reference_mrna()[CDS_START - 1 : CDS_START - 1 + CDS_LENGTH]


def codon(cds, number):
    """Codon `number` (1-based) of a CDS string."""
    return cds[3 * (number - 1) : 3 * number]


def _window_bounds(window):
    first, last = window
    if not (isinstance(first, int) and isinstance(last, int) and 1 <= first <= last <= CDS_LENGTH // 3):
        raise ValueError(
            f"Expected `window` = (first, last) codons with 1 <= first <= last <= 394. Received: {window!r}"
        )
    return 3 * (first - 1), 3 * last


def simulate_population(
    n_mutated, n_normal, substitution_rate=1e-3, arg72_frequency=ARG72_FREQUENCY, window=DEFAULT_WINDOW, seed=0
):
    """Simulates mutated and non-mutated TP53 sequences from the reference CDS.

    Each record: the reference window; P72R with probability `arg72_frequency` (in both classes,
    so the polymorphism carries no label information); each position substituted to one of the
    three other nucleotides with probability `substitution_rate`. A mutated record also carries
    one hotspot of `HOTSPOTS`, chosen uniformly.

    Args:
        n_mutated: number of mutated records (label 1).
        n_normal: number of non-mutated records (label 0).
        substitution_rate: per-nucleotide rate of random substitutions. Default 1e-3.
        arg72_frequency: frequency of the Arg72 (G) allele. Default 0.68 (`ARG72_FREQUENCY`).
        window: codons kept, (first, last), 1-based inclusive. Default (70, 285); (1, 394) is the whole CDS.
        seed: NumPy seed. Default 0.

    Returns:
        `(sequences, labels, hotspots)`: list of strings of the window's length, int array `(n,)`,
        and the hotspot name of each record ("" for non-mutated).

    Raises:
        TypeError: for a count that is not an integer or a rate that is not a number.
        ValueError: for negative counts, rates outside [0, 1] or a window missing a hotspot codon.
    """
    n_mutated = validate(n_mutated, "n_mutated", Integer(0))
    n_normal = validate(n_normal, "n_normal", Integer(0))
    substitution_rate = validate(substitution_rate, "substitution_rate", Real(0, 1))
    arg72_frequency = validate(arg72_frequency, "arg72_frequency", Real(0, 1))
    seed = validate(seed, "seed", SEED)
    start, stop = _window_bounds(window)
    for variant in HOTSPOTS + (P72R,):
        if not start < variant.position <= stop:
            raise ValueError(
                f"Expected `window` to contain codon {variant.codon} ({variant.name}). Received: {window!r}"
            )
    cds = coding_sequence()
    rng = np.random.default_rng(seed)
    base = np.array(list(cds[start:stop]))
    sequences, labels, names = [], [], []
    for label in [1] * n_mutated + [0] * n_normal:
        record = base.copy()
        if rng.random() < arg72_frequency:
            record[P72R.position - 1 - start] = P72R.alt
        for position in np.flatnonzero(rng.random(len(record)) < substitution_rate):
            record[position] = rng.choice([n for n in NUCLEOTIDES if n != record[position]])
        name = ""
        if label:
            hotspot = HOTSPOTS[rng.integers(len(HOTSPOTS))]
            record[hotspot.position - 1 - start] = hotspot.alt
            name = hotspot.name
        sequences.append("".join(record))
        labels.append(label)
        names.append(name)
    return sequences, np.asarray(labels), names


def one_hot(sequences):
    """One-hot DNA: `(n, length * 4)` float32, each nucleotide a 4-vector in the order A, T, C, G.

    Raises:
        ValueError: for sequences of different lengths or letters other than A, T, C, G.
    """
    letters = as_letters(sequences)
    lookup = np.zeros(128, dtype=np.int64)
    for index, nucleotide in enumerate(NUCLEOTIDES):
        lookup[ord(nucleotide)] = index
    codes = lookup[letters.astype("<U1").view(np.uint32)]
    return np.eye(4, dtype=np.float32)[codes].reshape(len(letters), -1)


def as_letters(sequences):
    """Sequences as a `(n, length)` array of single letters (one column per position).

    Raises:
        ValueError: for sequences of different lengths or letters other than A, T, C, G.
    """
    lengths = {len(s) for s in sequences}
    if len(lengths) != 1:
        raise ValueError(f"Expected sequences of one length. Received: lengths {sorted(lengths)[:5]}")
    letters = np.array([list(s) for s in sequences])
    bad = set(np.unique(letters).tolist()) - set(NUCLEOTIDES)
    if bad:
        raise ValueError(f"Expected only A, T, C, G. Received: {sorted(bad)}")
    return letters


def percent_identity(generated, real):
    """Per generated sequence: % identical positions to its nearest real sequence (gap-free alignment).

    For equal-length sequences without indels this is BLAST's "% identity" of the best hit.

    Args:
        generated: list of `m` sequences.
        real: list of `n` sequences of the same length.

    Returns:
        `(identity, nearest)`: float array `(m,)` in percent and the index of the nearest real sequence.
    """
    g, r = one_hot(generated), one_hot(real)
    if g.shape[1] != r.shape[1]:
        raise ValueError(f"Expected sequences of one length. Received: {g.shape[1] // 4} and {r.shape[1] // 4} nt")
    matches = g @ r.T  # identical positions, as one-hot rows match in exactly one column per position
    nearest = np.argmax(matches, axis=1)
    return 100.0 * matches[np.arange(len(g)), nearest] / (g.shape[1] // 4), nearest


def find_hotspots(sequences, window=DEFAULT_WINDOW):
    """The hotspot mutations each sequence carries: a list of names per sequence (usually 0 or 1)."""
    start, _ = _window_bounds(window)
    found = []
    for sequence in sequences:
        found.append([h.name for h in HOTSPOTS if sequence[h.position - 1 - start] == h.alt])
    return found
