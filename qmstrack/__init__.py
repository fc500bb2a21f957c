"""qmstrack: an ISO 9001 quality management system for a public-service office."""

__version__ = "0.1.0"
