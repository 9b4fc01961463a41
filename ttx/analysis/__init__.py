"""After the exercise: replay a log to any moment, analyse gaps, and draft the after-action report."""
