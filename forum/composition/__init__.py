"""The composition root: where the forum is put together from its features. `wiring`
connects every receiver of forum/events.py; `cli` holds the `flask forum` commands, each
calling features' services. Only create_app (forum/__init__.py) imports this package, and it
may import any feature (tests/test_layers.py)."""
