"""Messages to people's phones through a backend interface; the default writes an outbox."""
