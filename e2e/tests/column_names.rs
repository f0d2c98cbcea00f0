//! Result column names against PostgreSQL 15: the RowDescription of each statement, over
//! the extended protocol (as drivers prepare) and the simple one (as psql sends), names the
//! columns exactly as a real Postgres server with the same table does.

mod harness;

use harness::PgHarness;
use tokio_postgres::SimpleQueryMessage;

/// Select lists over the `scenario` table (`id text, doc jsonb`) and without a table.
const STATEMENTS: &[&str] = &[
    "SELECT id FROM scenario",
    "SELECT s.id, s.doc FROM scenario s",
    "SELECT doc->>'name' FROM scenario",
    "SELECT doc->'tags' FROM scenario",
    "SELECT (doc->>'price')::float8 FROM scenario",
    "SELECT (doc->>'missing')::int FROM scenario",
    "SELECT CAST(doc->>'price' AS numeric) FROM scenario",
    "SELECT id::text FROM scenario",
    "SELECT count(*) FROM scenario",
    "SELECT count(id), sum((doc->>'price')::float8), avg((doc->>'price')::float8), min(id), max(id) FROM scenario",
    "SELECT jsonb_extract_path(doc, 'name') FROM scenario",
    "SELECT jsonb_extract_path_text(doc, 'name') FROM scenario",
    "SELECT doc #>> '{name}' FROM scenario",
    "SELECT doc @> '{\"city\":\"Lisbon\"}' FROM scenario",
    "SELECT 1",
    "SELECT 1 + 1",
    "SELECT 'a'",
    "SELECT 'a'::text",
    "SELECT 1.5",
    "SELECT true",
    "SELECT NULL",
    "SELECT -1",
    "SELECT 2::bigint",
    "SELECT CASE WHEN id = 'a1' THEN 1 ELSE 0 END FROM scenario",
    "SELECT coalesce(doc->>'x', 'd') FROM scenario",
    "SELECT upper(id), lower(id), length(id) FROM scenario",
    "SELECT id || 'x' FROM scenario",
    "SELECT id IS NULL FROM scenario",
    "SELECT NOT true",
    "SELECT id AS \"Id\", doc->>'name' AS name FROM scenario",
    "SELECT current_date",
    "SELECT ARRAY[1,2]",
    "SELECT jsonb_array_length(doc->'tags') FROM scenario",
    "SELECT jsonb_typeof(doc) FROM scenario",
    "SELECT version()",
    "SELECT current_schema()",
    "SELECT current_database()",
    "SELECT count(*) FILTER (WHERE id > 'a') FROM scenario",
    "SELECT row_number() OVER (ORDER BY id) FROM scenario",
    "SELECT (SELECT max(id) FROM scenario)",
    "SELECT nullif(id, 'a1') FROM scenario",
    "SELECT greatest(1, 2)",
    "SELECT doc->>'city', count(*) FROM scenario GROUP BY doc->>'city'",
    "SELECT doc->>'city' AS city, count(*) AS n FROM scenario GROUP BY 1 ORDER BY 2 DESC",
    "SELECT id, doc->'tags'->0 FROM scenario",
    "SELECT x FROM (SELECT doc->>'name' AS x FROM scenario) t",
    "SELECT '{\"a\":1}'::jsonb->'a'",
    "SELECT round((doc->>'price')::numeric, 1) FROM scenario",
    "SELECT substring(id, 1, 1) FROM scenario",
    "SELECT date_trunc('day', now())",
    "SELECT extract(year FROM now())",
    "SELECT interval '1 day'",
    "SELECT DATE '2024-01-01'",
    "SELECT 1 UNION ALL SELECT 2",
    "SELECT id FROM scenario UNION SELECT 'z'",
    "SELECT id::varchar FROM scenario",
    "SELECT (doc->>'price')::double precision FROM scenario",
    "SELECT (doc->>'missing')::bigint FROM scenario",
    "SELECT (doc->>'price')::real FROM scenario",
    "SELECT (doc->>'missing')::smallint FROM scenario",
    "SELECT (doc->>'flag')::boolean FROM scenario",
    "SELECT doc->>'name' name2 FROM scenario",
    "SELECT scenario.id FROM scenario",
    "SELECT string_agg(id, ',') FROM scenario",
    "SELECT array_agg(id) FROM scenario",
    "SELECT jsonb_agg(doc) FROM scenario",
    "SELECT jsonb_build_object('a', 1)",
    "SELECT to_jsonb(id) FROM scenario",
    "SELECT trim(id) FROM scenario",
    "SELECT id LIKE 'a%' FROM scenario",
    "SELECT id IN ('a1') FROM scenario",
    "SELECT abs(-1)",
    "SELECT pg_catalog.lower('A')",
    "SELECT 1 AS \"?column?\", 2",
    "SELECT jsonb_array_elements(doc->'tags'), jsonb_object_keys(doc) FROM scenario",
    "SELECT jsonb_array_elements_text(doc->'tags') FROM scenario",
    "SELECT 1, 2, id, id, count(*) FROM scenario GROUP BY id",
    "SELECT count(*), count(id) FROM scenario",
    "SELECT * FROM (SELECT 1, 2) t",
    "SELECT doc->>'city', count(*) FROM scenario GROUP BY doc->>'city' ORDER BY count(*) DESC",
    "SELECT CASE WHEN id = 'a1' THEN 'x' ELSE id END FROM scenario",
    "SELECT (SELECT 1)",
    "SELECT now()::timestamptz, 1::int4::text",
];

async fn simple_names(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    let messages = client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    match messages.first() {
        Some(SimpleQueryMessage::RowDescription(columns)) => {
            columns.iter().map(|c| c.name().to_string()).collect()
        }
        other => panic!("{sql}: no RowDescription first: {other:?}"),
    }
}

async fn prepared_names(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    client
        .prepare(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn result_columns_are_named_as_postgres_names_them() {
    let h = PgHarness::start().await;
    let ours = h.connect().await;
    // A shard holds a `scenario` table with the same columns: the reference.
    let (postgres, conn) = tokio_postgres::connect(&h.shards[0].dsn(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);

    let mut differences = Vec::new();
    for sql in STATEMENTS {
        let expected = prepared_names(&postgres, sql).await;
        let prepared = prepared_names(&ours, sql).await;
        let simple = simple_names(&ours, sql).await;
        if prepared != expected || simple != expected {
            differences.push(format!(
                "{sql}\n  postgres: {expected:?}\n  prepared: {prepared:?}\n  simple:   {simple:?}"
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));

    // Repeated names are still distinct values.
    let row = ours
        .query_one("SELECT 1, 2, 'a' AS x, 'b' AS x", &[])
        .await
        .unwrap();
    assert_eq!((row.get::<_, i32>(0), row.get::<_, i32>(1)), (1, 2));
    assert_eq!((row.get::<_, &str>(2), row.get::<_, &str>(3)), ("a", "b"));
}
