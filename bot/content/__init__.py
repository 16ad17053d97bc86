"""The curated content tree: model, loader, validator, search index."""
