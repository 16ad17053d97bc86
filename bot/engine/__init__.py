"""The engine: sessions, navigation, replies, triage, escalation requests. No channels here."""
