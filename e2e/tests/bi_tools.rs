//! The statements that Grafana, Metabase and DBeaver send when they connect to a Postgres
//! data source and list its tables and columns, replayed against a node and against a
//! plain PostgreSQL 15 holding a table of the same shape: each must succeed on the node
//! with the same result columns, and what they say about the user's tables (names,
//! columns, types) must be what PostgreSQL says.
//!
//! Metabase and DBeaver also read metadata through pgjdbc's `DatabaseMetaData`, which the
//! Java client scenario exercises (e2e/clients/java).

mod harness;

use docfusion_test_support::TestPostgres;
use harness::PgHarness;
use tokio_postgres::{Client, SimpleQueryMessage, SimpleQueryRow};

/// A row as column name → text value.
type Row = Vec<(String, Option<String>)>;

/// What is compared between the node and PostgreSQL, beyond "both succeed with the same
/// column names".
#[derive(Clone, Copy)]
enum Check {
    /// Nothing more (the answer depends on the server: versions, oids, settings).
    Runs,
    /// Every row, every column.
    Same,
    /// The given columns of the rows whose `key` column has the value `value`.
    Rows {
        key: &'static str,
        value: &'static str,
        columns: &'static [&'static str],
    },
}

struct Step {
    sql: &'static str,
    check: Check,
}

const fn runs(sql: &'static str) -> Step {
    Step {
        sql,
        check: Check::Runs,
    }
}

const fn same(sql: &'static str) -> Step {
    Step {
        sql,
        check: Check::Same,
    }
}

const fn rows(
    sql: &'static str,
    key: &'static str,
    value: &'static str,
    columns: &'static [&'static str],
) -> Step {
    Step {
        sql,
        check: Check::Rows {
            key,
            value,
            columns,
        },
    }
}

/// The schema constraint Grafana puts in its table and column lists: the schemas of the
/// session's `search_path`, with `"$user"` standing for the user.
macro_rules! grafana_search_path_schemas {
    () => {
        "quote_ident(table_schema) IN (SELECT CASE WHEN trim(s[i]) = '\"$user\"' THEN user ELSE trim(s[i]) END \
         FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), \
         array_upper(string_to_array(current_setting('search_path'),','),1)) as i, \
         string_to_array(current_setting('search_path'),',') s)"
    };
}

/// Grafana's PostgreSQL data source: the health check, version and TimescaleDB detection
/// when the data source is saved, then the query builder's schema, table and column lists.
const GRAFANA: &[Step] = &[
    same("SELECT 1"),
    same("SELECT current_setting('server_version_num')::int/100 as version"),
    same("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"),
    same(
        "SELECT schema_name AS \"name\" FROM information_schema.schemata \
         WHERE schema_name NOT IN ('information_schema', 'pg_catalog', 'pg_toast', '_timescaledb_cache', \
         '_timescaledb_catalog', '_timescaledb_internal', '_timescaledb_config', 'timescaledb_information', \
         'timescaledb_experimental') ORDER BY schema_name",
    ),
    same(concat!(
        "SELECT CASE WHEN ",
        grafana_search_path_schemas!(),
        " THEN quote_ident(table_name) ELSE quote_ident(table_schema) || '.' || quote_ident(table_name) END AS \"table\" \
         FROM information_schema.tables \
         WHERE quote_ident(table_schema) NOT IN ('information_schema', 'pg_catalog', '_timescaledb_cache', \
         '_timescaledb_catalog', '_timescaledb_internal', '_timescaledb_config', 'timescaledb_information', \
         'timescaledb_experimental') \
         ORDER BY CASE WHEN ",
        grafana_search_path_schemas!(),
        " THEN 0 ELSE 1 END, 1"
    )),
    same(
        "SELECT quote_ident(table_name) AS \"table\" FROM information_schema.tables \
         WHERE quote_ident(table_schema) = 'public' ORDER BY 1",
    ),
    same(concat!(
        "SELECT quote_ident(column_name) AS \"column\", data_type AS \"type\" FROM information_schema.columns \
         WHERE CASE WHEN array_length(parse_ident('scenario'),1) = 2 \
         THEN quote_ident(table_schema) = (parse_ident('scenario'))[1] AND quote_ident(table_name) = (parse_ident('scenario'))[2] \
         ELSE quote_ident(table_name) = 'scenario' AND ",
        grafana_search_path_schemas!(),
        " END"
    )),
    same("SELECT doc->>'city' AS metric, count(*) AS value FROM scenario GROUP BY 1 ORDER BY 1"),
];

