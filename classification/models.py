"""Classification of customers into the four follow-up tiers (issue 3; not built yet)."""
