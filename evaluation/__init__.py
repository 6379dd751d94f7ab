"""How real are synthetic time series? Metrics, plots and a report for TimeGAN outputs.

Every metric takes arrays of windows shaped (n, seq_len, n_features) and a `seed`; every plot
function takes `ax=None` and returns a matplotlib Figure.

Public API::

    from evaluation import (discriminative_score, predictive_score, pca_embedding,
                            tsne_embedding, stylized_facts, evaluate_arrays, evaluate_run,
                            evaluate_finance, joint_structure, fit_garch, bootstrap_paths,
                            gaussian_paths)

Names are imported on first use, so `import evaluation` (or its command line) does not load
TensorFlow until a metric needs it.
"""

import importlib

_EXPORTS = {
    "GarchFit": "evaluation.baselines",
    "bootstrap_paths": "evaluation.baselines",
    "fit_garch": "evaluation.baselines",
    "garch_paths": "evaluation.baselines",
    "gaussian_paths": "evaluation.baselines",
    "CorrelationComparison": "evaluation.correlation",
    "correlation_matrix": "evaluation.correlation",
    "joint_structure": "evaluation.correlation",
    "plot_correlation_matrices": "evaluation.correlation",
    "load_stocks_prices": "evaluation.datasets",
    "sine_windows": "evaluation.datasets",
    "stocks_windows": "evaluation.datasets",
    "DiscriminativeResult": "evaluation.discriminative",
    "discriminative_score": "evaluation.discriminative",
    "plot_roc": "evaluation.discriminative",
    "Embedding": "evaluation.diversity",
    "pca_embedding": "evaluation.diversity",
    "plot_embedding": "evaluation.diversity",
    "tsne_embedding": "evaluation.diversity",
    "window_means": "evaluation.diversity",
    "window_vectors": "evaluation.diversity",
    "read_windows": "evaluation.files",
    "FinanceEvaluation": "evaluation.finance",
    "FinanceScores": "evaluation.finance",
    "evaluate_finance": "evaluation.finance",
    "finance_scores": "evaluation.finance",
    "real_floor": "evaluation.finance",
    "PredictiveResult": "evaluation.predictive",
    "plot_predictive_curves": "evaluation.predictive",
    "predictive_score": "evaluation.predictive",
    "render_html": "evaluation.render",
    "compute_report": "evaluation.report",
    "evaluate_arrays": "evaluation.report",
    "evaluate_run": "evaluation.report",
    "train_test_indices": "evaluation.splits",
    "StylizedFacts": "evaluation.stylized_facts",
    "facts_table": "evaluation.stylized_facts",
    "hill_tail_index": "evaluation.stylized_facts",
    "log_returns": "evaluation.stylized_facts",
    "plot_acf": "evaluation.stylized_facts",
    "plot_return_histogram": "evaluation.stylized_facts",
    "stylized_facts": "evaluation.stylized_facts",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evaluation' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_EXPORTS])