/// Metabase's own statements when it connects and syncs a database (its JDBC metadata
/// calls are pgjdbc's), and the sample it reads of a JSON column.
const METABASE: &[Step] = &[
    runs("SET extra_float_digits = 2"),
    runs("SET application_name = 'Metabase v0.55.1 [6f1c2a04-sync]'"),
    runs("SHOW TRANSACTION ISOLATION LEVEL"),
    runs("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"),
    rows(
        "SELECT nspname AS \"TABLE_SCHEM\", current_database() AS \"TABLE_CATALOG\" FROM pg_catalog.pg_namespace \
         WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_' OR nspname = (pg_catalog.current_schemas(true))[1]) \
         AND (nspname !~ '^pg_toast_temp_' OR nspname = replace((pg_catalog.current_schemas(true))[1], 'pg_temp_', 'pg_toast_temp_')) \
         ORDER BY \"TABLE_SCHEM\"",
        "TABLE_SCHEM",
        "public",
        &["TABLE_SCHEM"],
    ),
    rows(
        "with table_privileges as (select NULL as role, t.schemaname as schema, t.objectname as table, \
         pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"', 'update') as update, \
         pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"', 'select') as select, \
         pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"', 'insert') as insert, \
         pg_catalog.has_table_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"', 'delete') as delete \
         from (select schemaname, tablename as objectname from pg_catalog.pg_tables \
         union select schemaname, viewname as objectname from pg_catalog.pg_views \
         union select schemaname, matviewname as objectname from pg_catalog.pg_matviews) t \
         where t.schemaname !~ '^pg_' and t.schemaname <> 'information_schema' \
         and pg_catalog.has_schema_privilege(current_user, t.schemaname, 'usage')) \
         select t.* from table_privileges t",
        "table",
        "scenario",
        &["schema", "table", "select"],
    ),
    rows(
        "SELECT \"n\".\"nspname\" AS \"schema\", \"c\".\"relname\" AS \"name\", CASE \"c\".\"relkind\" WHEN 'r' THEN 'TABLE' \
         WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' \
         ELSE NULL END AS \"type\", \"d\".\"description\" AS \"description\", \"stat\".\"n_live_tup\" AS \"estimated_row_count\" \
         FROM \"pg_catalog\".\"pg_class\" AS \"c\" INNER JOIN \"pg_catalog\".\"pg_namespace\" AS \"n\" ON \"c\".\"relnamespace\" = \"n\".\"oid\" \
         LEFT JOIN \"pg_catalog\".\"pg_description\" AS \"d\" ON (\"c\".\"oid\" = \"d\".\"objoid\") AND (\"d\".\"objsubid\" = '0') \
         AND (\"d\".\"classoid\" = 'pg_class'::regclass) \
         LEFT JOIN \"pg_stat_user_tables\" AS \"stat\" ON (\"n\".\"nspname\" = \"stat\".\"schemaname\") AND (\"c\".\"relname\" = \"stat\".\"relname\") \
         WHERE (\"c\".\"relnamespace\" = \"n\".\"oid\") AND (\"n\".\"nspname\" !~ '^pg_') AND (\"n\".\"nspname\" <> 'information_schema') \
         AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND (\"n\".\"nspname\" IN ('public')) \
         ORDER BY \"type\" ASC, \"schema\" ASC, \"name\" ASC",
        "name",
        "scenario",
        &["schema", "name", "type", "description"],
    ),
    runs("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED"),
    runs("show timezone"),
    same(
        "SELECT \"public\".\"scenario\".\"doc\" AS \"doc\" FROM \"public\".\"scenario\" ORDER BY \"public\".\"scenario\".\"id\" LIMIT 10000",
    ),
    same("SELECT count(*) AS \"count\" FROM \"public\".\"scenario\""),
];

