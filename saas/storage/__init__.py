"""Encrypted, content-addressed file storage: one interface, a local and an S3 backend (docs/storage.md)."""
