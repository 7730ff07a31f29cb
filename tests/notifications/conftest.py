import pytest
import redis

from .worker import Worker


@pytest.fixture
def mail_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def workers(transactional_db, tmp_path, mail_dir, settings):
    """Start real workers with ``workers.start(**env)``; all are stopped after the test."""
    started = []
    # Our own Redis database: messages a previous test left are not for us.
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()

    class Workers:
        def start(self, *, broker_url=None, concurrency=2, **env):
            log = tmp_path / f"worker-{len(started)}.log"
            worker = Worker(
                broker_url=broker_url or settings.CELERY_BROKER_URL,
                mail_dir=mail_dir,
                private_dir=settings.PRIVATE_MEDIA_ROOT,
                log=log,
                **env,
            )
            started.append(worker)
            return worker.start(concurrency=concurrency)

    yield Workers()
    for worker in started:
        worker.stop()
