"""Assessment: field days, evidence and monthly statements (issue 4; not built yet)."""
