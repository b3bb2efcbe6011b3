"""The scenario: a contact center's day as the user describes it, validated."""
