"""The web application's pages, one module per area; each view is thin and calls the services."""
