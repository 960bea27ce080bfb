"""The console dashboard and partner health through HTTP on a platform of their own (so an
operator's all-merchant figures are this module's parcels): a merchant user sees its own
figures only, an operator everyone's; parcels booked and tracked through the real API."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from postbridge.app import create_app
from postbridge.bootstrap import Platform, build_platform
from postbridge.merchants.models import Role
from postbridge.migrations import upgrade
from tests.builders import shipment_body
from tests.conftest import make_merchant, settings_for
from tests.console_builders import UserLogin, make_user, sign_in
from tests.e2e.conftest import auth
from tests.integration.test_tracking_ingest import item

CHARTS = ("chart-statuses", "chart-destinations", "chart-daily")


@dataclass(frozen=True)
class Scene:
    platform: Platform
    app_client: TestClient
    mine: UserLogin
    theirs: UserLogin
    my_numbers: list[str]
    their_number: str


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'dashboard.db'}"
    upgrade(url)
    platform = build_platform(settings_for(url))
    database = platform.database
    with TestClient(create_app(platform=platform), raise_server_exceptions=False) as api:
        merchant, other = make_merchant(database), make_merchant(database)
        operator_key = make_merchant(database, role=Role.OPERATOR).token

        def book(token: str, reference: str) -> str:
            answer = api.post(
                "/v1/shipments", json=shipment_body(reference=reference), headers=auth(token)
            )
            assert answer.status_code == 201, answer.text
            return str(answer.json()["tracking_number"])

        mine = [book(merchant.token, f"DASH-{n}") for n in range(3)]
        theirs = book(other.token, "DASH-OTHER")
        soon = datetime.now(UTC) + timedelta(minutes=30)
        events = [item(mine[0], "EXX", soon), item(mine[1], "EMA", soon),
                  item(theirs, "EXX", soon)]  # fmt: skip
        fed = api.post("/v1/tracking-events", json=events, headers=auth(operator_key))
        assert fed.status_code == 202, fed.text
        yield Scene(
            platform, api, make_user(database, merchant_id=merchant.merchant_id),
            make_user(database, merchant_id=other.merchant_id), mine, theirs,
        )  # fmt: skip
    database.dispose()


def browse(scene: Scene, user: UserLogin | None, path: str) -> tuple[int, str]:
    with TestClient(create_app(platform=scene.platform), raise_server_exceptions=False) as web:
        if user is not None:
            assert sign_in(web, user).status_code == 303
        page = web.get(path, follow_redirects=False)
        return page.status_code, page.text


def desc(page: str, chart_id: str) -> str:
    found = re.search(rf'<desc id="{chart_id}-desc">([^<]*)</desc>', page)
    assert found is not None, f"no {chart_id} on the page"
    return html.unescape(found[1])


def exception_count(page: str, kind: str) -> int:
    found = re.search(rf'<tr id="exception-{kind}">.*?<td>(\d+)</td>', page, re.S)
    assert found is not None
    return int(found[1])


def test_anonymous_visitors_are_sent_to_sign_in(scene: Scene) -> None:
    with TestClient(create_app(platform=scene.platform)) as web:
        page = web.get("/dashboard", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/dashboard")


def test_a_merchant_sees_its_own_figures_only(scene: Scene) -> None:
    status, page = browse(scene, scene.mine, "/dashboard")
    assert status == 200
    assert 'href="/dashboard" aria-current="page"' in page
    assert desc(page, "chart-statuses") == (
        "Today: 3 (booked 1, in transit 1, exception 1); "
        "This week: 3 (booked 1, in transit 1, exception 1)"
    )
    assert desc(page, "chart-destinations") == "US: 3"
    assert exception_count(page, "exception") == 1
    assert exception_count(page, "no_scan") == 0
    actions = page.split('id="action-items"')[1].split("</table>")[0]
    assert scene.my_numbers[0] in actions
    assert "export cancelled" in actions
    assert scene.their_number not in page
    assert 'href="/operations/exceptions' not in page  # operators' pages are not linked


def test_the_other_merchant_sees_its_parcel_and_not_the_firsts(scene: Scene) -> None:
    status, page = browse(scene, scene.theirs, "/dashboard")
    assert status == 200
    assert desc(page, "chart-statuses") == "Today: 1 (exception 1); This week: 1 (exception 1)"
    assert desc(page, "chart-destinations") == "US: 1"
    assert scene.their_number in page
    assert all(number not in page for number in scene.my_numbers)


def test_an_operator_sees_every_merchant_with_links_to_the_exceptions(scene: Scene) -> None:
    status, page = browse(scene, make_user(scene.platform.database), "/dashboard")
    assert status == 200
    assert desc(page, "chart-statuses") == (
        "Today: 4 (booked 1, in transit 1, exception 2); "
        "This week: 4 (booked 1, in transit 1, exception 2)"
    )
    assert desc(page, "chart-destinations") == "US: 4"
    assert exception_count(page, "exception") == 2
    assert '<a href="/operations/exceptions?kind=exception">exception</a>' in page
    assert 'id="action-items"' not in page
    for chart in CHARTS:
        assert f'<svg id="{chart}" class="chart" role="img"' in page
    # Nothing delivered nor overdue yet: those charts say so instead of drawing empty frames.
    assert 'id="chart-promises-empty"' in page
    assert 'id="chart-lanes-empty"' in page
    assert 'id="chart-partners-empty"' in page


def test_the_page_runs_no_inline_script(scene: Scene) -> None:
    _, page = browse(scene, scene.mine, "/dashboard")
    assert "<script" not in page
    assert not re.search(r"\son[a-z]+=", page)


def test_partner_health_shows_the_feed_and_the_queues(scene: Scene) -> None:
    status, page = browse(scene, make_user(scene.platform.database), "/operations/partners")
    assert status == 200
    row = page.split('<tr id="partner-chinapost">')[1].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert re.fullmatch(r'<time datetime="[^"]+">\d+ s ago</time>', cells[0])
    assert cells[1:6] == ["3", "0", "0", "0", '<span class="muted">no answer yet</span>']
    assert 'id="queues"' in page


def test_merchants_cannot_open_partner_health(scene: Scene) -> None:
    status, page = browse(scene, scene.mine, "/operations/partners")
    assert status == 403
    assert "Operators only" in page
