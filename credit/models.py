"""Corporate credit customers' records (DOMAIN.md §5): none yet, the rules come first."""
