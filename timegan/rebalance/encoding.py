"""Records <-> the GAN's scale: standardised numeric columns and one-hot categorical blocks.

The encoded matrix holds the numeric columns first (in input order), then one block of
`len(categories)` columns per categorical column. Its state is plain JSON (no pickle).
"""

import logging
import numbers

import numpy as np

from timegan._validation import check_dict_keys

logger = logging.getLogger(__name__)


def _json_value(value):
    """A NumPy scalar as the Python value JSON can hold."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _as_2d(X):
    if hasattr(X, "to_numpy"):
        X = (
            X.to_numpy(dtype=object)
            if any(getattr(dtype, "kind", None) == "O" for dtype in getattr(X, "dtypes", []))
            else X.to_numpy()
        )
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D array of records (n_samples, n_features). Received: shape={X.shape}")
    return X


def check_categorical_columns(categorical, n_features):
    """Turns `categorical` (None, indices or a boolean mask) into a sorted list of column indices.

    Raises:
        ValueError: for indices out of range, duplicates or a mask of the wrong length.
    """
    if categorical is None:
        return []
    values = (
        list(np.asarray(categorical).ravel().tolist())
        if not isinstance(categorical, (list, tuple))
        else list(categorical)
    )
    if values and all(isinstance(v, (bool, np.bool_)) for v in values):
        if len(values) != n_features:
            raise ValueError(
                f"Expected a boolean mask of {n_features} values for `categorical`. Received: {len(values)} values"
            )
        return [i for i, flag in enumerate(values) if flag]
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < n_features:
            raise ValueError(
                f"Expected `categorical` to hold column indices in [0, {n_features - 1}]. Received: categorical={categorical!r}"
            )
    if len(set(values)) != len(values):
        raise ValueError(f"Expected distinct column indices in `categorical`. Received: categorical={categorical!r}")
    return sorted(int(v) for v in values)


class TabularEncoder:
    """Standardises numeric columns and one-hot encodes categorical ones, with stored statistics.

    A numeric column `x` becomes `(x - mean) / std`; a constant column (std 0) becomes 0 and is
    restored exactly. A categorical column with `k` categories becomes `k` one-hot columns; the
    inverse takes the argmax of each block, so it always returns a known category.

    Args:
        categorical: indices (or a boolean mask) of the categorical columns. Default None: all numeric.
        clip_to_range: clip restored numeric values to the range seen by `fit`. Default True.
        categories: "auto" (the sorted values seen by `fit`), one list of values for every
            categorical column (e.g. `["A", "T", "C", "G"]` for DNA), or one list per categorical
            column. Default "auto".
    """

    def __init__(self, categorical=None, clip_to_range=True, categories="auto"):
        self.categorical = categorical
        self.clip_to_range = clip_to_range
        self.categories = categories
        self.state = None

    # -- fitting ---------------------------------------------------------------------------------
    def fit(self, X):
        """Learns means, standard deviations, ranges and category lists.

        Args:
            X: `(n, n_features)` array or DataFrame; numeric columns must hold numbers, categorical
                columns any hashable values (numbers or strings).

        Returns:
            self.

        Raises:
            ValueError: for a non-2-D input, no records, non-numeric or non-finite values in a
                numeric column, or missing values in a categorical column.
        """
        X = _as_2d(X)
        if len(X) == 0:
            raise ValueError("Expected at least one record. Received: 0 records")
        n_features = X.shape[1]
        categorical = check_categorical_columns(self.categorical, n_features)
        numeric = [i for i in range(n_features) if i not in categorical]
        values = self._numeric_values(X, numeric)
        mean = values.mean(axis=0) if numeric else np.zeros(0)
        std = values.std(axis=0) if numeric else np.zeros(0)
        categories = []
        given = self._given_categories(len(categorical))
        for position, column in enumerate(categorical):
            cells = X[:, column]
            if any(cell is None or (isinstance(cell, float) and np.isnan(cell)) for cell in cells):
                raise ValueError(
                    f"Expected no missing values in categorical column {column}. Received: a missing value"
                )
            seen = set(cells.tolist())
            if given is None:
                categories.append([_json_value(value) for value in sorted(seen, key=lambda v: (str(type(v)), v))])
            else:
                unknown = sorted(map(repr, seen - set(given[position])))
                if unknown:
                    raise ValueError(
                        f"Unknown category in column {column}. Expected one of {given[position]}. Received: {unknown[0]}"
                    )
                categories.append(list(given[position]))
        self.state = {
            "n_features": n_features,
            "numeric_columns": numeric,
            "categorical_columns": categorical,
            "mean": mean.tolist(),
            "std": std.tolist(),
            "min": values.min(axis=0).tolist() if numeric else [],
            "max": values.max(axis=0).tolist() if numeric else [],
            "categories": categories,
            "clip_to_range": bool(self.clip_to_range),
        }
        return self

    def _given_categories(self, n_categorical):
        categories = self.categories
        if isinstance(categories, str) and categories == "auto":
            return None
        if not isinstance(categories, (list, tuple)) or not categories:
            raise ValueError(
                f'Expected `categories` to be "auto" or a non-empty list. Received: categories={categories!r}'
            )
        if all(isinstance(item, (list, tuple)) for item in categories):
            if len(categories) != n_categorical:
                raise ValueError(
                    f"Expected one list of categories per categorical column ({n_categorical}). "
                    f"Received: {len(categories)} lists"
                )
            lists = [list(item) for item in categories]
        else:
            lists = [list(categories)] * n_categorical
        for item in lists:
            if not item or len(set(item)) != len(item):
                raise ValueError(f"Expected non-empty lists of distinct categories. Received: {item!r}")
        return [[_json_value(value) for value in item] for item in lists]

    @staticmethod
    def _numeric_values(X, numeric):
        if not numeric:
            return np.zeros((len(X), 0))
        block = X[:, numeric]
        try:
            values = block.astype(np.float64)
        except (TypeError, ValueError):
            for j, column in enumerate(numeric):
                try:
                    block[:, j].astype(np.float64)
                except (TypeError, ValueError):
                    bad = next(v for v in block[:, j] if not _is_number(v))
                    raise ValueError(
                        f"Expected numbers in column {column} (declare it categorical otherwise). Received: {bad!r}"
                    ) from None
            raise
        if not np.all(np.isfinite(values)):
            column = numeric[int(np.argwhere(~np.isfinite(values))[0, 1])]
            raise ValueError(f"Expected finite numbers in column {column}. Received: a NaN or infinite value")
        return values

    def _check_fitted(self):
        if self.state is None:
            raise ValueError("This TabularEncoder is not fitted yet: call fit(X) first.")

    # -- layout -----------------------------------------------------------------------------------
    @property
    def n_numeric(self):
        """Number of numeric columns (the first columns of the encoded matrix)."""
        self._check_fitted()
        return len(self.state["numeric_columns"])

    @property
    def block_widths(self):
        """Widths of the categorical one-hot blocks, in encoded order."""
        self._check_fitted()
        return [len(categories) for categories in self.state["categories"]]

    @property
    def n_encoded(self):
        """Number of columns of the encoded matrix."""
        return self.n_numeric + sum(self.block_widths)

    # -- transforms -------------------------------------------------------------------------------
    def transform(self, X):
        """Encodes records.

        Args:
            X: `(n, n_features)` records with the columns seen by `fit`.

        Returns:
            float32 `(n, n_encoded)`.

        Raises:
            ValueError: for a different number of columns, non-numeric values in a numeric column,
                or a category not seen by `fit`.
        """
        self._check_fitted()
        X = _as_2d(X)
        state = self.state
        if X.shape[1] != state["n_features"]:
            raise ValueError(f"Expected {state['n_features']} columns. Received: {X.shape[1]} columns")
        values = self._numeric_values(X, state["numeric_columns"])
        std = np.asarray(state["std"])
        scale = np.where(std > 0, std, 1.0)
        parts = [(values - np.asarray(state["mean"])) / scale]
        for column, categories in zip(state["categorical_columns"], state["categories"]):
            index = {value: i for i, value in enumerate(categories)}
            block = np.zeros((len(X), len(categories)))
            for row, cell in enumerate(X[:, column].tolist()):
                if cell not in index:
                    raise ValueError(
                        f"Unknown category in column {column}. Expected one of {categories}. Received: {cell!r}"
                    )
                block[row, index[cell]] = 1.0
            parts.append(block)
        return np.concatenate(parts, axis=1).astype(np.float32)

    def inverse_transform(self, Z):
        """Decodes encoded rows back to records.

        Args:
            Z: `(n, n_encoded)` encoded (or generated) rows; categorical blocks may be soft.

        Returns:
            `(n, n_features)` float64 array if all columns are numeric and categories are numbers,
            else an object array. Constant columns come back exactly.

        Raises:
            ValueError: for the wrong number of columns.
        """
        self._check_fitted()
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or Z.shape[1] != self.n_encoded:
            raise ValueError(f"Expected encoded rows of shape (n, {self.n_encoded}). Received: shape={Z.shape}")
        state = self.state
        n_numeric = self.n_numeric
        std = np.asarray(state["std"])
        numeric = np.asarray(state["mean"]) + Z[:, :n_numeric] * std  # std 0: exactly the mean
        if state["clip_to_range"] and n_numeric:
            numeric = np.clip(numeric, state["min"], state["max"])
        categories = state["categories"]
        all_numbers = all(_is_number(value) for block in categories for value in block)
        out = np.empty((len(Z), state["n_features"]), dtype=np.float64 if all_numbers else object)
        out[:, state["numeric_columns"]] = numeric
        start = n_numeric
        for column, block in zip(state["categorical_columns"], categories):
            choice = np.argmax(Z[:, start : start + len(block)], axis=1)
            out[:, column] = np.asarray(block, dtype=object)[choice]
            start += len(block)
        return out

    # -- state ------------------------------------------------------------------------------------
    def to_dict(self):
        """The fitted statistics as a JSON-ready dict."""
        self._check_fitted()
        return dict(self.state)

    @classmethod
    def from_dict(cls, state):
        """Rebuilds a fitted encoder from `to_dict()` output.

        Raises:
            TypeError: if `state` is not a dict.
            ValueError: if keys are missing or unknown.
        """
        required = {
            "n_features",
            "numeric_columns",
            "categorical_columns",
            "mean",
            "std",
            "min",
            "max",
            "categories",
            "clip_to_range",
        }
        check_dict_keys(state, "TabularEncoder", sorted(required))
        encoder = cls(
            categorical=state["categorical_columns"],
            clip_to_range=state["clip_to_range"],
            categories=[list(item) for item in state["categories"]] or "auto",
        )
        encoder.state = dict(state)
        return encoder


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
