"""Number formats for zh-hans: Django's own leave yuan amounts without thousands separators."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
