"""Transmission of acts to the prefecture (@ctes, legality control): classification, package, preparation."""
