"""Migrant information hotline: one engine over a curated content tree, many channels."""
