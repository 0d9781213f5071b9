"""The command line: wiring flags to the parts, no business logic."""
