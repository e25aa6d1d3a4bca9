"""Tender: a contract-aware compute broker for AI labs."""

__version__ = "0.1.0"
