"""Open data of the portal: the SCDL « Délibérations » file of each collectivity (docs/opendata.md)."""
