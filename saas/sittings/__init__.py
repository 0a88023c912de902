"""Sittings (séances): agenda, notice periods, attendance, proxies, quorum and the member's inbox."""
