//! The vector functions as DataFusion scalar UDFs: `l2_distance`, `cosine_distance`,
//! `inner_product`, `vector_negative_inner_product` (what `<#>` means), `vector_dims`,
//! `l2_normalize`, and the conversion behind casts to `vector`.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float32Builder, Float64Array, Int32Array, ListBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use datafusion::scalar::ScalarValue;

use crate::error::{SqlError, sqlstate};
use crate::vector::column::VectorArg;
use crate::vector::text::{
    check_dimensions, check_element, check_expected_dimensions, different_dimensions,
};
use crate::vector::{kernels, vector_data_type, vector_field, vector_metadata};

/// Name of the function that converts text or a number array into a `vector` (casts).
pub const TO_VECTOR: &str = "docfusion_to_vector";

/// What a vector function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VectorOp {
    /// `l2_distance(a, b)`, `a <-> b`.
    L2Distance,
    /// `cosine_distance(a, b)`, `a <=> b`.
    CosineDistance,
    /// `inner_product(a, b)`.
    InnerProduct,
    /// `vector_negative_inner_product(a, b)`, `a <#> b`.
    NegativeInnerProduct,
    /// `vector_dims(a)`.
    Dims,
    /// `l2_normalize(a)`.
    Normalize,
    /// `docfusion_to_vector(a, dims)`: a cast to `vector` / `vector(dims)` (dims < 0: any).
    ToVector,
}

impl VectorOp {
    /// The SQL name of the function.
    pub fn name(self) -> &'static str {
        match self {
            VectorOp::L2Distance => "l2_distance",
            VectorOp::CosineDistance => "cosine_distance",
            VectorOp::InnerProduct => "inner_product",
            VectorOp::NegativeInnerProduct => "vector_negative_inner_product",
            VectorOp::Dims => "vector_dims",
            VectorOp::Normalize => "l2_normalize",
            VectorOp::ToVector => TO_VECTOR,
        }
    }

    fn vector_args(self) -> usize {
        match self {
            VectorOp::L2Distance
            | VectorOp::CosineDistance
            | VectorOp::InnerProduct
            | VectorOp::NegativeInnerProduct => 2,
            VectorOp::Dims | VectorOp::Normalize | VectorOp::ToVector => 1,
        }
    }

    /// The distance of two vectors of equal length, in double precision as pgvector returns
    /// it.
    #[inline]
    pub fn distance(self, a: &[f32], b: &[f32]) -> f64 {
        match self {
            VectorOp::L2Distance => f64::from(kernels::l2_squared(a, b)).sqrt(),
            VectorOp::CosineDistance => {
                let (dot, na, nb) = kernels::cosine_parts(a, b);
                kernels::cosine_distance_of_parts(dot, na, nb)
            }
            VectorOp::InnerProduct => f64::from(kernels::inner_product(a, b)),
            VectorOp::NegativeInnerProduct => -f64::from(kernels::inner_product(a, b)),
            VectorOp::Dims | VectorOp::Normalize | VectorOp::ToVector => f64::NAN,
        }
    }
}

/// One vector function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct VectorFunction {
    op: VectorOp,
    signature: Signature,
}

