//! A scalar UDF evaluated row by row over borrowed values: the shape shared by every JSON
//! function, so each function is one plain Rust function over [`Arg`]s returning a [`Val`].
//! Arguments keep their Postgres type (jsonb and json are told apart from text by their
//! field tags), results are typed by [`OutKind`].

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BooleanBuilder, Float64Builder, Int32Builder,
    Int64Builder, ListBuilder, StringBuilder,
};
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Field, FieldRef, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use docfusion_pgvalue::PgError;

use crate::error::{SqlError, sqlstate};
use crate::pgtype::TaggedType;

/// One argument value of one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    /// SQL NULL.
    Null,
    /// jsonb (canonical text).
    Jsonb(&'a str),
    /// json (text as written).
    Json(&'a str),
    /// text.
    Text(&'a str),
    /// Any integer.
    Int(i64),
    /// real / double precision.
    Float(f64),
    /// numeric, as its text.
    Numeric(String),
    /// boolean.
    Bool(bool),
    /// text[] (from a list or from a Postgres array literal such as `'{a,b}'`).
    TextArray(Vec<Option<String>>),
    /// Anything else, as its text.
    Other(String),
}

impl Arg<'_> {
    /// True for SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Arg::Null)
    }
}

/// One result value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// SQL NULL.
    Null,
    /// text, or jsonb/json text when the function returns those.
    Text(String),
    /// boolean.
    Bool(bool),
    /// integer.
    Int(i64),
    /// double precision.
    Float(f64),
    /// A list of text (or jsonb text) values, for the set-returning functions.
    List(Vec<Option<String>>),
    /// Bytes.
    Bytes(Vec<u8>),
}

/// The SQL type a function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutKind {
    /// jsonb.
    Jsonb,
    /// json.
    Json,
    /// text.
    Text,
    /// uuid.
    Uuid,
    /// boolean.
    Bool,
    /// integer.
    Int32,
    /// bigint.
    Int64,
    /// double precision.
    Float64,
    /// jsonb[] (element list, unnested by the planner).
    JsonbList,
    /// text[].
    TextList,
    /// bytea.
    Bytes,
    /// The same type as the first argument (json in → json out, jsonb in → jsonb out).
    SameAsFirst,
}

