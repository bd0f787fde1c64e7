"""Use cases. Each public call is one unit of work: it commits whole or not at all."""
