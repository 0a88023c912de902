"""Votes on the items: ballot type, totals, named entry, electronic vote, the result the law gives, frozen."""
