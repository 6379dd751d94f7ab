"""Image GAN modes: MLP GAN and DCGAN on MNIST / Fashion-MNIST with loss, optimizer,
mode-collapse and conditioning variants, and the classifier-based metrics that measure them.

Modules: `config` (ImageGANConfig, ImageTrainingConfig), `data` (IDX reader), `networks`,
`layers` (MinibatchDiscrimination, HiddenNoise), `losses`, `optimizers`, `gan` (ImageGAN),
`callbacks`, `classifier`, `metrics`, `run` (run directories).
"""
