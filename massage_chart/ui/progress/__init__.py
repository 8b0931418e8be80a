"""Progress across a client's visits: pain before and after, findings per region."""
