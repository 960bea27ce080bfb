"""The partner sandbox: every partner of the platform, played on one machine.

``postbridge sandbox serve`` runs it (``app``): USPS's v3 REST APIs under ``/usps``, the
UPU-style exchange of every other post under ``/upu/{post}``, the origin sorting centre's
pre-alerts under ``/origin`` and its own clock and faults under ``/sandbox``
(docs/partner-exchange.md). What happens to a parcel comes from its own reality model
(``data/reality.yaml``, read by ``reality``, lived by ``timeline``, shown by ``rendering``);
what the partners accept from ``data/rules.yaml``. It keeps its own small database (``store``)
and imports nothing of the platform's services or storage (import-linter checks it).
"""
