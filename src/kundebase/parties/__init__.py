"""Persons, companies, contact points, addresses, contact roles and corporate groups."""
