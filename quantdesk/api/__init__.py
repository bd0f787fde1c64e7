"""HTTP layer only: request/response models, authentication, routing."""
