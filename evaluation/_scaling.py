"""Per-feature MinMax scaling fitted on the real data, as in the TimeGAN reference metrics."""

import numpy as np

from timegan.preprocessing import FeatureScaler


def minmax_scale(real, *others):
    """Scales `real` to [0, 1] per feature and applies the same map to `others`.

    The minimum and maximum are taken over all windows and steps of `real`, so synthetic
    data is measured on the real data's scale (values outside the real range fall outside
    [0, 1]).

    Args:
        real: ndarray (n, seq_len, n_features).
        *others: ndarrays (m, seq_len, n_features) to scale with the same map.

    Returns:
        Tuple of scaled float32 ndarrays: `real` first, then `others` in order.
    """
    scaler = FeatureScaler().fit(real)
    return tuple(scaler.transform(a).astype(np.float32) for a in (real, *others))
