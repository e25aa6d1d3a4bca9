"""Tender inside other tools (SkyPilot's admin policy). The only packages that import those tools."""
