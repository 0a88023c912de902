"""The purchasing group console: the shared contract run by the coordinator (issue 6)."""
