//! Values sent to the shards: statement parameters travel as text (Postgres parses them
//! for the type it infers, exactly as for a client sending text parameters), and the
//! types the shards describe become the Arrow types a client sees.

use bytes::BytesMut;
use datafusion::arrow::datatypes::{Field, FieldRef};
use datafusion::scalar::ScalarValue;
use postgres_types::{Format, IsNull, ToSql, Type};

use crate::catalog::ColumnReader;
use crate::error::{SqlError, sqlstate};

/// A parameter in text format (`None` is SQL NULL), accepted for any type.
#[derive(Debug)]
pub struct TextParam<'a>(pub Option<&'a str>);

impl ToSql for TextParam<'_> {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            None => Ok(IsNull::Yes),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> Format {
        Format::Text
    }

    fn to_sql_checked(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.to_sql(ty, out)
    }
}

/// The Postgres text of a parameter value (`None` for NULL).
pub fn scalar_text(value: &ScalarValue) -> Result<Option<String>, SqlError> {
    if value.is_null() {
        return Ok(None);
    }
    let array = value
        .to_array()
        .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
    Ok(crate::render::pg_text(array.as_ref(), 0))
}

/// The text of every parameter value, as the shard's type for it (`fields`, as the shard
/// described them) reads it: a pgvector `vector` as `[1,2,3]`, not as array text.
pub fn params_text(
    params: &[ScalarValue],
    fields: &[FieldRef],
) -> Result<Vec<Option<String>>, SqlError> {
    params
        .iter()
        .enumerate()
        .map(|(i, value)| match fields.get(i) {
            Some(f) if crate::vector::is_vector(f) && !value.is_null() => {
                let array = value
                    .to_array()
                    .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
                Ok(crate::render::pg_text_of_field(f, array.as_ref(), 0))
            }
            _ => scalar_text(value),
        })
        .collect()
}

/// How a column of Postgres type `ty` is decoded, and whether the shard must send it as
/// text (`::text`) for that.
pub fn reader_for(ty: &Type) -> ColumnReader {
    ColumnReader::for_pg_type(ty.name(), ty.name())
}

/// The Arrow field a client sees for a value of Postgres type `ty`.
pub fn field_for(name: &str, ty: &Type) -> FieldRef {
    std::sync::Arc::new(reader_for(ty).field(name, true))
}

/// The Arrow field of parameter `$i` of Postgres type `ty`.
pub fn param_field(i: usize, ty: &Type) -> FieldRef {
    let field: Field = reader_for(ty).field(&format!("${i}"), true);
    std::sync::Arc::new(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_parameters_become_pgvector_text() {
        let list = ScalarValue::List(ScalarValue::new_list_nullable(
            &[
                ScalarValue::Float32(Some(1.5)),
                ScalarValue::Float32(Some(2.0)),
            ],
            &datafusion::arrow::datatypes::DataType::Float32,
        ));
        let vector = crate::vector::vector_field("$1", Some(2));
        let real_array = param_field(2, &Type::FLOAT4_ARRAY);
        let texts = params_text(&[list.clone(), list], &[vector, real_array]).unwrap();
        assert_eq!(texts, vec![Some("[1.5,2]".into()), Some("{1.5,2}".into())]);
    }

    #[test]
    fn parameters_become_postgres_text() {
        assert_eq!(
            scalar_text(&ScalarValue::Int32(Some(-5))).unwrap(),
            Some("-5".into())
        );
        assert_eq!(
            scalar_text(&ScalarValue::Boolean(Some(true))).unwrap(),
            Some("t".into())
        );
        assert_eq!(
            scalar_text(&ScalarValue::Utf8(Some("{\"a\": 1}".into()))).unwrap(),
            Some("{\"a\": 1}".into())
        );
        assert_eq!(scalar_text(&ScalarValue::Utf8(None)).unwrap(), None);
        assert_eq!(
            scalar_text(&ScalarValue::Float64(Some(0.1))).unwrap(),
            Some("0.1".into())
        );
    }

    #[test]
    fn jsonb_parameters_keep_their_tag() {
        let f = param_field(1, &Type::JSONB);
        assert!(crate::pgtype::is_jsonb(&f));
        assert_eq!(f.name(), "$1");
        let f = field_for("n", &Type::INT8);
        assert_eq!(
            f.data_type(),
            &datafusion::arrow::datatypes::DataType::Int64
        );
    }
}
