"""ttx: tabletop-exercise scenario engine."""

__version__ = "0.1.0"
