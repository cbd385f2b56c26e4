/**
 * Tables and the append function of the PostgreSQL event store.
 *
 * `roster_append(stream, expected, events)` checks the expected revision by a conditional
 * update of the stream's row and inserts the events, in the caller's one transaction.
 * `expected`: -1 no_stream, -2 any, otherwise the exact current revision. A mismatch
 * raises SQLSTATE RS001 with the actual revision (or -1) as its message. If every event
 * id exists already in this stream the call is a no-op that returns the stored result; if
 * only some do, it raises RS002.
 */
export const eventStoreSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS streams (
  stream_id text PRIMARY KEY,
  revision bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
  global_position bigserial NOT NULL,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  revision bigint NOT NULL,
  event_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_global_order ON events (transaction_id, global_position);

CREATE OR REPLACE FUNCTION roster_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The payload names the streams appended to with their revision now (\`pool-p1@41\`), or
  -- when there are many (an import) their categories (stream name up to its first '-'), so
  -- that filtered subscribers sleep through appends they would skip and a pool's allocator
  -- on another node learns of a write to its stream.
  PERFORM pg_notify('roster_events', coalesce((
    SELECT CASE WHEN count(*) <= 8 THEN string_agg(stream_id || '@' || last, ',')
                ELSE (SELECT string_agg(DISTINCT split_part(stream_id, '-', 1), ',') FROM inserted) END
      FROM (SELECT stream_id, max(revision) AS last FROM inserted GROUP BY stream_id) appended), ''));
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_notify ON events;
CREATE TRIGGER events_notify AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_events();

CREATE OR REPLACE FUNCTION roster_append(p_stream text, p_expected bigint, p_events jsonb)
RETURNS TABLE (next_revision bigint, tx xid8, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  n int := jsonb_array_length(p_events);
  ids uuid[] := ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements(p_events) e);
  found_count int;
  same_stream boolean;
  cur bigint;
BEGIN
  SELECT count(*), bool_and(ev.stream_id = p_stream) INTO found_count, same_stream
    FROM events ev WHERE ev.event_id = ANY(ids);
  IF found_count > 0 THEN
    IF found_count = n AND same_stream THEN
      RETURN QUERY SELECT ev.revision, ev.transaction_id, ev.global_position
        FROM events ev WHERE ev.event_id = ANY(ids) ORDER BY ev.revision DESC LIMIT 1;
      RETURN;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'RS002', MESSAGE = 'duplicate event ids';
  END IF;

  IF p_expected = -1 THEN
    INSERT INTO streams AS s VALUES (p_stream, n - 1) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      SELECT s.revision INTO cur FROM streams s WHERE s.stream_id = p_stream;
      RAISE EXCEPTION USING ERRCODE = 'RS001', MESSAGE = cur::text;
    END IF;
    cur := -1;
  ELSIF p_expected = -2 THEN
    INSERT INTO streams AS s VALUES (p_stream, n - 1)
      ON CONFLICT (stream_id) DO UPDATE SET revision = s.revision + n
      RETURNING s.revision - n INTO cur;
  ELSE
    UPDATE streams s SET revision = s.revision + n
      WHERE s.stream_id = p_stream AND s.revision = p_expected;
    IF NOT FOUND THEN
      SELECT s.revision INTO cur FROM streams s WHERE s.stream_id = p_stream;
      RAISE EXCEPTION USING ERRCODE = 'RS001', MESSAGE = coalesce(cur, -1)::text;
    END IF;
    cur := p_expected;
  END IF;

  RETURN QUERY
  WITH inserted AS (
    INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
    SELECT p_stream, cur + t.i, (t.e->>'id')::uuid, t.e->>'type', t.e->'data', t.e->'metadata'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, i)
    RETURNING global_position
  )
  SELECT cur + n, pg_current_xact_id(), max(global_position) FROM inserted;
END $$;

DROP FUNCTION IF EXISTS roster_append_new(text[], jsonb[]);
-- Many new streams at once (an import): one insert of the streams, one of the events, one
-- statement trigger, instead of a roster_append per stream. p_events is one JSON array
-- holding each stream's array of events (one parameter: a jsonb[] costs an escape of every
-- element on the way). Returns no rows when one of the event ids exists already, and raises
-- RS003 when one of the streams exists: the caller then takes the per-stream path, which
-- answers those cases exactly.
CREATE OR REPLACE FUNCTION roster_append_new(p_streams text[], p_events jsonb)
RETURNS TABLE (n bigint, next_revision bigint, tx xid8, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  created int;
BEGIN
  INSERT INTO streams (stream_id, revision)
    SELECT u.s, jsonb_array_length(p_events->(u.k::int - 1)) - 1 FROM unnest(p_streams) WITH ORDINALITY AS u(s, k)
    ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS created = ROW_COUNT;
  IF created < cardinality(p_streams) THEN
    RAISE EXCEPTION USING ERRCODE = 'RS003', MESSAGE = 'a stream exists already';
  END IF;
  RETURN QUERY
  WITH inserted AS (
    INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
    SELECT u.s, t.i - 1, (t.e->>'id')::uuid, t.e->>'type', t.e->'data', t.e->'metadata'
      FROM unnest(p_streams) WITH ORDINALITY AS u(s, k),
           jsonb_array_elements(p_events->(u.k::int - 1)) WITH ORDINALITY AS t(e, i)
      ORDER BY u.k, t.i
    RETURNING stream_id, revision, global_position
  )
  SELECT u.k, max(ins.revision), pg_current_xact_id(), max(ins.global_position)
    FROM inserted ins JOIN unnest(p_streams) WITH ORDINALITY AS u(s, k) ON u.s = ins.stream_id
    GROUP BY u.k ORDER BY u.k;
EXCEPTION WHEN unique_violation THEN
  -- The streams are new, so only an event id can exist already: nothing is written (the
  -- block's work is undone) and no row returned. Caught rather than looked up first: the
  -- lookup cost an index probe per event on every import.
  RETURN;
END $$;
`;
