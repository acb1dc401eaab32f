"""Shared pytest configuration for mlkube's specifications."""
