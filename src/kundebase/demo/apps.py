from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data generator: its own package, so nothing in the product depends on it."""

    name = "kundebase.demo"
    label = "demo"
