"""nanwiz: finds out why a PyTorch training run produces NaN or Inf, and says how to fix it."""

__version__ = "0.1.0"
