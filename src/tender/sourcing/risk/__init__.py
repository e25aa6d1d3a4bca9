"""Plans under uncertainty: seeded futures, the first stage fixed, the recourse re-planned (docs/risk.md)."""
