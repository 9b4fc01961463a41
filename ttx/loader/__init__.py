"""YAML scenario files → validated models, with located errors, lint rules and the JSON Schema."""
