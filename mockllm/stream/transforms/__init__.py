"""Event transforms: pure generators from events to events."""
