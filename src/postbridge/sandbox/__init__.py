"""Partner sandbox."""
