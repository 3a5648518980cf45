"""Joining a survey by its short code: the `/join` page for pupils who cannot scan the QR code."""
