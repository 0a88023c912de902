"""Signing: PAdES signatures and their validation reports, and the signature book (book/)."""
