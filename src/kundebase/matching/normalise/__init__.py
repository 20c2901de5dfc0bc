"""Normalisers that turn what people typed into forms that compare well across our countries.

One module per concern (names, companies, addresses, contacts); each function is
pure and cheap, because the same code runs at entry (one record), in the batch
engine (millions of rows) and in the file command.
"""
