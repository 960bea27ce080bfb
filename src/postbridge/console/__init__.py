"""Console sign-in: the people who use the web console (merchant users and operators), their
server-side sessions, the CSRF tokens of their forms and the sign-in rate limit."""