/// DBeaver's PostgreSQL driver: session set-up and server detection when it connects, then
/// what it reads when the navigator opens the `public` schema and a table in it.
const DBEAVER: &[Step] = &[
    runs("SET extra_float_digits = 3"),
    runs("SET application_name = 'DBeaver 25.1.5 - Main <docfusion>'"),
    rows(
        "SELECT current_schema(),session_user",
        "current_schema",
        "public",
        &["current_schema"],
    ),
    rows(
        "SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n \
         LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass \
         ORDER BY nspname",
        "nspname",
        "public",
        &["nspname"],
    ),
    same(
        "SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t \
         JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = 1034",
    ),
    same(
        "SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid \
         FROM pg_catalog.pg_type LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r from pg_namespace as ns \
         join (select s.r, (current_schemas(false))[s.r] as nspname from generate_series(1, array_upper(current_schemas(false), 1)) as s(r)) as r \
         using (nspname)) as sp ON sp.nspoid = typnamespace WHERE pg_type.oid = 1034 ORDER BY sp.r, pg_type.oid DESC",
    ),
    same("SHOW search_path"),
    rows(
        "SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname=current_database()",
        "datname",
        "docfusion",
        &["datname", "datallowconn"],
    ),
    rows(
        "SELECT * FROM pg_catalog.pg_settings where name='standard_conforming_strings'",
        "name",
        "standard_conforming_strings",
        &["name", "setting"],
    ),
    runs(
        "SELECT string_agg(word, ',') from pg_catalog.pg_get_keywords() \
         where word <> ALL ('{a,abs,absolute,action,ada,add,admin,after,all,allocate,alter,always,and,any}'::text[])",
    ),
    runs("SELECT version()"),
    same("SELECT * FROM pg_catalog.pg_enum WHERE 1<>1 LIMIT 1"),
    same("SELECT reltype FROM pg_catalog.pg_class WHERE 1<>1 LIMIT 1"),
    rows(
        "SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name, d.description \
         FROM pg_catalog.pg_type t LEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem \
         LEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid \
         LEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid \
         WHERE t.typname IS NOT NULL AND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C')",
        "typname",
        "jsonb",
        &["oid", "typname", "typtype", "typcategory", "base_type_name"],
    ),
    rows(
        "SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr, \
         pg_catalog.pg_get_partkeydef(c.oid) as partition_key FROM pg_catalog.pg_class c \
         LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass \
         WHERE c.relnamespace=(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname='public') AND c.relkind not in ('i','I','c')",
        "relname",
        "scenario",
        &[
            "relname",
            "relkind",
            "description",
            "partition_expr",
            "partition_key",
        ],
    ),
    runs(
        "select c.oid,pg_catalog.pg_total_relation_size(c.oid) as total_rel_size,pg_catalog.pg_relation_size(c.oid) as rel_size \
         FROM pg_class c WHERE c.relnamespace=(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname='public')",
    ),
    rows(
        "SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description \
         FROM pg_catalog.pg_attribute a INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid) \
         LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum) \
         LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid) \
         WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.oid='scenario'::regclass AND a.attnum > 0 ORDER BY a.attnum",
        "relname",
        "scenario",
        &["attname", "atttypid", "attnum", "attnotnull"],
    ),
    runs(
        "SELECT i.*,i.indkey as keys,c.relname,c.relnamespace,c.relam,c.reltablespace,tc.relname as tabrelname,dsc.description, \
         pg_catalog.pg_get_expr(i.indpred, i.indrelid) as pred_expr,pg_catalog.pg_get_expr(i.indexprs, i.indrelid, true) as expr, \
         pg_catalog.pg_relation_size(i.indexrelid) as index_rel_size,pg_catalog.pg_stat_get_numscans(i.indexrelid) as index_num_scans \
         FROM pg_catalog.pg_index i INNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid \
         INNER JOIN pg_catalog.pg_class tc ON tc.oid=i.indrelid \
         LEFT OUTER JOIN pg_catalog.pg_description dsc ON i.indexrelid=dsc.objoid \
         WHERE i.indrelid='scenario'::regclass ORDER BY tabrelname, c.relname",
    ),
    runs(
        "SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description \
         FROM pg_catalog.pg_constraint c INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid \
         LEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid \
         LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_constraint'::regclass \
         WHERE c.conrelid='scenario'::regclass",
    ),
];

/// Column names and rows of a simple-protocol answer (the last statement's).
async fn answer(client: &Client, sql: &str) -> Result<(Vec<String>, Vec<Row>), String> {
    let messages = client
        .simple_query(sql)
        .await
        .map_err(|e| harness::message(&e))?;
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    for m in messages {
        match m {
            SimpleQueryMessage::RowDescription(desc) => {
                columns = desc.iter().map(|c| c.name().to_string()).collect();
                rows.clear();
            }
            SimpleQueryMessage::Row(row) => rows.push(named(&row)),
            _ => {}
        }
    }
    Ok((columns, rows))
}

fn named(row: &SimpleQueryRow) -> Row {
    row.columns()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name().to_string(), row.get(i).map(str::to_string)))
        .collect()
}

