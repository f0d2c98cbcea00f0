//! The read path over real Postgres shards: every answer is checked against a plain Postgres
//! holding the same documents, and EXPLAIN shows what each shard was asked to do.

mod common;

use std::time::Duration;

use common::*;

/// Queries whose answers must equal Postgres' own, row for row.
const SAME_AS_POSTGRES: &[&str] = &[
    "SELECT count(*) FROM listings",
    "SELECT id FROM listings ORDER BY id LIMIT 7",
    "SELECT id FROM listings ORDER BY id LIMIT 3 OFFSET 5",
    "SELECT id FROM listings WHERE id IN ('lst-000002', 'lst-000003') ORDER BY id OFFSET 1",
    "SELECT doc->'address'->>'city' AS city, count(*) FROM listings GROUP BY 1 ORDER BY 2 DESC, 1",
    "SELECT doc->>'room_type', count(DISTINCT doc->'address'->>'country') FROM listings GROUP BY 1 ORDER BY 1",
    "SELECT id, (doc->>'price')::float8 FROM listings WHERE (doc->>'price')::float8 < 60 ORDER BY 2, 1",
    "SELECT id FROM listings WHERE doc @> '{\"instant_bookable\": true, \"room_type\": \"Private room\"}' ORDER BY id",
    "SELECT id FROM listings WHERE doc ? 'bedrooms' = false ORDER BY id",
    "SELECT id FROM listings WHERE NOT (doc ? 'bedrooms') ORDER BY id",
    "SELECT id, doc->'host'->>'name' FROM listings WHERE id IN ('lst-000003', 'lst-000150', 'nope') ORDER BY id",
    "SELECT id FROM listings WHERE doc->>'property_type' = 'Loft' AND (doc->>'accommodates')::int >= 4 ORDER BY id",
    "SELECT id FROM listings WHERE doc->>'last_review' IS NULL ORDER BY id",
    "SELECT id FROM listings WHERE doc->'address'->>'country_code' IN ('PT', 'JP') OR (doc->>'bathrooms')::float8 > 2.5 ORDER BY id",
    "SELECT id, (doc->>'price')::float8 AS p FROM listings ORDER BY p DESC, id LIMIT 5",
    "SELECT id, doc->>'name' FROM listings ORDER BY doc->>'name', id LIMIT 5",
    "SELECT doc->'address'->>'country' AS c, sum((doc->>'accommodates')::int), min((doc->>'price')::float8), max(jsonb_array_length(doc->'amenities')) FROM listings GROUP BY 1 ORDER BY 1",
    "SELECT a, count(*) FROM (SELECT jsonb_array_elements_text(doc->'amenities') AS a FROM listings) t GROUP BY a ORDER BY 2 DESC, a LIMIT 10",
    "SELECT id, rank() OVER (PARTITION BY doc->'address'->>'city' ORDER BY (doc->>'price')::float8 DESC, id) FROM listings ORDER BY 2, 1 LIMIT 20",
    "SELECT doc->'review_scores'->'rating', count(*) FROM listings GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5",
    "SELECT id, doc #>> '{address,location,lat}' FROM listings WHERE doc #> '{host,superhost}' = 'true'::jsonb ORDER BY id LIMIT 10",
    "SELECT count(*) FROM listings WHERE doc->'reviews' @> '[{\"rating\": 5}]'",
    "SELECT id, jsonb_typeof(doc->'review_scores'), doc->'tags' FROM listings ORDER BY id LIMIT 12",
    "SELECT count(*) FROM listings WHERE doc ?| array['license', 'bedrooms']",
    "SELECT doc->>'currency', round(avg((doc->>'price')::float8)) FROM listings GROUP BY 1 ORDER BY 1",
    "SELECT count(*), count(doc->>'bedrooms'), min(doc->>'name'), max((doc->>'accommodates')::int), sum((doc->>'accommodates')::int) FROM listings",
    "SELECT doc->>'room_type', count(*), round(avg((doc->>'bedrooms')::int)) FROM listings GROUP BY 1 ORDER BY 1",
    "SELECT (doc->>'instant_bookable')::bool, doc->>'currency', count(*) FROM listings WHERE (doc->>'price')::float8 > 100 GROUP BY 1, 2 ORDER BY 1, 2",
    "SELECT doc->>'property_type', count(*) FROM listings GROUP BY 1 HAVING count(*) > 20 ORDER BY 2 DESC, 1",
];

