"""Author previews of a scenario before the day: the MSEL table and the branch diagram."""
