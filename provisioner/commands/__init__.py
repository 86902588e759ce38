"""CLI command groups: each module exposes `register(app)`; heavy imports stay inside commands."""
