"""Test helpers that start real endpoints (brokers, emulators) and their pytest fixtures."""
