"""Mutation testing of the platform with the acceptance suite as the test (cosmic-ray)."""
