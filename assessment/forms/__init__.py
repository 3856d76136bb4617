"""Assessment forms, one module per concept (the ledger's line forms live in assessment/ledger.py)."""
