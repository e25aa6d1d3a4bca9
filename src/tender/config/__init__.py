"""Scenario files (YAML) -> validated domain objects; every error names file, line and field."""

from tender.config.errors import InputError, Problem
from tender.config.load import load_scenario, load_scenario_text

__all__ = ["InputError", "Problem", "load_scenario", "load_scenario_text"]
