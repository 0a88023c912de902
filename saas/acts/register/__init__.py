"""The register of deliberations (R2121-9): acts in date order, a closing page per sitting, signed exports."""
