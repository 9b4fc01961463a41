"""ttx: tabletop-exercise scenario engine."""
