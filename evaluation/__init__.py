"""How real are synthetic time series? Metrics, plots and a report for TimeGAN outputs.

Every metric takes arrays of windows shaped (n, seq_len, n_features) and a `seed`; every plot
function takes `ax=None` and returns a matplotlib Figure.

Public API::

    from evaluation import (discriminative_score, predictive_score, pca_embedding,
                            tsne_embedding, stylized_facts, evaluate_arrays, evaluate_run)
"""

from evaluation.datasets import load_stocks_prices, sine_windows, stocks_windows
from evaluation.discriminative import DiscriminativeResult, discriminative_score, plot_roc
from evaluation.diversity import (
    Embedding,
    pca_embedding,
    plot_embedding,
    tsne_embedding,
    window_means,
)
from evaluation.predictive import PredictiveResult, plot_predictive_curves, predictive_score
from evaluation.report import evaluate_arrays, evaluate_run
from evaluation.stylized_facts import (
    StylizedFacts,
    facts_table,
    hill_tail_index,
    log_returns,
    plot_acf,
    plot_return_histogram,
    stylized_facts,
)

__all__ = [
    "DiscriminativeResult",
    "Embedding",
    "PredictiveResult",
    "StylizedFacts",
    "discriminative_score",
    "evaluate_arrays",
    "evaluate_run",
    "facts_table",
    "hill_tail_index",
    "load_stocks_prices",
    "log_returns",
    "pca_embedding",
    "plot_acf",
    "plot_embedding",
    "plot_predictive_curves",
    "plot_return_histogram",
    "plot_roc",
    "predictive_score",
    "sine_windows",
    "stocks_windows",
    "stylized_facts",
    "tsne_embedding",
    "window_means",
]
