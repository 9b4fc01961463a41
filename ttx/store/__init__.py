"""Where sessions live: the event-store interface, the SQLite store, JSONL export and verification."""
