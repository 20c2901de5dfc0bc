"""The timeline of every contact with a customer."""
