"""The simulated brokerage: a separate system with its own app, process and storage.

It shares no code or database with the platform; it plays the external broker.
"""
