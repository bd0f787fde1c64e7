"""QuantDesk: a paper-trading platform specified by the acceptance suite in features/."""

__version__ = "0.1.0"
