"""Client record window parts: the record forms, health history and the safety-alerts banner."""
