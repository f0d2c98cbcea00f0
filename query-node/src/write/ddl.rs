//! DDL through the node: what each statement becomes on the shards. A `CREATE TABLE` of the
//! collection shape (`id text primary key, doc jsonb`) becomes a collection (the canonical
//! columns, a document-is-an-object check, a version column, a GIN index); any other
//! `CREATE TABLE` becomes a reference table; `DROP TABLE`, `CREATE`/`DROP INDEX`,
//! `ALTER TABLE` and `TRUNCATE` are forwarded. Every shard runs the same statements in one
//! transaction across the shards (two-phase commit when there are several).

use datafusion::sql::sqlparser::ast;

use crate::error::{SqlError, sqlstate};
use crate::load::validate_collection_name;
use crate::scan::pushdown::quote_ident;
use crate::write::names::{normalize, table_name};

/// Name of the check constraint that keeps documents JSON objects.
pub const DOC_OBJECT_CHECK: &str = "doc_is_object";

/// The column holding a document's version (1 when inserted, +1 on every update): the ETag
/// of the document API.
pub const VERSION_COLUMN: &str = "version";

/// A DDL statement as the shards will run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DdlPlan {
    /// SQL run on every shard (in one transaction per shard).
    pub sql: String,
    /// The command tag the client gets.
    pub tag: &'static str,
}

/// The statements that create collection `name` (idempotent when `if_not_exists`), with
/// `extra` column definitions after the canonical ones.
pub fn collection_ddl(name: &str, if_not_exists: bool, extra: &[String]) -> String {
    let table = quote_ident(name);
    let index = quote_ident(&format!("{name}_doc_path_ops"));
    let ine = if if_not_exists { "IF NOT EXISTS " } else { "" };
    let mut columns = vec![
        "id text PRIMARY KEY".to_string(),
        format!(
            "doc jsonb NOT NULL CONSTRAINT {DOC_OBJECT_CHECK} CHECK (jsonb_typeof(doc) = 'object')"
        ),
        format!("{VERSION_COLUMN} bigint NOT NULL DEFAULT 1"),
    ];
    columns.extend(extra.iter().cloned());
    format!(
        "CREATE TABLE {ine}{table} ({});\nCREATE INDEX {ine}{index} ON {table} USING gin (doc jsonb_path_ops);",
        columns.join(", ")
    )
}

