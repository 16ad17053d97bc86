"""The operator console: sign-in, the live queue, case pages, statistics, the audit log and
accounts, served by `hotline serve` under /console (see site.py for how it is mounted)."""
