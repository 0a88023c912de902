"""Signing groundwork: the tenant's embedded PKI, RFC 3161 timestamps and verifiable evidence packages."""
