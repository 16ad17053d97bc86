"""One router per console page (or group of pages)."""
