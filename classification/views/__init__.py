"""Pages of classification, one module per concept: weekly, followup, contact, dashboard."""
