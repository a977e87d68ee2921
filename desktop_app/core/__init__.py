"""The domain layer: plain Python, no Qt import anywhere below this package."""
