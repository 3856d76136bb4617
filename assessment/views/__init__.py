"""Assessment pages, one module per concept; assessment/urls.py imports them."""
