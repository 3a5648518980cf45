"""The evaluation plan: a partnership's line of sight from its evaluation question to the
survey questions that measure each outcome, its locking and amendments, and random
allocation to taking part or comparison."""