#[tokio::test]
async fn reads_match_postgres_and_are_pushed_to_the_shards() {
    let shards = start_servers(2).await;
    let reference = start_servers(1).await;
    let engine = engine_for(&shards).await;
    let docs = sample_docs(400);
    load(&engine, "listings", &docs).await;
    let pg = reference_client(&reference[0]).await;
    load_reference(&pg, "listings", &docs).await;

    // Documents really are spread over both shards.
    for s in &shards {
        let n: i64 = s.psql("SELECT count(*) FROM listings").parse().unwrap();
        assert!((100..300).contains(&n), "shard holds {n} of 400");
    }

    for sql in SAME_AS_POSTGRES {
        let expected = pg_rows(&pg, sql)
            .await
            .unwrap_or_else(|e| panic!("postgres: {sql}: {e:?}"));
        let got = node_rows(&engine, sql)
            .await
            .unwrap_or_else(|e| panic!("node: {sql}: {e:?}"));
        assert!(!expected.is_empty(), "{sql} should return rows");
        assert_eq!(got, expected, "{sql}");
    }

    // Filters, including JSON paths and containment, are evaluated by the shards.
    let plan = explain(
        &engine,
        "SELECT id FROM listings WHERE doc @> '{\"room_type\": \"Private room\"}' AND (doc->>'price')::float8 < 60",
    )
    .await;
    assert!(
        plan.contains("\"doc\" @> '{\"room_type\": \"Private room\"}'::text::jsonb"),
        "{plan}"
    );
    assert!(
        plan.contains("((\"doc\" ->> 'price'::text))::float8 < '60.0'::float8"),
        "{plan}"
    );
    assert!(plan.contains("shards=[shard-0, shard-1]"), "{plan}");

    // JSON paths in the select list are computed by the shards: documents do not travel.
    let plan = explain(
        &engine,
        "SELECT doc->'address'->>'city', id FROM listings WHERE id > 'lst-000100'",
    )
    .await;
    assert!(
        plan.contains(
            "sql=SELECT \"id\", (((\"doc\" -> 'address'::text) ->> 'city'::text)) FROM \"listings\""
        ),
        "{plan}"
    );
    assert!(!plan.contains("SELECT \"doc\""), "{plan}");

    // Aggregations are computed partially by each shard and combined by the node.
    let plan = explain(
        &engine,
        "SELECT doc->'address'->>'city', count(*), avg((doc->>'price')::float8), max(doc->>'name') FROM listings \
         WHERE doc @> '{\"instant_bookable\": true}' GROUP BY 1",
    )
    .await;
    assert!(plan.contains("GROUP BY 1"), "{plan}");
    assert!(plan.contains("(count(*))"), "{plan}");
    assert!(
        plan.contains("(max(((\"doc\" ->> 'name'::text)) COLLATE \"C\"))"),
        "{plan}"
    );
    assert!(
        plan.contains("WHERE (\"doc\" @> '{\"instant_bookable\": true}'::text::jsonb) GROUP BY 1"),
        "{plan}"
    );

    // A filter pinning the id reads only the shard that owns it.
    let owner = engine.shards().map().shard_for("lst-000003");
    let plan = explain(&engine, "SELECT doc FROM listings WHERE id = 'lst-000003'").await;
    assert!(plan.contains(&format!("shards=[shard-{owner}]")), "{plan}");

    // ORDER BY … LIMIT is pushed per shard and the shard answers merged.
    let plan = explain(
        &engine,
        "SELECT id, (doc->>'price')::float8 AS p FROM listings ORDER BY p DESC LIMIT 5",
    )
    .await;
    assert!(
        plan.contains("ORDER BY") && plan.contains("LIMIT 5"),
        "{plan}"
    );
    assert!(plan.contains("SortPreservingMergeExec"), "{plan}");

    // Usage of a statement: rows and bytes the shards sent, CPU time of the node.
    let out = engine
        .query("SELECT id FROM listings WHERE doc->>'room_type' = 'Private room'")
        .await
        .unwrap();
    assert!(out.row_count() > 0);
    assert_eq!(out.rows_scanned, out.row_count() as u64);
    assert!(
        out.bytes_scanned >= out.rows_scanned * 10,
        "{} bytes",
        out.bytes_scanned
    );
    assert!(out.cpu_nanos > 0);

    // The same path used by several aggregates (which DataFusion factors out into a
    // projection) is still aggregated on the shards.
    let sql = "SELECT doc->>'room_type' AS room_type, count(*) AS n, min((doc->>'price')::float8) AS lo, \
               max((doc->>'price')::float8) AS hi, round(avg((doc->>'price')::float8) * 100) / 100 AS mean \
               FROM listings GROUP BY doc->>'room_type' ORDER BY room_type";
    let plan = explain(&engine, sql).await;
    assert!(
        plan.contains("GROUP BY 1") && !plan.contains("SELECT \"doc\""),
        "{plan}"
    );
    assert_eq!(
        node_rows(&engine, sql).await.unwrap(),
        pg_rows(&pg, sql).await.unwrap()
    );

    // A plain LIMIT is pushed too.
    let plan = explain(&engine, "SELECT id FROM listings LIMIT 3").await;
    assert!(plan.contains("LIMIT 3"), "{plan}");
}

