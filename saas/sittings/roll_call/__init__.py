"""The sitting held: opening, the secretary of the sitting, roll call, arrivals and departures, quorum at each item."""
