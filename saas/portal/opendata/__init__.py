"""Open data of the portal: the SCDL « Délibérations » file of each collectivity (docs/portal.md)."""
