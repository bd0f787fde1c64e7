"""The domain language of the acceptance suite: business verbs, aliases and defaults."""
