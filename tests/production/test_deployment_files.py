"""The deployment files: docker-compose.yml, Dockerfile, .env.example, gunicorn's config.

There is no Docker engine here: the compose file is validated against the
Compose specification's JSON schema (vendored by check-jsonschema) and read
for what production needs; the Dockerfile is read instruction by instruction.
"""

import re
import subprocess

import pytest
from ruamel.yaml import YAML

from .conftest import ROOT, VENV_BIN, production_environment

COMPOSE = ROOT / "docker-compose.yml"


def _check_compose(path):
    return subprocess.run(  # noqa: S603 - the validator of requirements-dev.txt
        [str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _compose():
    return YAML(typ="safe").load(COMPOSE.read_text())


def test_compose_file_is_valid_against_the_compose_specification():
    result = _check_compose(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_validation_rejects_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("healthcheck:", "healthchek:", 1))
    result = _check_compose(broken)
    assert result.returncode != 0
    assert "healthchek" in result.stdout + result.stderr


def test_compose_runs_web_workers_beat_postgres_redis_and_a_migrate_step():
    services = _compose()["services"]
    assert {"web", "worker", "worker-pdf", "beat", "postgres", "redis", "migrate"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert services["beat"]["command"][:3] == ["celery", "--app=qmi_portal", "beat"]
    queues = set()
    for name in ("worker", "worker-pdf"):
        command = services[name]["command"]
        assert "worker" in command
        [option] = [part for part in command if part.startswith("--queues=")]
        queues |= set(option.removeprefix("--queues=").split(","))
    assert queues == {"celery", "mail", "pdf"}
    # Migrations run once, before anything that uses the database.
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "worker-pdf", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
        assert depends["postgres"] == {"condition": "service_healthy"}


def test_compose_has_healthchecks_and_volumes_for_the_database_and_private_files():
    compose = _compose()
    services = compose["services"]
    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "deploy/healthcheck.py"]
    for name in ("worker", "worker-pdf", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert "inspect ping" in services["worker"]["healthcheck"]["test"][1]
    assert {"postgres-data", "private-media"} <= set(compose["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("web", "worker", "worker-pdf", "beat"):
        service = services[name]
        assert "private-media:/data/private" in service["volumes"], name
        assert service["environment"]["PRIVATE_MEDIA_ROOT"] == "/data/private"
        assert service["build"] == "." and service["image"] == services["web"]["image"]
    # Nothing published beyond this machine: the proxy in front does TLS.
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port


def test_dockerfile_builds_a_slim_image_with_weasyprint_fonts_and_a_user_without_privileges():
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = [
        line.split(None, 1)
        for line in re.sub(r"\\\n\s*", " ", dockerfile).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    keywords = [keyword for keyword, _ in instructions]
    arguments = {
        keyword: [rest for k, rest in instructions if k == keyword] for keyword in keywords
    }
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", arguments["FROM"][0].strip())
    installs = " ".join(arguments["RUN"])
    for package in ("libpango-1.0-0", "libharfbuzz0b", "fonts-dejavu-core", "postgresql-client"):
        assert package in installs, package
    assert "useradd" in installs
    user = arguments["USER"][-1].strip()
    assert user not in ("root", "0")
    # Static files and translations are built as that user, after USER.
    after_user = " ".join(rest for keyword, rest in instructions[keywords.index("USER") :])
    assert "collectstatic --noinput" in after_user
    assert "compilemessages" in after_user
    assert "gunicorn" in arguments["CMD"][-1] and "deploy/gunicorn.conf.py" in arguments["CMD"][-1]
    assert "8000" in arguments["EXPOSE"][-1]


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".venv", "var", ".git"):
        assert entry in ignored


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (ROOT / "qmi_portal" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.[a-z_]+)?\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert len(read) > 40
    assert read - listed == set()


@pytest.mark.parametrize("script", ["run-production.sh", "backup.sh", "restore.sh"])
def test_deploy_scripts_are_valid_bash_and_executable(script):
    path = ROOT / "deploy" / script
    assert path.stat().st_mode & 0o111
    result = subprocess.run(  # noqa: S603 - our own script
        ["/bin/bash", "-n", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_configuration_loads_the_application(tmp_path):
    result = subprocess.run(  # noqa: S603 - gunicorn from the venv
        [
            str(VENV_BIN / "gunicorn"),
            "--check-config",
            "--config",
            "deploy/gunicorn.conf.py",
            "qmi_portal.wsgi",
        ],
        cwd=ROOT,
        env=production_environment(
            SITE_URL="https://qmi.example.org",
            ALLOWED_HOSTS="qmi.example.org",
            STATIC_ROOT=tmp_path,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