#[tokio::test]
async fn relational_and_external_tables_join_with_documents() {
    let shards = start_servers(2).await;
    let engine = engine_for(&shards).await;
    load(&engine, "listings", &sample_docs(200)).await;
    // A reference table present on every shard.
    for s in &shards {
        s.psql(
            "CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL, population bigint, area numeric(12,1));
             INSERT INTO countries VALUES ('PT', 'Portugal', 10300000, 92212.0), ('JP', 'Japan', 125700000, 377975.0),
                                          ('FR', 'France', 68000000, 643801.0), ('XX', 'Nowhere', NULL, NULL);",
        );
    }
    engine.catalog().refresh().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let session = engine.session();
    for (format, file) in [
        ("PARQUET", "hosts.parquet"),
        ("CSV", "hosts.csv"),
        ("JSON", "hosts.json"),
        ("ARROW", "hosts.arrow"),
    ] {
        let copy = format!(
            "COPY (SELECT column1 AS city, column2 AS tier FROM (VALUES ('Lisboa', 'gold'), ('Porto', 'silver'), ('Paris', 'gold'))) TO '{}' STORED AS {format}",
            path(file)
        );
        engine
            .execute(&session, &copy, &[])
            .await
            .unwrap_or_else(|e| panic!("{copy}: {e:?}"));
        let create = format!(
            "CREATE EXTERNAL TABLE tiers_{} STORED AS {format} LOCATION '{}'{}",
            format.to_lowercase(),
            path(file),
            if format == "CSV" {
                " OPTIONS ('format.has_header' 'true')"
            } else {
                ""
            }
        );
        engine
            .execute(&session, &create, &[])
            .await
            .unwrap_or_else(|e| panic!("{create}: {e:?}"));
    }

    // Documents ⋈ relational table, counted independently from the documents themselves.
    let joined = engine
        .execute(
            &session,
            "SELECT c.name, count(*) FROM listings l JOIN countries c ON c.code = l.doc->'address'->>'country_code' GROUP BY c.name ORDER BY c.name",
            &[],
        )
        .await
        .unwrap();
    let joined = docfusiondb::render::batches_to_pg_text(&joined.batches);
    let by_code = node_rows(
        &engine,
        "SELECT doc->'address'->>'country_code', count(*) FROM listings WHERE doc->'address'->>'country_code' IN ('PT', 'JP', 'FR') GROUP BY 1 ORDER BY 1",
    )
    .await
    .unwrap();
    let expected: Rows = {
        let mut rows: Vec<Vec<Option<String>>> = by_code
            .iter()
            .map(|r| {
                let name = match r[0].as_deref() {
                    Some("PT") => "Portugal",
                    Some("JP") => "Japan",
                    Some("FR") => "France",
                    other => panic!("unexpected {other:?}"),
                };
                vec![Some(name.to_string()), r[1].clone()]
            })
            .collect();
        rows.sort();
        rows
    };
    assert!(!expected.is_empty());
    assert_eq!(joined, expected);

    // numeric(12,1) keeps its scale; NULLs stay NULL.
    let rows = node_rows(
        &engine,
        "SELECT code, area, population FROM countries ORDER BY code",
    )
    .await
    .unwrap();
    assert_eq!(
        rows[0],
        vec![
            Some("FR".into()),
            Some("643801.0".into()),
            Some("68000000".into())
        ]
    );
    assert_eq!(rows[3], vec![Some("XX".into()), None, None]);

    // Every external format joins with documents and with each other in one query.
    for format in ["parquet", "csv", "json", "arrow"] {
        let sql = format!(
            "SELECT t.tier, count(*) FROM listings l JOIN tiers_{format} t ON t.city = l.doc->'address'->>'city' \
             JOIN countries c ON c.code = l.doc->'address'->>'country_code' GROUP BY t.tier ORDER BY t.tier"
        );
        let got = engine
            .execute(&session, &sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        let got = docfusiondb::render::batches_to_pg_text(&got.batches);
        let gold = node_rows(
            &engine,
            "SELECT count(*) FROM listings WHERE doc->'address'->>'city' IN ('Lisboa', 'Paris')",
        )
        .await
        .unwrap();
        let silver = node_rows(
            &engine,
            "SELECT count(*) FROM listings WHERE doc->'address'->>'city' = 'Porto'",
        )
        .await
        .unwrap();
        let mut expected = Vec::new();
        if gold[0][0].as_deref() != Some("0") {
            expected.push(vec![Some("gold".to_string()), gold[0][0].clone()]);
        }
        if silver[0][0].as_deref() != Some("0") {
            expected.push(vec![Some("silver".to_string()), silver[0][0].clone()]);
        }
        assert!(
            !expected.is_empty(),
            "sample has listings in Lisboa/Paris/Porto"
        );
        assert_eq!(got, expected, "{format}");
    }
}

#[tokio::test]
async fn user_errors_carry_sqlstates_and_name_the_culprit() {
    let shards = start_servers(2).await;
    let engine = engine_for(&shards).await;
    load(&engine, "listings", &sample_docs(20)).await;
    let cases: &[(&str, &str, &str)] = &[
        ("SELECT * FROM nosuch", "42P01", "nosuch"),
        ("SELECT nosuch FROM listings", "42703", "nosuch"),
        (
            "SELECT '{\"a\": }'::jsonb",
            "22P02",
            "invalid input syntax for type json",
        ),
        (
            "SELECT doc->>'name' FROM listings WHERE (doc->>'name')::int > 3",
            "22P02",
            "",
        ),
        (
            "SELECT 1::jsonb",
            "42846",
            "cannot cast type bigint to jsonb",
        ),
        (
            "SELECT (doc->'name')::int FROM listings",
            "22023",
            "cannot cast jsonb string to type integer",
        ),
        (
            "SELECT id->'a' FROM listings",
            "42883",
            "operator does not exist: text -> text",
        ),
        ("SELEC 1", "42601", ""),
        (
            "SELECT jsonb_array_length(doc) FROM listings",
            "22023",
            "cannot get array length of a non-array",
        ),
        (
            "CREATE TABLE _docfusion_t (id text primary key, doc jsonb)",
            "42501",
            "_docfusion_t",
        ),
        ("INSERT INTO nowhere VALUES ('x', '{}')", "42P01", "nowhere"),
        (
            "INSERT INTO listings VALUES ('x', '[1]')",
            "22023",
            "JSON object",
        ),
    ];
    for (sql, code, fragment) in cases {
        let err = engine.query(sql).await.expect_err(sql);
        assert_eq!(&err.code, code, "{sql}: {err:?}");
        assert!(
            err.message.contains(fragment),
            "{sql}: {:?} should mention {fragment:?}",
            err.message
        );
    }
    // Nothing changed: the collection still answers with its 20 documents.
    let rows = node_rows(&engine, "SELECT count(*) FROM listings")
        .await
        .unwrap();
    assert_eq!(rows, vec![vec![Some("20".to_string())]]);
}

#[tokio::test]
async fn a_shard_that_is_down_fails_the_statement_naming_it() {
    let mut shards = start_servers(2).await;
    let engine = engine_for(&shards).await;
    load(&engine, "listings", &sample_docs(50)).await;
    engine.shards().close();
    let engine = engine_for(&shards).await; // fresh pools, then the second shard goes away
    let down = shards.pop().unwrap();
    tokio::task::spawn_blocking(move || drop(down))
        .await
        .unwrap();
    let outcome = tokio::time::timeout(
        Duration::from_secs(120),
        engine.query("SELECT count(*) FROM listings"),
    )
    .await;
    let err = outcome
        .expect("a statement on a dead shard must end, not hang")
        .expect_err("shard-1 is down");
    assert!(err.code.starts_with("08"), "{err:?}");
    assert!(err.message.contains("shard-1"), "{err:?}");
    // The shard that is up still answers statements that only need it.
    let owner_of = |id: &str| engine.shards().map().shard_for(id);
    let id = (1..200)
        .map(|i| format!("lst-{i:06}"))
        .find(|id| owner_of(id) == 0)
        .unwrap();
    let rows = node_rows(
        &engine,
        &format!("SELECT id FROM listings WHERE id = '{id}'"),
    )
    .await
    .unwrap();
    assert_eq!(rows, vec![vec![Some(id)]]);
}
