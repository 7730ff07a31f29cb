"""Django's PostgreSQL backend (psycopg 3), knowing the limit of server-side binding.

With the parameters bound by the server (``DB_SERVER_SIDE_BINDING``, needed for
prepared statements), one query carries at most 65,535 of them: the protocol
counts them on 16 bits. Django cuts bulk inserts, deletions of many related rows
and ``in_bulk`` into batches below such a limit on SQLite, not on PostgreSQL:
here it does so on PostgreSQL too. (A deletion of 100,000 outbox mails once sent
all their ids in one query and failed.)
"""

from django.db.backends.postgresql import base, features, operations

MAX_QUERY_PARAMS = 65_535


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = MAX_QUERY_PARAMS


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        """Rows per query, each with ``len(fields)`` parameters, within the limit."""
        if fields:
            return max(MAX_QUERY_PARAMS // len(fields), 1)
        return len(objs)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