/// The row function itself.
pub type EvalFn = fn(&[Arg<'_>]) -> Result<Val, PgError>;

/// A scalar UDF backed by an [`EvalFn`].
#[derive(Debug)]
pub struct RowFn {
    name: &'static str,
    signature: Signature,
    out: OutKind,
    min_args: usize,
    max_args: usize,
    /// When true, a NULL in any argument gives NULL without calling the function.
    strict: bool,
    eval: EvalFn,
}

impl PartialEq for RowFn {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for RowFn {}
impl std::hash::Hash for RowFn {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl RowFn {
    /// A strict, immutable function of `min..=max` arguments.
    pub fn new(
        name: &'static str,
        min_args: usize,
        max_args: usize,
        out: OutKind,
        eval: EvalFn,
    ) -> Self {
        Self {
            name,
            signature: Signature::user_defined(Volatility::Immutable),
            out,
            min_args,
            max_args,
            strict: true,
            eval,
        }
    }

    /// Makes the function see NULL arguments (e.g. `jsonb_build_object`).
    pub fn non_strict(mut self) -> Self {
        self.strict = false;
        self
    }

    fn out_kind(&self, arg_fields: &[FieldRef]) -> OutKind {
        match self.out {
            OutKind::SameAsFirst => {
                match arg_fields.first().and_then(|f| TaggedType::of_field(f)) {
                    Some(TaggedType::Json) => OutKind::Json,
                    _ => OutKind::Jsonb,
                }
            }
            other => other,
        }
    }
}

fn out_field(name: &str, kind: OutKind) -> FieldRef {
    let jsonb_item = || {
        Arc::new(
            Field::new("item", DataType::Utf8, true).with_metadata(TaggedType::Jsonb.metadata()),
        )
    };
    match kind {
        OutKind::Jsonb | OutKind::SameAsFirst => TaggedType::Jsonb.field(name),
        OutKind::Json => TaggedType::Json.field(name),
        OutKind::Text => Arc::new(Field::new(name, DataType::Utf8, true)),
        OutKind::Uuid => TaggedType::Uuid.field(name),
        OutKind::Bool => Arc::new(Field::new(name, DataType::Boolean, true)),
        OutKind::Int32 => Arc::new(Field::new(name, DataType::Int32, true)),
        OutKind::Int64 => Arc::new(Field::new(name, DataType::Int64, true)),
        OutKind::Float64 => Arc::new(Field::new(name, DataType::Float64, true)),
        OutKind::JsonbList => Arc::new(Field::new(name, DataType::List(jsonb_item()), true)),
        OutKind::TextList => Arc::new(Field::new(
            name,
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        )),
        OutKind::Bytes => Arc::new(Field::new(name, DataType::Binary, true)),
    }
}

/// Reads row `row` of `array` as an argument of SQL type given by `field`.
pub fn arg_at<'a>(array: &'a dyn Array, field: &Field, row: usize) -> Arg<'a> {
    if array.is_null(row) {
        return Arg::Null;
    }
    let tag = TaggedType::of_field(field);
    let text = |s: &'a str| match tag {
        Some(TaggedType::Jsonb) => Arg::Jsonb(s),
        Some(TaggedType::Json) => Arg::Json(s),
        Some(TaggedType::Uuid) | None => Arg::Text(s),
    };
    match array.data_type() {
        DataType::Null => Arg::Null,
        DataType::Utf8 => text(array.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => text(array.as_string::<i64>().value(row)),
        DataType::Utf8View => text(array.as_string_view().value(row)),
        DataType::Boolean => Arg::Bool(array.as_boolean().value(row)),
        DataType::Int8 => Arg::Int(array.as_primitive::<Int8Type>().value(row).into()),
        DataType::Int16 => Arg::Int(array.as_primitive::<Int16Type>().value(row).into()),
        DataType::Int32 => Arg::Int(array.as_primitive::<Int32Type>().value(row).into()),
        DataType::Int64 => Arg::Int(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => Arg::Int(array.as_primitive::<UInt8Type>().value(row).into()),
        DataType::UInt16 => Arg::Int(array.as_primitive::<UInt16Type>().value(row).into()),
        DataType::UInt32 => Arg::Int(array.as_primitive::<UInt32Type>().value(row).into()),
        DataType::UInt64 => match i64::try_from(array.as_primitive::<UInt64Type>().value(row)) {
            Ok(v) => Arg::Int(v),
            Err(_) => Arg::Numeric(array.as_primitive::<UInt64Type>().value(row).to_string()),
        },
        DataType::Float32 => Arg::Float(array.as_primitive::<Float32Type>().value(row).into()),
        DataType::Float64 => Arg::Float(array.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, _) => {
            let _ = array.as_primitive::<Decimal128Type>();
            Arg::Numeric(crate::render::pg_text(array, row).unwrap_or_default())
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let values = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            Arg::TextArray(
                (0..values.len())
                    .map(|i| crate::render::pg_text(values.as_ref(), i))
                    .collect(),
            )
        }
        _ => Arg::Other(crate::render::pg_text(array, row).unwrap_or_default()),
    }
}

enum OutBuilder {
    Text(StringBuilder),
    Bool(BooleanBuilder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float64(Float64Builder),
    List(ListBuilder<StringBuilder>),
    Bytes(BinaryBuilder),
}

impl OutBuilder {
    fn new(kind: OutKind, rows: usize) -> Self {
        match kind {
            OutKind::Jsonb
            | OutKind::Json
            | OutKind::Text
            | OutKind::Uuid
            | OutKind::SameAsFirst => {
                OutBuilder::Text(StringBuilder::with_capacity(rows, rows * 16))
            }
            OutKind::Bool => OutBuilder::Bool(BooleanBuilder::with_capacity(rows)),
            OutKind::Int32 => OutBuilder::Int32(Int32Builder::with_capacity(rows)),
            OutKind::Int64 => OutBuilder::Int64(Int64Builder::with_capacity(rows)),
            OutKind::Float64 => OutBuilder::Float64(Float64Builder::with_capacity(rows)),
            OutKind::JsonbList => {
                let item = Arc::new(
                    Field::new("item", DataType::Utf8, true)
                        .with_metadata(TaggedType::Jsonb.metadata()),
                );
                OutBuilder::List(ListBuilder::new(StringBuilder::new()).with_field(item))
            }
            OutKind::TextList => OutBuilder::List(ListBuilder::new(StringBuilder::new())),
            OutKind::Bytes => OutBuilder::Bytes(BinaryBuilder::with_capacity(rows, rows * 16)),
        }
    }

    fn push(&mut self, v: Val, name: &str) -> Result<(), SqlError> {
        let mismatch = || {
            SqlError::new(
                sqlstate::INTERNAL_ERROR,
                format!("function {name} produced a value of the wrong type"),
            )
        };
        match (self, v) {
            (OutBuilder::Text(b), Val::Null) => b.append_null(),
            (OutBuilder::Bool(b), Val::Null) => b.append_null(),
            (OutBuilder::Int32(b), Val::Null) => b.append_null(),
            (OutBuilder::Int64(b), Val::Null) => b.append_null(),
            (OutBuilder::Float64(b), Val::Null) => b.append_null(),
            (OutBuilder::List(b), Val::Null) => b.append_null(),
            (OutBuilder::Bytes(b), Val::Null) => b.append_null(),
            (OutBuilder::Bytes(b), Val::Bytes(v)) => b.append_value(v),
            (OutBuilder::Text(b), Val::Text(s)) => b.append_value(s),
            (OutBuilder::Bool(b), Val::Bool(v)) => b.append_value(v),
            (OutBuilder::Int32(b), Val::Int(v)) => {
                b.append_value(i32::try_from(v).map_err(|_| {
                    SqlError::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range")
                })?)
            }
            (OutBuilder::Int64(b), Val::Int(v)) => b.append_value(v),
            (OutBuilder::Float64(b), Val::Float(v)) => b.append_value(v),
            (OutBuilder::List(b), Val::List(items)) => {
                for item in items {
                    b.values().append_option(item);
                }
                b.append(true);
            }
            _ => return Err(mismatch()),
        }
        Ok(())
    }

    fn finish(self) -> ArrayRef {
        match self {
            OutBuilder::Text(mut b) => Arc::new(b.finish()),
            OutBuilder::Bool(mut b) => Arc::new(b.finish()),
            OutBuilder::Int32(mut b) => Arc::new(b.finish()),
            OutBuilder::Int64(mut b) => Arc::new(b.finish()),
            OutBuilder::Float64(mut b) => Arc::new(b.finish()),
            OutBuilder::List(mut b) => Arc::new(b.finish()),
            OutBuilder::Bytes(mut b) => Arc::new(b.finish()),
        }
    }
}

impl ScalarUDFImpl for RowFn {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(arg_types.to_vec())
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(out_field(self.name, self.out).data_type().clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let n = args.arg_fields.len();
        if n < self.min_args || n > self.max_args {
            let types: Vec<String> = args
                .arg_fields
                .iter()
                .map(|f| crate::render::field_type_name(f))
                .collect();
            return Err(SqlError::new(
                sqlstate::UNDEFINED_FUNCTION,
                format!(
                    "function {}({}) does not exist",
                    self.name,
                    types.join(", ")
                ),
            )
            .with_detail("No function matches the given name and argument types.")
            .into_datafusion());
        }
        Ok(out_field(self.name, self.out_kind(args.arg_fields)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let kind = self.out_kind(&args.arg_fields);
        // A list scalar would lose its item field's metadata (the jsonb tag): lists are
        // always returned as arrays.
        let is_list = matches!(kind, OutKind::JsonbList | OutKind::TextList);
        let all_scalar = !is_list
            && args
                .args
                .iter()
                .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if all_scalar { 1 } else { args.number_rows };
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<_>>()?;
        let mut out = OutBuilder::new(kind, rows);
        let mut row_args: Vec<Arg> = Vec::with_capacity(arrays.len());
        for row in 0..rows {
            row_args.clear();
            for (a, f) in arrays.iter().zip(args.arg_fields.iter()) {
                row_args.push(arg_at(a.as_ref(), f, row));
            }
            let value = if self.strict && row_args.iter().any(Arg::is_null) {
                Val::Null
            } else {
                (self.eval)(&row_args).map_err(|e| SqlError::from(e).into_datafusion())?
            };
            out.push(value, self.name)
                .map_err(SqlError::into_datafusion)?;
        }
        let array = out.finish();
        if all_scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &array, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(array))
        }
    }
}
