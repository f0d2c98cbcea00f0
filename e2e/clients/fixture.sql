-- The data every client scenario expects (see README.md). Loaded by the test harness
-- (or by pg15-selftest.sh) into the database the scenarios connect to.
DROP TABLE IF EXISTS scenario;
CREATE TABLE scenario (id text PRIMARY KEY, doc jsonb NOT NULL);
INSERT INTO scenario (id, doc) VALUES
  ('a1', '{"id": "a1", "name": "Alpha", "city": "Lisbon", "price": 80, "tags": ["sea", "wifi"]}'),
  ('b2', '{"id": "b2", "name": "Beta", "city": "Porto", "price": 120.5, "tags": []}'),
  ('c3', '{"id": "c3", "name": "Gamma", "city": "Lisbon", "price": 95, "tags": ["wifi"]}');
