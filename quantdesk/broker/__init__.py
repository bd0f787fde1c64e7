"""The platform's client of the brokerage: OAuth linking, tokens at rest, account calls."""
