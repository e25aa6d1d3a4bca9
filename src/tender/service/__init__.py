"""tender.service: the broker as a service — REST API, dashboard, provider portal (see README.md)."""

from tender.service.app import create_app
from tender.service.settings import ManualClock, Settings, SystemClock

__all__ = ["ManualClock", "Settings", "SystemClock", "create_app"]
