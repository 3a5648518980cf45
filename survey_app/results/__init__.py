"""Results: before/after analysis, the dashboard, chart tables and the impact report."""
