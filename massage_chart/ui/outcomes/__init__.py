"""Outcome measures in the window: the client's form and the progress trends."""
