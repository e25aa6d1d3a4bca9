"""Scenario files (YAML) -> validated domain objects; every error names file, line and field."""

from tender.config.load import load_scenario, load_scenario_text
from tender.config.yamlpos import InputError, Problem

__all__ = ["InputError", "Problem", "load_scenario", "load_scenario_text"]
