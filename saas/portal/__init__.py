"""The public portal of each collectivity: what its secretariat published (signed deliberations, signed minutes,
lists of deliberations), shown to anyone without logging in, with each signed PDF, its SHA-256, the date it was
put online, a search and an Atom feed (L2131-1, R2131-1)."""
