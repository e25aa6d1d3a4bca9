"""The independent plan checker: does a plan obey every clause? Pure: no I/O, no clock.

It reads the scenario and the plan JSON only, and shares no code with the planner
(`tender.sourcing`, `tender.contracts`); see README.md for the flow.
"""

from tender.check.checker import check_plan
from tender.check.fields import PlanDocError
from tender.check.violation import Code, Violation

__all__ = ["Code", "PlanDocError", "Violation", "check_plan"]
