"""Virtual patients: a conditional GAN for tabular / one-hot records and an imblearn-style resampler."""

from timegan.rebalance.config import TabularGANConfig
from timegan.rebalance.encoding import TabularEncoder
from timegan.rebalance.sampler import GANOverSampler
from timegan.rebalance.synthesizer import TabularGAN

__all__ = ["GANOverSampler", "TabularEncoder", "TabularGAN", "TabularGANConfig"]
