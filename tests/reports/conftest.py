from tests.notifications.conftest import mail_dir, workers

__all__ = ["mail_dir", "workers"]
