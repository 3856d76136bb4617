"""Forms of the corporate credit pages, one module per concept."""
