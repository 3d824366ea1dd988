"""Counting from the Nova twin what a scenario left behind: lost servers, servers in ERROR or in a
task state, and migrations requested more than once for one move.

Every reliability test takes a :class:`TwinAudit` before it starts and asks it afterwards, so
the figures come from the twin (the API and its migration records), not from the tool under test.
"""

import collections


class TwinAudit:
    """What became of ``server_ids`` on ``twin`` (a tests.fixtures.nova_twin.NovaTwin) since now."""

    def __init__(self, twin, server_ids):
        self.twin = twin
        self.server_ids = list(server_ids)
        self.since_migration = twin.last_migration_id()
        self.posts_before = self.live_migrate_posts()

    def live_migrate_posts(self):
        """Live-migrate POSTs nova-api has received per server since the twin started (counted by the twin)."""
        return self.twin.control.status()["live_migrate_posts"]

    def servers(self):
        """The watched servers the API still lists, by id."""
        listed = self.twin.conn.compute.servers(all_projects=True)
        return {server.id: server for server in listed if server.id in set(self.server_ids)}

    def lost(self):
        """Watched servers the API no longer lists."""
        listed = self.servers()
        return [server_id for server_id in self.server_ids if server_id not in listed]

    def in_error(self):
        """Watched servers in ERROR, or not ACTIVE, or still in a task state (a migration left running)."""
        return sorted(server.id for server in self.servers().values()
                      if server.status != "ACTIVE" or server.task_state)

    def live_migrations(self):
        """Live-migration records of the watched servers created since the audit began, per server.

        Only the watched servers: a move of another server (another test's leftover run) is not ours to count.
        """
        return collections.Counter(migration.server_id for migration in self.live_migration_records())

    def live_migration_records(self):
        """The watched servers' live-migration records created since the audit began, oldest first."""
        watched = set(self.server_ids)
        return sorted((migration for migration in self.twin.conn.compute.migrations()
                       if migration.id > self.since_migration and migration.migration_type == "live-migration"
                       and migration.server_id in watched), key=lambda migration: migration.id)

    def excess(self, attempts):
        """Per server with more records than attempts: its attempts, the live-migrate POSTs the twin received
        since the audit began and its records as (id, source, target, status), to tell a re-sent request from
        a miscount."""
        records = collections.defaultdict(list)
        for migration in self.live_migration_records():
            records[migration.server_id].append((migration.id, migration.source_compute, migration.dest_compute,
                                                 migration.status))
        posts = self.live_migrate_posts()
        return {server_id: {"attempts": attempts.get(server_id, 0), "records": found,
                            "posts": posts.get(server_id, 0) - self.posts_before.get(server_id, 0)}
                for server_id, found in records.items() if len(found) > attempts.get(server_id, 0)}

    def duplicates(self, attempts):
        """Migrations beyond the moves the tool started: ``attempts`` maps server id -> moves tried.

        Nova makes one migration record per accepted live-migration POST, so a POST re-issued
        after its answer was lost shows up here as one record too many.
        """
        return sum(max(0, count - attempts.get(server_id, 0)) for server_id, count in self.live_migrations().items())

    def hosts(self):
        """Where each watched server is now."""
        return {server_id: server.compute_host for server_id, server in self.servers().items()}

    def figures(self, attempts):
        """The ledger's lost / in_error / duplicates counts, with the ids for assertion messages."""
        return {"lost": self.lost(), "in_error": self.in_error(), "duplicates": self.duplicates(attempts)}
