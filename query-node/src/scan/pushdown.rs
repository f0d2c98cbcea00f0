//! Translation of DataFusion expressions into Postgres SQL for the shards. A translation is
//! only produced where Postgres computes exactly what DataFusion would (same operators, same
//! NULL handling, text compared in the "C" collation), so a pushed filter is exact.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::DFSchema;
use datafusion::logical_expr::expr::{InList, Like};
use datafusion::logical_expr::{Between, BinaryExpr, Cast, Expr, ExprSchemable, Operator};
use datafusion::scalar::ScalarValue;

use crate::json::names;

/// Translates expressions over one table's columns.
pub struct PgTranslator<'a> {
    schema: &'a DFSchema,
    /// Computed columns the scan offers (name → SQL), e.g. pushed-down JSON paths.
    computed: &'a [(String, String)],
}

/// Quotes an identifier for Postgres.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal for Postgres (standard_conforming_strings is on in every
/// supported version).
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

impl<'a> PgTranslator<'a> {
    /// A translator for expressions over `schema`.
    pub fn new(schema: &'a DFSchema, computed: &'a [(String, String)]) -> Self {
        Self { schema, computed }
    }

    fn is_text(&self, e: &Expr) -> bool {
        matches!(
            e.get_type(self.schema),
            Ok(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
        )
    }

    /// The SQL for `expr`, or `None` when it cannot be computed identically by Postgres.
    pub fn translate(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Column(c) => {
                if let Some((_, sql)) = self.computed.iter().find(|(n, _)| n == &c.name) {
                    return Some(format!("({sql})"));
                }
                self.schema
                    .field_with_unqualified_name(&c.name)
                    .ok()
                    .map(|_| quote_ident(&c.name))
            }
            Expr::Literal(value, metadata) => {
                let sql = literal_sql(value)?;
                // A jsonb literal (e.g. a folded '…'::jsonb) is sent as jsonb.
                let tag = metadata
                    .as_ref()
                    .and_then(|m| m.inner().get(crate::pgtype::PG_TYPE_KEY).cloned());
                match (tag.as_deref(), value) {
                    (Some(t @ ("jsonb" | "json")), ScalarValue::Utf8(Some(s))) => {
                        Some(format!("{}::{t}", quote_literal(s)))
                    }
                    _ => Some(sql),
                }
            }
            Expr::Alias(a) => self.translate(&a.expr),
            Expr::Negative(e) => match e.as_ref() {
                Expr::Literal(..) => Some(format!("(- {})", self.translate(e)?)),
                _ => None,
            },
            Expr::BinaryExpr(BinaryExpr { left, op, right }) => self.binary(left, *op, right),
            Expr::Not(e) => Some(format!("(NOT {})", self.translate(e)?)),
            Expr::IsNull(e) => Some(format!("({} IS NULL)", self.translate(e)?)),
            Expr::IsNotNull(e) => Some(format!("({} IS NOT NULL)", self.translate(e)?)),
            Expr::IsTrue(e) => Some(format!("({} IS TRUE)", self.translate(e)?)),
            Expr::IsFalse(e) => Some(format!("({} IS FALSE)", self.translate(e)?)),
            Expr::IsNotTrue(e) => Some(format!("({} IS NOT TRUE)", self.translate(e)?)),
            Expr::IsNotFalse(e) => Some(format!("({} IS NOT FALSE)", self.translate(e)?)),
            Expr::Between(Between {
                expr,
                negated,
                low,
                high,
            }) => {
                let collate = if self.is_text(expr) {
                    " COLLATE \"C\""
                } else {
                    ""
                };
                Some(format!(
                    "({}{collate} {}BETWEEN {} AND {})",
                    self.translate(expr)?,
                    if *negated { "NOT " } else { "" },
                    self.translate(low)?,
                    self.translate(high)?
                ))
            }
            Expr::InList(InList {
                expr,
                list,
                negated,
            }) => {
                let items: Option<Vec<String>> = list.iter().map(|e| self.translate(e)).collect();
                Some(format!(
                    "({} {}IN ({}))",
                    self.translate(expr)?,
                    if *negated { "NOT " } else { "" },
                    items?.join(", ")
                ))
            }
            Expr::Like(Like {
                negated,
                expr,
                pattern,
                escape_char,
                case_insensitive: false,
            }) => {
                // Postgres' default LIKE escape is the backslash, as in DataFusion.
                let escape = match escape_char {
                    Some(c) => format!(" ESCAPE {}", quote_literal(&c.to_string())),
                    None => String::new(),
                };
                Some(format!(
                    "({} {}LIKE {}{escape})",
                    self.translate(expr)?,
                    if *negated { "NOT " } else { "" },
                    self.translate(pattern)?
                ))
            }
            Expr::Cast(Cast { expr, field }) => {
                let target = pg_cast_type(field.data_type())?;
                let inner = self.translate(expr)?;
                // Casting jsonb to text is the identity on our canonical text.
                Some(format!("({inner})::{target}"))
            }
            Expr::ScalarFunction(f) => self.function(f.name(), &f.args),
            _ => None,
        }
    }

