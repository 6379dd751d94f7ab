"""GAN losses as pure functions of discriminator logits, each checkable on a few numbers.

With `D(x) = sigmoid(logit)`: `-log D(x) = softplus(-logit)` and `-log(1 - D(x)) = softplus(logit)`,
which is how the log-likelihood losses are computed without overflow.
"""

from keras import ops

from timegan.images.config import LOSSES


def _check(loss):
    if loss not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}. Expected one of {list(LOSSES)}. Received: loss={loss!r}")


def discriminator_loss(loss, real_logits, fake_logits, label_smoothing=0.0):
    """The discriminator's (critic's) loss, to be minimized.

    Args:
        loss: `"minimax"` or `"non-saturating"`: `-mean log D(x) - mean log(1 - D(G(z)))`
            (both use the same discriminator loss); `"hinge"`: `mean max(0, 1 - f(x)) +
            mean max(0, 1 + f(G(z)))` (Miyato et al. 2018, eq. 16); `"wgan"`, `"wgan-gp"`:
            `mean f(G(z)) - mean f(x)` (without the penalty term).
        real_logits: `(n, 1)` logits of real images.
        fake_logits: `(m, 1)` logits of generated images.
        label_smoothing: s in [0, 1): the target of real images is 1 - s, so their term becomes
            `-(1 - s) log D(x) - s log(1 - D(x))` (one-sided smoothing, Salimans et al. 2016).
            Only for the log-likelihood losses. Default 0.

    Returns:
        A scalar tensor.
    """
    _check(loss)
    if loss in ("wgan", "wgan-gp"):
        return ops.mean(fake_logits) - ops.mean(real_logits)
    if loss == "hinge":
        return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))
    real_term = ops.softplus(-real_logits)
    if label_smoothing:
        real_term = (1.0 - label_smoothing) * real_term + label_smoothing * ops.softplus(real_logits)
    return ops.mean(real_term) + ops.mean(ops.softplus(fake_logits))


def generator_loss(loss, fake_logits):
    """The generator's loss, to be minimized.

    Args:
        loss: `"minimax"`: `mean log(1 - D(G(z)))` (the original objective, whose gradient vanishes
            when D rejects the fakes); `"non-saturating"`: `-mean log D(G(z))`;
            `"hinge"`, `"wgan"`, `"wgan-gp"`: `-mean f(G(z))` (Miyato et al. 2018, eq. 17).
        fake_logits: `(m, 1)` logits of generated images.

    Returns:
        A scalar tensor.
    """
    _check(loss)
    if loss == "minimax":
        return -ops.mean(ops.softplus(fake_logits))
    if loss == "non-saturating":
        return ops.mean(ops.softplus(-fake_logits))
    return -ops.mean(fake_logits)


def interpolate(real, fake, weights):
    """Points on the lines between real and fake samples: `w * real + (1 - w) * fake`.

    Args:
        real: `(n, ...)` real images.
        fake: `(n, ...)` generated images.
        weights: `(n, 1, ..., 1)` per-sample weights in [0, 1].
    """
    return weights * real + (1.0 - weights) * fake


def gradient_penalty(gradients, epsilon=1e-12):
    """WGAN-GP penalty `mean((||g||_2 - 1)^2)` with `||g|| = sqrt(sum g^2 + epsilon)` per sample.

    Args:
        gradients: `(n, ...)` gradients of the critic at the interpolated samples.
        epsilon: keeps the square root differentiable at zero. Default 1e-12.

    Returns:
        A scalar tensor (to be multiplied by the penalty weight).
    """
    axes = tuple(range(1, len(gradients.shape)))
    norms = ops.sqrt(ops.sum(ops.square(gradients), axis=axes) + epsilon)
    return ops.mean(ops.square(norms - 1.0))


def class_loss(class_logits, labels):
    """AC-GAN class term: mean sparse cross-entropy `-mean log p(y | x)` (Odena et al. 2017, eq. 2).

    Args:
        class_logits: `(n, num_classes)` class logits of the discriminator's auxiliary head.
        labels: `(n,)` int class indices.

    Returns:
        A scalar tensor.
    """
    return ops.mean(ops.sparse_categorical_crossentropy(labels, class_logits, from_logits=True))


def mode_seeking_loss(images_1, images_2, noise_1, noise_2, epsilon=1e-5):
    """MSGAN's mode-seeking term `1 / (mean|G(z1) - G(z2)| / mean|z1 - z2| + epsilon)`, to be minimized.

    Mao et al. 2019, "Mode Seeking Generative Adversarial Networks for Diverse Image Synthesis",
    eq. 3, asks the generator to maximise `d_I(G(c, z1), G(c, z2)) / d_z(z1, z2)`: images that
    differ as much as their noise vectors do, under the same condition c. As in the authors'
    code, both distances are mean absolute differences over the whole batch and the generator
    minimises the ratio's reciprocal, which `epsilon` bounds by `1 / epsilon` when the two
    halves give the same images (a collapsed generator). Eq. 4 adds it to the generator's loss
    with a weight lambda.

    Args:
        images_1: `(n, h, w, c)` images generated from `noise_1`.
        images_2: `(n, h, w, c)` images generated from `noise_2`, with the same labels as `images_1`
            for a conditional generator.
        noise_1: `(n, latent_dim)` noise vectors.
        noise_2: `(n, latent_dim)` other noise vectors.
        epsilon: keeps the term finite when the images coincide. Default 1e-5.

    Returns:
        A scalar tensor, in `(0, 1 / epsilon]`.
    """
    image_distance = ops.mean(ops.abs(images_1 - images_2))
    noise_distance = ops.mean(ops.abs(noise_1 - noise_2))
    return 1.0 / (image_distance / noise_distance + epsilon)
