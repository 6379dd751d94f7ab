"""TimeGAN's loss terms as pure functions of tensors (TimeGAN reference implementation)."""

import tensorflow as tf


def reconstruction_loss(x, x_tilde):
    """Mean squared error between the data and its reconstruction R(E(x)), over all elements."""
    return tf.reduce_mean(tf.square(x - x_tilde))


def supervised_loss(h, h_supervised):
    """How well the supervisor predicts the next latent step.

    Compares the embedding at steps 1..T-1 with the supervisor's output at steps 0..T-2, i.e.
    S(H)[:, t] is trained to predict H[:, t + 1]. (Comparing H[:, 1:] with S(H)[:, 1:] would
    train an identity map.)

    Args:
        h: embeddings, (batch, time, hidden).
        h_supervised: supervisor output S(h), same shape.

    Returns:
        Scalar mean squared error.
    """
    return tf.reduce_mean(tf.square(h[:, 1:, :] - h_supervised[:, :-1, :]))


def moment_loss(x, x_hat, eps=1e-6, moments=tf.nn.moments):
    """Matches the first two moments over the batch of real and synthetic data.

    mean |std_batch(x_hat) - std_batch(x)| + mean |mean_batch(x_hat) - mean_batch(x)|, with
    std = sqrt(var + eps), moments taken over the batch axis for each time step and feature.
    `moments(tensor, axes)` returns (mean, variance); under a `tf.distribute` strategy, pass one
    that reduces over the global batch.
    """
    mean_x, var_x = moments(x, axes=[0])
    mean_hat, var_hat = moments(x_hat, axes=[0])
    std_term = tf.reduce_mean(tf.abs(tf.sqrt(var_hat + eps) - tf.sqrt(var_x + eps)))
    mean_term = tf.reduce_mean(tf.abs(mean_hat - mean_x))
    return std_term + mean_term


def binary_cross_entropy(logits, target):
    """Mean sigmoid cross-entropy of `logits` against the constant label `target` (0 or 1)."""
    labels = tf.fill(tf.shape(logits), tf.cast(target, logits.dtype))
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


def discriminator_loss(real_logits, fake_logits, fake_e_logits, gamma):
    """BCE(real, 1) + BCE(fake, 0) + gamma * BCE(fake_e, 0).

    `fake_logits` score S(G(Z)), `fake_e_logits` score G(Z) without the supervisor.
    """
    return (
        binary_cross_entropy(real_logits, 1.0)
        + binary_cross_entropy(fake_logits, 0.0)
        + gamma * binary_cross_entropy(fake_e_logits, 0.0)
    )


def generator_adversarial_loss(fake_logits, fake_e_logits, gamma):
    """BCE(fake, 1) + gamma * BCE(fake_e, 1): the non-saturating generator loss."""
    return binary_cross_entropy(fake_logits, 1.0) + gamma * binary_cross_entropy(fake_e_logits, 1.0)
