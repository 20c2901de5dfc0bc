"""The web application: base templates, dashboard, customer pages and static assets."""
