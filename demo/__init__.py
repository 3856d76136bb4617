"""The demo county behind `manage.py seed_demo`: above every domain app, so none of them imports it."""
