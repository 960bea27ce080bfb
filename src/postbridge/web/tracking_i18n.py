"""The public tracking page's words in English, Chinese, Spanish and Portuguese.

Partner event texts are shown as the partner wrote them (they change too often to translate
by hand, as maintainers of other trackers found); what we say ourselves is translated: the
status, the progress stages and the page's labels.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh", "es", "pt")
LANGUAGE_NAMES = {"en": "English", "zh": "中文", "es": "Español", "pt": "Português"}

UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "Track your parcel", "status": "Status", "estimate": "Estimated delivery",
        "no_estimate": "No estimate yet", "history": "Tracking history",
        "no_events": "No scans yet: the parcel is registered and waiting for its first scan.",
        "not_found": "We have no parcel with this tracking number.",
        "delivered_on": "Delivered", "updated": "Last update", "between": "between",
    },
    "zh": {
        "title": "查询您的包裹", "status": "状态", "estimate": "预计送达",
        "no_estimate": "暂无预计时间", "history": "物流轨迹",
        "no_events": "暂无扫描记录：包裹已登记，正在等待首次扫描。",
        "not_found": "没有找到此运单号对应的包裹。", "delivered_on": "签收时间", "updated": "最后更新",
        "between": "预计区间",
    },
    "es": {
        "title": "Sigue tu paquete", "status": "Estado", "estimate": "Entrega estimada",
        "no_estimate": "Aún sin estimación", "history": "Historial de seguimiento",
        "no_events": "Aún sin escaneos: el paquete está registrado y espera su primer escaneo.",
        "not_found": "No tenemos ningún paquete con este número de seguimiento.",
        "delivered_on": "Entregado", "updated": "Última actualización", "between": "entre",
    },
    "pt": {
        "title": "Rastreie sua encomenda", "status": "Situação", "estimate": "Entrega prevista",
        "no_estimate": "Ainda sem previsão", "history": "Histórico de rastreamento",
        "no_events": "Ainda sem leituras: a encomenda está registrada e aguarda a primeira leitura.",
        "not_found": "Não temos nenhuma encomenda com este código de rastreamento.",
        "delivered_on": "Entregue", "updated": "Última atualização", "between": "entre",
    },
}  # fmt: skip

STAGES: dict[str, dict[str, str]] = {
    "en": {"accepted": "Accepted at origin", "departed_origin": "Departed origin",
           "in_destination": "In destination country", "delivered": "Delivered"},
    "zh": {"accepted": "已揽收", "departed_origin": "已离开始发国",
           "in_destination": "已到达目的国", "delivered": "已签收"},
    "es": {"accepted": "Admitido en origen", "departed_origin": "Salió del país de origen",
           "in_destination": "En el país de destino", "delivered": "Entregado"},
    "pt": {"accepted": "Postado na origem", "departed_origin": "Saiu do país de origem",
           "in_destination": "No país de destino", "delivered": "Entregue"},
}  # fmt: skip

STATUSES: dict[str, dict[str, str]] = {
    "en": {
        "pending": "Registered", "info_received": "Label created", "in_transit": "In transit",
        "out_for_delivery": "Out for delivery", "available_for_pickup": "Ready for pickup",
        "delivery_attempted": "Delivery attempted", "delivered": "Delivered",
        "exception": "Needs attention", "returning_to_sender": "Returning to sender",
        "returned_to_sender": "Returned to sender", "cancelled": "Cancelled",
        "expired": "No recent updates", "unknown": "In progress",
    },
    "zh": {
        "pending": "已登记", "info_received": "已创建面单", "in_transit": "运输中",
        "out_for_delivery": "派送中", "available_for_pickup": "待取件",
        "delivery_attempted": "投递未成功", "delivered": "已签收", "exception": "异常",
        "returning_to_sender": "退回中", "returned_to_sender": "已退回", "cancelled": "已取消",
        "expired": "长时间无更新", "unknown": "处理中",
    },
    "es": {
        "pending": "Registrado", "info_received": "Etiqueta creada", "in_transit": "En tránsito",
        "out_for_delivery": "En reparto", "available_for_pickup": "Listo para recoger",
        "delivery_attempted": "Intento de entrega", "delivered": "Entregado",
        "exception": "Requiere atención", "returning_to_sender": "Volviendo al remitente",
        "returned_to_sender": "Devuelto al remitente", "cancelled": "Cancelado",
        "expired": "Sin novedades recientes", "unknown": "En curso",
    },
    "pt": {
        "pending": "Registrada", "info_received": "Etiqueta criada", "in_transit": "Em trânsito",
        "out_for_delivery": "Saiu para entrega", "available_for_pickup": "Disponível para retirada",
        "delivery_attempted": "Tentativa de entrega", "delivered": "Entregue",
        "exception": "Requer atenção", "returning_to_sender": "Em devolução ao remetente",
        "returned_to_sender": "Devolvida ao remetente", "cancelled": "Cancelada",
        "expired": "Sem atualizações recentes", "unknown": "Em andamento",
    },
}  # fmt: skip


def choose_language(query: str | None, accept_language: str | None) -> str:
    """``?lang=`` first, then the best Accept-Language entry we speak, else English."""
    if query and query.lower()[:2] in LANGUAGES:
        return query.lower()[:2]
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else "en"
