"""Mail backends for the worker tests."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend

_handed = 0


class PerProcessFileBackend(EmailBackend):
    """Django's file backend, one file per process and connection.

    Its own names (second + id(self)) can be the same in two forked workers,
    which would then append to one file and interleave messages.
    """

    def _get_filename(self):
        if self._fname is None:
            self._fname = os.path.join(self.file_path, f"{os.getpid()}-{time.time_ns()}.log")
        return self._fname


class BlockingFileBackend(PerProcessFileBackend):
    """The file backend, which stops dead before the N-th message of its process.

    ``MAIL_TEST_BLOCK_AT`` = N; it first writes ``blocked-<pid>`` in
    ``MAIL_TEST_FLAG_DIR``, so the test knows a batch is half-sent and kills
    the worker (kill -9) there. The blocked message is never written.
    """

    def send_messages(self, email_messages):
        global _handed
        block_at = int(os.environ.get("MAIL_TEST_BLOCK_AT", "0"))
        for message in email_messages:
            _handed += 1
            if block_at and _handed == block_at:
                flag = Path(os.environ["MAIL_TEST_FLAG_DIR"]) / f"blocked-{os.getpid()}"
                flag.write_text(str(_handed))
                time.sleep(600)
            super().send_messages([message])
        return len(email_messages)


class FailingBackend(EmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("The mail server refused the connection.")
