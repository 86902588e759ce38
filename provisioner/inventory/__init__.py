"""The normalized resource inventory, filled from the plan (`plan.py`) or live AWS (`live.py`)."""
