"""Hand-over to the partners: advance data to the destination post, the origin's pre-alert,
label registration with the partners that want it, and the periodic tracking pulls. Use cases
above ``carriers`` (whose clients do the HTTP) run as worker jobs queued by ``consumer``."""
