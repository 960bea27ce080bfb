"""One router module per context; endpoints are thin: auth, parse, one service call."""