fn value<'a>(row: &'a Row, column: &str) -> Option<&'a str> {
    row.iter()
        .find(|(name, _)| name == column)
        .and_then(|(_, v)| v.as_deref())
}

/// The rows `check` compares, as text, sorted.
fn compared(check: Check, rows: &[Row]) -> Vec<Vec<Option<String>>> {
    let mut out: Vec<Vec<Option<String>>> = match check {
        Check::Runs => Vec::new(),
        Check::Same => rows
            .iter()
            .map(|r| r.iter().map(|(_, v)| v.clone()).collect())
            .collect(),
        Check::Rows {
            key,
            value: wanted,
            columns,
        } => rows
            .iter()
            .filter(|r| value(r, key) == Some(wanted))
            .map(|r| {
                columns
                    .iter()
                    .map(|c| value(r, c).map(str::to_string))
                    .collect()
            })
            .collect(),
    };
    out.sort();
    out
}

/// Runs `steps` on one connection to the node and one to PostgreSQL; returns what differs.
async fn replay(tool: &str, steps: &[Step], node: &Client, postgres: &Client) -> Vec<String> {
    let mut problems = Vec::new();
    for step in steps {
        let expected = match answer(postgres, step.sql).await {
            Ok(a) => a,
            Err(e) => panic!("{tool}: PostgreSQL itself refuses\n{}\n{e}", step.sql),
        };
        let got = match answer(node, step.sql).await {
            Ok(a) => a,
            Err(e) => {
                problems.push(format!("{tool}: fails: {e}\n  {}", step.sql));
                continue;
            }
        };
        if got.0 != expected.0 {
            problems.push(format!(
                "{tool}: columns {:?}, PostgreSQL {:?}\n  {}",
                got.0, expected.0, step.sql
            ));
            continue;
        }
        let (got_rows, expected_rows) = (
            compared(step.check, &got.1),
            compared(step.check, &expected.1),
        );
        if got_rows != expected_rows {
            problems.push(format!(
                "{tool}: rows {got_rows:?}, PostgreSQL {expected_rows:?}\n  {}",
                step.sql
            ));
        }
        if let Check::Rows { key, value, .. } = step.check
            && expected_rows.is_empty()
        {
            panic!(
                "{tool}: PostgreSQL has no row with {key} = {value}\n{}",
                step.sql
            );
        }
    }
    problems
}

/// A plain PostgreSQL with the collection's table, made by the node's own DDL.
async fn reference() -> (TestPostgres, Client) {
    let server = TestPostgres::start();
    let client = server.connect_to_database("postgres").await;
    client
        .batch_execute("CREATE DATABASE docfusion")
        .await
        .unwrap();
    let client = server.connect_to_database("docfusion").await;
    client
        .batch_execute(&docfusiondb::write::ddl::collection_ddl(
            "scenario",
            false,
            &[],
        ))
        .await
        .unwrap();
    for line in harness::SCENARIO_DOCS.lines() {
        let doc: serde_json::Value = serde_json::from_str(line).unwrap();
        client
            .execute(
                "INSERT INTO scenario (id, doc) VALUES ($1, $2::text::jsonb)",
                &[&doc["id"].as_str().unwrap(), &line],
            )
            .await
            .unwrap();
    }
    (server, client)
}

#[tokio::test]
async fn grafana_metabase_and_dbeaver_connect_and_list_tables_as_on_postgres() {
    let harness = PgHarness::start().await;
    let (_server, postgres) = reference().await;
    let mut problems = Vec::new();
    for (tool, steps) in [
        ("Grafana", GRAFANA),
        ("Metabase", METABASE),
        ("DBeaver", DBEAVER),
    ] {
        // A connection per tool, as each tool has its own.
        let node = harness.connect().await;
        problems.extend(replay(tool, steps, &node, &postgres).await);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn the_user_functions_name_the_authenticated_user() {
    let harness = PgHarness::start().await;
    let node = harness.connect().await;
    let (columns, rows) = answer(
        &node,
        "SELECT user, current_user, session_user, current_role, current_user = user AS same",
    )
    .await
    .unwrap();
    assert_eq!(
        columns,
        [
            "user",
            "current_user",
            "session_user",
            "current_role",
            "same"
        ]
    );
    let values: Vec<Option<&str>> = rows[0].iter().map(|(_, v)| v.as_deref()).collect();
    let user = Some(harness::USER);
    assert_eq!(values, [user, user, user, user, Some("t")]);
}
