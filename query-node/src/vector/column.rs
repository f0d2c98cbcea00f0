//! Reading vector arguments out of Arrow: borrowed `&[f32]` rows of a `FixedSizeList`,
//! `List` or `LargeList` of `Float32` (no copy), or vectors parsed from pgvector text.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::{DataType, Float32Type};
use datafusion::logical_expr::ColumnarValue;
use datafusion::scalar::ScalarValue;

use crate::error::{SqlError, sqlstate};
use crate::vector::text::{NULL_VALUE_NOT_ALLOWED, parse_vector};

#[derive(Debug, Clone, Copy)]
enum Layout<'a> {
    Fixed(usize),
    Offsets32(&'a [i32]),
    Offsets64(&'a [i64]),
}

/// The rows of an array of `Float32` lists, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct VectorColumn<'a> {
    values: &'a [f32],
    layout: Layout<'a>,
    nulls: Option<&'a NullBuffer>,
    item_nulls: Option<&'a NullBuffer>,
    len: usize,
}

fn not_float32(dt: &DataType) -> SqlError {
    SqlError::new(
        sqlstate::INTERNAL_ERROR,
        format!("vector argument of Arrow type {dt} was not converted to float4 lists"),
    )
}

impl<'a> VectorColumn<'a> {
    /// Views `array`, which must be a list (any layout) of `Float32`.
    pub fn try_new(array: &'a dyn Array) -> Result<Self, SqlError> {
        let (child, layout) = match array.data_type() {
            DataType::FixedSizeList(_, n) => {
                let l = array.as_fixed_size_list();
                (l.values(), Layout::Fixed(*n as usize))
            }
            DataType::List(_) => {
                let l = array.as_list::<i32>();
                (l.values(), Layout::Offsets32(l.offsets().as_ref()))
            }
            DataType::LargeList(_) => {
                let l = array.as_list::<i64>();
                (l.values(), Layout::Offsets64(l.offsets().as_ref()))
            }
            other => return Err(not_float32(other)),
        };
        let floats = child
            .as_primitive_opt::<Float32Type>()
            .ok_or_else(|| not_float32(child.data_type()))?;
        Ok(Self {
            values: floats.values().as_ref(),
            layout,
            nulls: array.nulls().filter(|n| n.null_count() > 0),
            item_nulls: floats.nulls().filter(|n| n.null_count() > 0),
            len: array.len(),
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Row `i`: `None` for SQL NULL; an error for an array holding a NULL element.
    #[inline]
    pub fn get(&self, i: usize) -> Result<Option<&'a [f32]>, SqlError> {
        if self.nulls.is_some_and(|n| n.is_null(i)) {
            return Ok(None);
        }
        let (start, end) = match self.layout {
            Layout::Fixed(n) => (i * n, (i + 1) * n),
            Layout::Offsets32(o) => (o[i] as usize, o[i + 1] as usize),
            Layout::Offsets64(o) => (o[i] as usize, o[i + 1] as usize),
        };
        if let Some(item_nulls) = self.item_nulls
            && (start..end).any(|j| item_nulls.is_null(j))
        {
            return Err(SqlError::new(
                NULL_VALUE_NOT_ALLOWED,
                "array must not contain nulls",
            ));
        }
        Ok(self.values.get(start..end))
    }
}

/// One vector argument of a function: a constant, a column of lists, or vectors parsed
/// from text.
#[derive(Debug)]
pub enum VectorArg<'a> {
    /// The same value (or NULL) for every row.
    Constant(Option<Vec<f32>>),
    /// A column of float4 lists.
    Column(VectorColumn<'a>),
    /// A text column, parsed.
    Parsed(Vec<Option<Vec<f32>>>),
}

impl<'a> VectorArg<'a> {
    /// Reads a function argument.
    pub fn new(value: &'a ColumnarValue) -> Result<Self, SqlError> {
        match value {
            ColumnarValue::Scalar(s) => Ok(VectorArg::Constant(scalar_vector(s)?)),
            ColumnarValue::Array(a) => match a.data_type() {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                    let mut out = Vec::with_capacity(a.len());
                    for i in 0..a.len() {
                        let s = ScalarValue::try_from_array(a.as_ref(), i)
                            .map_err(|e| SqlError::from_datafusion(&e))?;
                        out.push(scalar_vector(&s)?);
                    }
                    Ok(VectorArg::Parsed(out))
                }
                DataType::Null => Ok(VectorArg::Constant(None)),
                _ => Ok(VectorArg::Column(VectorColumn::try_new(a.as_ref())?)),
            },
        }
    }

    /// True when this argument is the same for every row.
    pub fn is_constant(&self) -> bool {
        matches!(self, VectorArg::Constant(_))
    }

    /// Row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Result<Option<&[f32]>, SqlError> {
        match self {
            VectorArg::Constant(v) => Ok(v.as_deref()),
            VectorArg::Column(c) => c.get(i),
            VectorArg::Parsed(p) => Ok(p.get(i).and_then(|v| v.as_deref())),
        }
    }
}

/// The vector a scalar holds: a float4 list, or pgvector text.
pub fn scalar_vector(s: &ScalarValue) -> Result<Option<Vec<f32>>, SqlError> {
    if s.is_null() {
        return Ok(None);
    }
    match s {
        ScalarValue::Utf8(Some(t))
        | ScalarValue::LargeUtf8(Some(t))
        | ScalarValue::Utf8View(Some(t)) => parse_vector(t).map(Some),
        ScalarValue::List(a) => first_row(a.as_ref()),
        ScalarValue::LargeList(a) => first_row(a.as_ref()),
        ScalarValue::FixedSizeList(a) => first_row(a.as_ref()),
        other => Err(not_float32(&other.data_type())),
    }
}

fn first_row(a: &dyn Array) -> Result<Option<Vec<f32>>, SqlError> {
    let c = VectorColumn::try_new(a)?;
    if c.is_empty() {
        return Ok(None);
    }
    Ok(c.get(0)?.map(<[f32]>::to_vec))
}