    fn binary(&self, left: &Expr, op: Operator, right: &Expr) -> Option<String> {
        let sql_op = match op {
            Operator::Eq => "=",
            Operator::NotEq => "<>",
            Operator::Lt => "<",
            Operator::LtEq => "<=",
            Operator::Gt => ">",
            Operator::GtEq => ">=",
            Operator::And => "AND",
            Operator::Or => "OR",
            Operator::IsDistinctFrom => "IS DISTINCT FROM",
            Operator::IsNotDistinctFrom => "IS NOT DISTINCT FROM",
            _ => return None,
        };
        let l = self.translate(left)?;
        let r = self.translate(right)?;
        let ordering = matches!(
            op,
            Operator::Lt | Operator::LtEq | Operator::Gt | Operator::GtEq
        );
        if ordering && (self.is_text(left) || self.is_text(right)) {
            return Some(format!("({l} COLLATE \"C\" {sql_op} {r})"));
        }
        Some(format!("({l} {sql_op} {r})"))
    }

    fn function(&self, name: &str, args: &[Expr]) -> Option<String> {
        let arg = |i: usize| args.get(i).and_then(|a| self.translate(a));
        let binary = |op: &str| Some(format!("({} {op} {})", arg(0)?, arg(1)?));
        match name {
            names::FIELD => binary("->"),
            names::FIELD_TEXT => binary("->>"),
            names::CONTAINS => Some(format!("({} @> {}::jsonb)", arg(0)?, arg(1)?)),
            names::CONTAINED => Some(format!("({} <@ {}::jsonb)", arg(0)?, arg(1)?)),
            names::EXISTS => binary("?"),
            names::EXISTS_ANY | names::EXISTS_ALL => {
                let op = if name == names::EXISTS_ANY {
                    "?|"
                } else {
                    "?&"
                };
                Some(format!(
                    "({} {op} {})",
                    arg(0)?,
                    self.text_array(&args[1..])?
                ))
            }
            names::EXTRACT_PATH | names::EXTRACT_PATH_TEXT => {
                let op = if name == names::EXTRACT_PATH {
                    "#>"
                } else {
                    "#>>"
                };
                Some(format!(
                    "({} {op} {})",
                    arg(0)?,
                    self.text_array(&args[1..])?
                ))
            }
            names::COMPARE => match args.get(2) {
                Some(Expr::Literal(ScalarValue::Utf8(Some(op)), _))
                    if matches!(op.as_str(), "=" | "<>" | "<" | "<=" | ">" | ">=") =>
                {
                    Some(format!("(({})::jsonb {op} ({})::jsonb)", arg(0)?, arg(1)?))
                }
                _ => None,
            },
            names::JSONB_OUT => Some(format!("({})::text", arg(0)?)),
            "jsonb_typeof" | "jsonb_array_length" | "jsonb_strip_nulls" => {
                Some(format!("{name}({})", arg(0)?))
            }
            _ => None,
        }
    }

    /// A `text[]` from either one list-valued argument or several text arguments.
    fn text_array(&self, args: &[Expr]) -> Option<String> {
        if let [Expr::Literal(ScalarValue::List(list), _)] = args {
            let values = list.value(0);
            let strings = values
                .as_any()
                .downcast_ref::<datafusion::arrow::array::StringArray>()?;
            use datafusion::arrow::array::Array;
            let items: Option<Vec<String>> = (0..strings.len())
                .map(|i| (!strings.is_null(i)).then(|| quote_literal(strings.value(i))))
                .collect();
            return Some(format!("ARRAY[{}]::text[]", items?.join(", ")));
        }
        let items: Option<Vec<String>> = args
            .iter()
            .map(|a| match a {
                Expr::Literal(ScalarValue::Utf8(Some(s)), _) => Some(quote_literal(s)),
                _ => None,
            })
            .collect();
        Some(format!("ARRAY[{}]::text[]", items?.join(", ")))
    }
}

fn literal_sql(value: &ScalarValue) -> Option<String> {
    if value.is_null() {
        return Some("NULL".to_string());
    }
    Some(match value {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => {
            format!("{}::text", quote_literal(s))
        }
        ScalarValue::Boolean(Some(b)) => b.to_string(),
        // Bare integers: Postgres types them as the smallest of int4/int8/numeric that
        // holds them, which every integer operator (including jsonb -> int) accepts.
        ScalarValue::Int8(Some(v)) => paren_negative(v.to_string()),
        ScalarValue::Int16(Some(v)) => paren_negative(v.to_string()),
        ScalarValue::Int32(Some(v)) => paren_negative(v.to_string()),
        ScalarValue::Int64(Some(v)) => paren_negative(v.to_string()),
        ScalarValue::UInt8(Some(v)) => v.to_string(),
        ScalarValue::UInt16(Some(v)) => v.to_string(),
        ScalarValue::UInt32(Some(v)) => v.to_string(),
        ScalarValue::Float64(Some(v)) if v.is_finite() => format!("'{v:?}'::float8"),
        ScalarValue::Float32(Some(v)) if v.is_finite() => format!("'{v:?}'::float4"),
        ScalarValue::Decimal128(Some(_), _, _) => format!("{value}::numeric"),
        _ => return None,
    })
}