impl VectorFunction {
    /// The function computing `op`.
    pub fn new(op: VectorOp) -> Self {
        Self {
            op,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// Every vector function.
pub fn all() -> Vec<Arc<ScalarUDF>> {
    [
        VectorOp::L2Distance,
        VectorOp::CosineDistance,
        VectorOp::InnerProduct,
        VectorOp::NegativeInnerProduct,
        VectorOp::Dims,
        VectorOp::Normalize,
        VectorOp::ToVector,
    ]
    .into_iter()
    .map(|op| Arc::new(ScalarUDF::new_from_impl(VectorFunction::new(op))))
    .collect()
}

fn float32_item() -> FieldRef {
    Arc::new(Field::new_list_field(DataType::Float32, true))
}

/// The type a vector argument of type `t` is converted to before the call, or an error
/// naming the function when `t` cannot be a vector.
fn coerce_vector_arg(name: &str, types: &[DataType], t: &DataType) -> Result<DataType> {
    Ok(match t {
        DataType::List(item) if item.data_type().is_numeric() => DataType::List(float32_item()),
        DataType::LargeList(item) if item.data_type().is_numeric() => {
            DataType::LargeList(float32_item())
        }
        DataType::FixedSizeList(item, n) if item.data_type().is_numeric() => {
            DataType::FixedSizeList(float32_item(), *n)
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => t.clone(),
        _ => {
            let names: Vec<&str> = types.iter().map(crate::render::pg_type_name).collect();
            return Err(SqlError::new(
                sqlstate::UNDEFINED_FUNCTION,
                format!("function {name}({}) does not exist", names.join(", ")),
            )
            .with_detail("The arguments must be vectors (vector, real[] or double precision[]).")
            .into_datafusion());
        }
    })
}

fn err(e: SqlError) -> datafusion::error::DataFusionError {
    e.into_datafusion()
}

impl ScalarUDFImpl for VectorFunction {
    fn name(&self) -> &str {
        self.op.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let expected = self.op.vector_args() + usize::from(self.op == VectorOp::ToVector);
        if arg_types.len() != expected {
            return Err(err(SqlError::new(
                sqlstate::UNDEFINED_FUNCTION,
                format!(
                    "function {} takes {expected} argument(s), not {}",
                    self.op.name(),
                    arg_types.len()
                ),
            )));
        }
        let mut out = Vec::with_capacity(arg_types.len());
        for (i, t) in arg_types.iter().enumerate() {
            out.push(if i < self.op.vector_args() {
                coerce_vector_arg(self.op.name(), arg_types, t)?
            } else {
                DataType::Int64
            });
        }
        Ok(out)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.op {
            VectorOp::Dims => DataType::Int32,
            VectorOp::Normalize | VectorOp::ToVector => vector_data_type(),
            _ => DataType::Float64,
        })
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        Ok(match self.op {
            VectorOp::Normalize => vector_field(self.name(), None),
            VectorOp::ToVector => {
                let dims = match args.scalar_arguments.get(1) {
                    Some(Some(ScalarValue::Int64(Some(n)))) => usize::try_from(*n).ok(),
                    _ => None,
                };
                vector_field(self.name(), dims)
            }
            _ => Arc::new(Field::new(self.name(), self.return_type(&[])?, true)),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let n = if all_scalar { 1 } else { rows };
        let out: ArrayRef = match self.op {
            VectorOp::Dims => {
                let a = VectorArg::new(&args.args[0]).map_err(err)?;
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    out.push(a.get(i).map_err(err)?.map(|v| v.len() as i32));
                }
                Arc::new(Int32Array::from(out))
            }
            VectorOp::Normalize | VectorOp::ToVector => {
                let a = VectorArg::new(&args.args[0]).map_err(err)?;
                let expected = match args.args.get(1) {
                    Some(ColumnarValue::Scalar(ScalarValue::Int64(Some(d)))) if *d >= 0 => {
                        Some(*d as usize)
                    }
                    _ => None,
                };
                let mut b = ListBuilder::new(Float32Builder::new());
                for i in 0..n {
                    match a.get(i).map_err(err)? {
                        None => b.append_null(),
                        Some(v) if self.op == VectorOp::Normalize => {
                            let norm = f64::from(kernels::squared_norm(v)).sqrt();
                            for x in v {
                                b.values().append_value(if norm > 0.0 {
                                    (f64::from(*x) / norm) as f32
                                } else {
                                    *x
                                });
                            }
                            b.append(true);
                        }
                        Some(v) => {
                            check_dimensions(v.len()).map_err(err)?;
                            check_expected_dimensions(expected, v.len()).map_err(err)?;
                            for x in v {
                                check_element(*x).map_err(err)?;
                            }
                            b.values().append_slice(v);
                            b.append(true);
                        }
                    }
                }
                let list = b.finish();
                let field = Arc::new(Field::new_list_field(DataType::Float32, true));
                let (_, offsets, values, nulls) = list.into_parts();
                Arc::new(datafusion::arrow::array::ListArray::try_new(
                    field, offsets, values, nulls,
                )?)
            }
            op => {
                let a = VectorArg::new(&args.args[0]).map_err(err)?;
                let b = VectorArg::new(&args.args[1]).map_err(err)?;
                Arc::new(distances(op, &a, &b, n).map_err(err)?)
            }
        };
        Ok(if all_scalar {
            ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?)
        } else {
            ColumnarValue::Array(out)
        })
    }
}

/// `op` of each row of `a` and `b`; NULL where either is NULL.
fn distances(
    op: VectorOp,
    a: &VectorArg<'_>,
    b: &VectorArg<'_>,
    n: usize,
) -> Result<Float64Array, SqlError> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        match (a.get(i)?, b.get(i)?) {
            (Some(x), Some(y)) => {
                if x.len() != y.len() {
                    return Err(different_dimensions(x.len(), y.len()));
                }
                out.push(Some(op.distance(x, y)));
            }
            _ => out.push(None),
        }
    }
    Ok(Float64Array::from(out))
}

/// Metadata of a `vector` result (re-exported for planners building literals).
pub fn vector_literal_metadata(dims: Option<usize>) -> datafusion::common::metadata::FieldMetadata {
    datafusion::common::metadata::FieldMetadata::from(vector_metadata(dims))
}