/// What a DDL statement becomes, or `None` when it is not DDL for the shards.
pub fn plan_ddl(statement: &ast::Statement) -> Result<Option<DdlPlan>, SqlError> {
    use ast::Statement as S;
    let plan = match statement {
        S::CreateTable(create) => plan_create_table(create)?,
        S::Drop {
            object_type: ast::ObjectType::Table,
            names,
            ..
        } => {
            for n in names {
                refuse_internal(&table_name(n)?)?;
            }
            DdlPlan {
                sql: statement.to_string(),
                tag: "DROP TABLE",
            }
        }
        S::Drop {
            object_type: ast::ObjectType::Index,
            ..
        } => DdlPlan {
            sql: statement.to_string(),
            tag: "DROP INDEX",
        },
        S::CreateIndex(index) => {
            if index.concurrently {
                return Err(SqlError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "CREATE INDEX CONCURRENTLY is not supported: the index is built on every shard in one transaction; omit CONCURRENTLY",
                ));
            }
            refuse_internal(&table_name(&index.table_name)?)?;
            DdlPlan {
                sql: statement.to_string(),
                tag: "CREATE INDEX",
            }
        }
        S::AlterTable(alter) => {
            refuse_internal(&table_name(&alter.name)?)?;
            DdlPlan {
                sql: statement.to_string(),
                tag: "ALTER TABLE",
            }
        }
        S::Truncate(t) => {
            for target in &t.table_names {
                refuse_internal(&table_name(&target.name)?)?;
            }
            DdlPlan {
                sql: statement.to_string(),
                tag: "TRUNCATE TABLE",
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(plan))
}

fn refuse_internal(name: &str) -> Result<(), SqlError> {
    if name.starts_with(crate::catalog::discovery::INTERNAL_PREFIX) {
        return Err(SqlError::new(
            "42501",
            format!("table \"{name}\" is reserved for DocFusionDB's own bookkeeping"),
        ));
    }
    Ok(())
}

/// True when a column's type is `text` (or a `varchar`, which the collection makes text).
fn is_text(t: &ast::DataType) -> bool {
    matches!(
        t,
        ast::DataType::Text | ast::DataType::Varchar(_) | ast::DataType::CharacterVarying(_)
    ) || matches!(t, ast::DataType::Custom(n, _) if n.to_string().eq_ignore_ascii_case("text"))
}

fn is_jsonb(t: &ast::DataType) -> bool {
    matches!(t, ast::DataType::JSONB)
        || matches!(t, ast::DataType::Custom(n, _) if n.to_string().eq_ignore_ascii_case("jsonb"))
}

fn has_primary_key(column: &ast::ColumnDef) -> bool {
    column
        .options
        .iter()
        .any(|o| matches!(o.option, ast::ColumnOption::PrimaryKey(_)))
}

fn plan_create_table(create: &ast::CreateTable) -> Result<DdlPlan, SqlError> {
    let name = table_name(&create.name)?;
    if create.query.is_some() {
        return Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!(
                "CREATE TABLE {name} AS … is not supported: create the table, then INSERT INTO {name} SELECT …"
            ),
        ));
    }
    if create.temporary {
        return Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "temporary tables are not supported: tables live on the shards",
        ));
    }
    refuse_internal(&name)?;
    let column = |wanted: &str| create.columns.iter().find(|c| normalize(&c.name) == wanted);
    let pk_in_constraints = create.constraints.iter().any(|c| match c {
        ast::TableConstraint::PrimaryKey(pk) => {
            pk.columns.len() == 1
                && pk.columns[0]
                    .column
                    .expr
                    .to_string()
                    .eq_ignore_ascii_case("id")
        }
        _ => false,
    });
    let is_collection = match (column("id"), column("doc")) {
        (Some(id), Some(doc)) => {
            is_text(&id.data_type)
                && (has_primary_key(id) || pk_in_constraints)
                && is_jsonb(&doc.data_type)
        }
        _ => false,
    };
    if !is_collection {
        return Ok(DdlPlan {
            sql: ast::Statement::CreateTable(create.clone()).to_string(),
            tag: "CREATE TABLE",
        });
    }
    validate_collection_name(&name)?;
    let extra: Vec<String> = create
        .columns
        .iter()
        .filter(|c| !matches!(normalize(&c.name).as_str(), "id" | "doc"))
        .filter(|c| normalize(&c.name) != VERSION_COLUMN)
        .map(|c| c.to_string())
        .chain(
            create
                .constraints
                .iter()
                .filter(|c| !matches!(c, ast::TableConstraint::PrimaryKey(_)))
                .map(|c| c.to_string()),
        )
        .collect();
    Ok(DdlPlan {
        sql: collection_ddl(&name, create.if_not_exists, &extra),
        tag: "CREATE TABLE",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(sql: &str) -> Result<Option<DdlPlan>, SqlError> {
        let statements = datafusion::sql::sqlparser::parser::Parser::parse_sql(
            &datafusion::sql::sqlparser::dialect::PostgreSqlDialect {},
            sql,
        )
        .unwrap();
        plan_ddl(&statements[0])
    }

    #[test]
    fn the_collection_shape_becomes_a_collection() {
        let p = plan("CREATE TABLE IF NOT EXISTS Orders (id text primary key, doc jsonb, placed timestamptz)")
            .unwrap()
            .unwrap();
        assert_eq!(p.tag, "CREATE TABLE");
        assert_eq!(
            p.sql,
            "CREATE TABLE IF NOT EXISTS \"orders\" (id text PRIMARY KEY, doc jsonb NOT NULL CONSTRAINT doc_is_object CHECK (jsonb_typeof(doc) = 'object'), version bigint NOT NULL DEFAULT 1, placed TIMESTAMPTZ);\nCREATE INDEX IF NOT EXISTS \"orders_doc_path_ops\" ON \"orders\" USING gin (doc jsonb_path_ops);"
        );
        let p = plan("CREATE TABLE c (id text, doc jsonb, PRIMARY KEY (id))")
            .unwrap()
            .unwrap();
        assert!(p.sql.contains("doc_is_object"), "{}", p.sql);
    }

    #[test]
    fn other_tables_are_reference_tables() {
        let p = plan("CREATE TABLE countries (code text primary key, name text not null)")
            .unwrap()
            .unwrap();
        assert_eq!(
            p.sql,
            "CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT NOT NULL)"
        );
        // id of another type: not a collection
        let p = plan("CREATE TABLE t (id int primary key, doc jsonb)")
            .unwrap()
            .unwrap();
        assert!(!p.sql.contains("doc_is_object"));
    }

    #[test]
    fn forwarded_and_refused_statements() {
        let p = plan("DROP TABLE IF EXISTS a, b").unwrap().unwrap();
        assert_eq!(
            (p.sql.as_str(), p.tag),
            ("DROP TABLE IF EXISTS a, b", "DROP TABLE")
        );
        let p = plan("CREATE INDEX ON c ((doc->>'city'))").unwrap().unwrap();
        assert_eq!(p.tag, "CREATE INDEX");
        assert_eq!(
            plan("CREATE INDEX CONCURRENTLY ON c ((doc->>'city'))")
                .unwrap_err()
                .code,
            "0A000"
        );
        assert_eq!(
            plan("DROP TABLE _docfusion_txn_decisions")
                .unwrap_err()
                .code,
            "42501"
        );
        assert_eq!(
            plan("CREATE TABLE t AS SELECT 1").unwrap_err().code,
            "0A000"
        );
        assert!(plan("SELECT 1").unwrap().is_none());
    }
}