fn paren_negative(text: String) -> String {
    if text.starts_with('-') {
        format!("({text})")
    } else {
        text
    }
}

/// The Postgres type for a cast target whose conversion semantics match.
fn pg_cast_type(dt: &DataType) -> Option<&'static str> {
    Some(match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "text",
        DataType::Int16 => "int2",
        DataType::Int32 => "int4",
        DataType::Int64 => "int8",
        DataType::Float32 => "float4",
        DataType::Float64 => "float8",
        DataType::Boolean => "bool",
        _ => return None,
    })
}

/// If the conjunction `filters` pins column `id` to constants (`id = 'a'`,
/// `id IN ('a', 'b')`), the ids; `None` when any id is possible.
pub fn pinned_ids(filters: &[Expr]) -> Option<Vec<String>> {
    let mut result: Option<Vec<String>> = None;
    for f in filters {
        let ids = conjunct_ids(f);
        if let Some(ids) = ids {
            result = Some(match result {
                None => ids,
                // Two pins: only ids allowed by both.
                Some(prev) => prev.into_iter().filter(|i| ids.contains(i)).collect(),
            });
        }
    }
    result
}

fn conjunct_ids(e: &Expr) -> Option<Vec<String>> {
    match e {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::And,
            right,
        }) => match (conjunct_ids(left), conjunct_ids(right)) {
            (Some(a), Some(b)) => Some(a.into_iter().filter(|i| b.contains(i)).collect()),
            (Some(a), None) | (None, Some(a)) => Some(a),
            (None, None) => None,
        },
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Eq,
            right,
        }) => match (left.as_ref(), right.as_ref()) {
            (Expr::Column(c), lit) | (lit, Expr::Column(c)) if c.name == "id" => {
                string_literal(lit).map(|s| vec![s])
            }
            _ => None,
        },
        Expr::InList(InList {
            expr,
            list,
            negated: false,
        }) => match expr.as_ref() {
            Expr::Column(c) if c.name == "id" => list.iter().map(string_literal).collect(),
            _ => None,
        },
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Or,
            right,
        }) => {
            let mut a = conjunct_ids(left)?;
            a.extend(conjunct_ids(right)?);
            Some(a)
        }
        _ => None,
    }
}

fn string_literal(e: &Expr) -> Option<String> {
    match e {
        Expr::Literal(ScalarValue::Utf8(Some(s)), _)
        | Expr::Literal(ScalarValue::Utf8View(Some(s)), _)
        | Expr::Literal(ScalarValue::LargeUtf8(Some(s)), _) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::logical_expr::{col, lit};

    fn schema() -> DFSchema {
        DFSchema::try_from(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("n", DataType::Int64, true),
        ]))
        .unwrap()
    }

    #[test]
    fn comparisons_on_text_use_the_c_collation() {
        let s = schema();
        let t = PgTranslator::new(&s, &[]);
        assert_eq!(
            t.translate(&col("id").gt(lit("b"))).unwrap(),
            "(\"id\" COLLATE \"C\" > 'b'::text)"
        );
        assert_eq!(t.translate(&col("n").eq(lit(3i64))).unwrap(), "(\"n\" = 3)");
        assert_eq!(
            t.translate(&col("id").eq(lit("it's"))).unwrap(),
            "(\"id\" = 'it''s'::text)"
        );
    }

    #[test]
    fn untranslatable_expressions_are_refused() {
        let s = schema();
        let t = PgTranslator::new(&s, &[]);
        assert!(t.translate(&(col("n") + lit(1i64)).gt(lit(2i64))).is_none());
        assert!(t.translate(&col("missing").eq(lit(1i64))).is_none());
    }

    #[test]
    fn id_pins_are_found_in_conjunctions() {
        assert_eq!(
            pinned_ids(&[col("id").eq(lit("a"))]),
            Some(vec!["a".to_string()])
        );
        assert_eq!(
            pinned_ids(&[col("id").in_list(vec![lit("a"), lit("b")], false)]),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            pinned_ids(&[col("id").eq(lit("a")).or(col("id").eq(lit("c")))]),
            Some(vec!["a".to_string(), "c".to_string()])
        );
        assert_eq!(
            pinned_ids(&[col("id").eq(lit("a")).or(col("n").eq(lit(1i64)))]),
            None
        );
        assert_eq!(pinned_ids(&[col("n").eq(lit(1i64))]), None);
        assert_eq!(
            pinned_ids(&[col("id").eq(lit("a")), col("id").eq(lit("b"))]),
            Some(vec![])
        );
    }
}
