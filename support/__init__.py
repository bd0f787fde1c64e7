"""The acceptance-test DSL (support.dsl) and its protocol drivers (support.drivers)."""
