"""The container healthcheck of the web service: GET /health on this container.

Exits 0 when the portal answers 200 (database, broker and a recent worker
heartbeat are fine), 1 otherwise, printing the answer. The Host header is the
first of ALLOWED_HOSTS, so Django accepts the request. Standard library only.
"""

import http.client
import os
import sys


def main() -> int:
    port = int(os.environ.get("HEALTHCHECK_PORT", "8000"))
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
    host = host.lstrip(".") if host != "*" else "localhost"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/health", headers={"Host": host})
        response = connection.getresponse()
        body = response.read(4000).decode("utf-8", "replace")
    except OSError as error:
        print(f"/health unreachable: {error}")
        return 1
    finally:
        connection.close()
    print(body)
    return 0 if response.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
