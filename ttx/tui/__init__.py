"""The Textual consoles: facilitator (runs the controller), participant and evaluator (join a session)."""
