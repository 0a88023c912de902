"""The minutes of a sitting (L2121-15) and its list of deliberations (L2121-25): drafted, approved, signed, their
deadlines tracked."""
