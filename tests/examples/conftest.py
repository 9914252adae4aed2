"""Fixtures of the example scanner's tests (defined in scanner_support)."""

from scanner_support import start_receiver, start_scanner

__all__ = ["start_receiver", "start_scanner"]
