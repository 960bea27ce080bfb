"""Hand-over to the partners: advance data to the destination post, the origin's pre-alert,
USPS label registration, and the periodic pulls of the partners' tracking feeds. Use cases
above ``carriers`` (whose clients do the HTTP) run as worker jobs queued by ``consumer``."""
