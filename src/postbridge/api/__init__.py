"""HTTP: problem+json rendering, the platform and auth dependencies, one router per context
(``routes/``); ``postbridge.app`` assembles them under /v1."""
