"""The `serve` command's options and the banner it prints."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from mock_support import ACCOUNT_ID, API_KEY

import mock_server.cli
from generator.cli import cli
from mock_server.app import build_app
from mock_server.config import MockConfig


def run_serve(
    monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str] | None = None
) -> MockConfig:
    started: list[MockConfig] = []
    monkeypatch.setattr(mock_server.cli, "serve", started.append)
    result = CliRunner().invoke(cli, ["serve", *args], env=env)
    assert result.exit_code == 0, result.output
    (config,) = started
    return config


def test_serve_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    config = run_serve(monkeypatch, [])
    assert config == MockConfig(host="127.0.0.1", port=8000)


def test_serve_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fixtures = tmp_path / "f.yaml"
    fixtures.write_text("accounts: []\n")
    args = ["--host", "::1", "--port", "9001", "--account-id", "a" * 32]
    args += ["--token", "t", "--fixtures", str(fixtures), "--seed", "3"]
    config = run_serve(monkeypatch, args)
    assert config == MockConfig(
        host="::1", port=9001, account_id="a" * 32, token="t", fixtures=fixtures, seed=3
    )
    assert config.base_url == "http://[::1]:9001"


def test_serve_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"CALLFLOW_KIT_PORT": "9100", "CALLFLOW_KIT_SEED": "5"}
    config = run_serve(monkeypatch, [], env)
    assert config.port == 9100
    assert config.seed == 5


def test_serve_bad_fixtures(tmp_path: Path) -> None:
    fixtures = tmp_path / "bad.yaml"
    fixtures.write_text("accounts: 5\n")
    result = CliRunner().invoke(cli, ["serve", "--fixtures", str(fixtures)])
    assert result.exit_code == 1
    assert f"{fixtures}: expected an object with an 'accounts' list" in result.output


def banner(config: MockConfig) -> str:
    app = build_app(config)
    asyncio.run(app.startup())
    out = io.StringIO()
    mock_server.cli.print_banner(app, out)
    return out.getvalue()


def test_banner_contents() -> None:
    text = banner(MockConfig(port=8123, token="tok"))
    url = f"http://127.0.0.1:8123/v2/accounts/{ACCOUNT_ID}/callflows"
    assert text.splitlines()[0] == "Kazoo 4.3 callflows mock on http://127.0.0.1:8123"
    assert f"  account id: {ACCOUNT_ID} (Example Telecom)" in text
    assert "  auth token: tok" in text
    assert "    user alice@example.test  password alice-demo-password" in text
    assert f"    api_key {API_KEY}" in text
    assert f'  curl -H "X-Auth-Token: tok" {url}' in text


def test_banner_user_auth_values() -> None:
    lines = banner(MockConfig(port=8123, token="tok")).splitlines()
    assert "    realm example.sip.callflow-kit.test" in lines
    assert "    phone numbers +15550100000, +15550100001" in lines
    assert "    realm branch.sip.callflow-kit.test" in lines
    assert "    realm other.sip.callflow-kit.test" in lines


def test_banner_shell_exports() -> None:
    lines = banner(MockConfig(port=8123, token="t o'k")).splitlines()
    assert (
        "  export BASE_URL=http://127.0.0.1:8123 "
        f"ACCOUNT_ID={ACCOUNT_ID} TOKEN='t o'\"'\"'k'"
    ) in lines


def test_banner_warns_public_admin() -> None:
    public = banner(MockConfig(host="0.0.0.0", port=8123, token="tok", admin=True))
    local = banner(MockConfig(port=8123, token="tok"))
    warning = "  warning: the admin API needs no token and listens on 0.0.0.0"
    assert warning in public
    assert "warning:" not in local
