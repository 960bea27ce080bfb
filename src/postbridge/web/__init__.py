"""Server-rendered web console and public pages."""
