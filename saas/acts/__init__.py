"""The acts of a sitting: deliberations (numbered, generated, signed), the register, the minutes, the list of
deliberations, extracts."""
