"""`GANOverSampler`: over-sampling with class-conditional GAN records, in imbalanced-learn's convention.

A subclass of `imblearn.over_sampling.base.BaseOverSampler`: `fit_resample(X, y)` returns the
original records followed by generated ones, with the class counts `sampling_strategy` asks for
(imbalanced-learn's semantics), so it drops into an `imblearn.pipeline.Pipeline` and is only
applied while fitting.
"""

import dataclasses
import logging
import numbers
from typing import ClassVar

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils._validation import _check_X
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from timegan.rebalance.config import TabularGANConfig
from timegan.rebalance.synthesizer import TabularGAN

logger = logging.getLogger(__name__)


class GANOverSampler(BaseOverSampler):
    """Over-samples the classes chosen by `sampling_strategy` with a conditional `TabularGAN`.

    One GAN is trained on all classes of `(X, y)` (conditioned on the class), then the missing
    records of each class are drawn from it.

    Args:
        sampling_strategy: as in imbalanced-learn's over-samplers: "auto" (= "not majority"),
            "minority", "not minority", "all", a float (minority / majority ratio after
            resampling, binary only), a dict {class: target count} or a callable. Default "auto".
        random_state: integer seed (or `RandomState`, or None for `config.seed`) of the GAN's
            weights, noise and batches. Default None.
        categorical_features: indices, a boolean mask or (for a DataFrame) names of the categorical
            columns, generated as exact one-hot choices. Default None: all numeric.
        config: a `TabularGANConfig`; its seed is replaced by `random_state` when given. Default:
            `TabularGANConfig()`.

    Attributes:
        sampling_strategy_: dict {class: number of records generated}.
        gan_: the fitted `TabularGAN`.
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseOverSampler._parameter_constraints,
        "categorical_features": ["array-like", None],
        "config": [TabularGANConfig, None],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, categorical_features=None, config=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.categorical_features = categorical_features
        self.config = config

    def _check_X_y(self, X, y):
        from imblearn.utils import check_target_type

        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X = _check_X(X)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        if hasattr(X, "to_numpy"):
            X = (
                X.to_numpy(dtype=object)
                if any(getattr(dtype, "kind", None) == "O" for dtype in X.dtypes)
                else X.to_numpy()
            )
        return X, y, binarize_y

    def _categorical_indices(self, n_features):
        features = self.categorical_features
        if features is None:
            return None
        values = list(np.asarray(features).ravel())
        if values and all(isinstance(v, str) for v in values):
            names = list(getattr(self, "feature_names_in_", []))
            unknown = [v for v in values if v not in names]
            if unknown:
                raise ValueError(f"Expected `categorical_features` to name columns of X {names}. Received: {unknown}")
            return [names.index(v) for v in values]
        return [v.item() if isinstance(v, np.generic) else v for v in values]

    def _seed(self):
        config = self.config or TabularGANConfig()
        if self.random_state is None:
            return config
        if isinstance(self.random_state, numbers.Integral):
            seed = int(self.random_state)
        else:
            seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        return dataclasses.replace(config, seed=seed)

    def _fit_resample(self, X, y):
        config = self._seed()
        self.gan_ = TabularGAN(config, self._categorical_indices(X.shape[1])).fit(X, y)
        X_parts, y_parts = [X], [y]
        for offset, (label, count) in enumerate(sorted(self.sampling_strategy_.items(), key=lambda item: str(item[0]))):
            if count == 0:
                continue
            records = self.gan_.sample(int(count), label, seed=config.seed + 1 + offset)
            X_parts.append(records.astype(X.dtype) if X.dtype != object else records)
            y_parts.append(np.full(count, label, dtype=y.dtype))
            logger.info("Generated %d records of class %r", count, label)
        return np.concatenate(X_parts), np.concatenate(y_parts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.sparse = False
        return tags
