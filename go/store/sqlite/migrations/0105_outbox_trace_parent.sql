-- 0105_outbox_trace_parent: the W3C traceparent of the request that posted
-- a status ('' when that request was not traced), kept with its delivery
-- event, so a redelivery by the relay (after a crash) links its span to
-- the request's trace.

ALTER TABLE status_outbox ADD COLUMN trace_parent TEXT NOT NULL DEFAULT '';
