//! The vector functions as DataFusion scalar UDFs: `l2_distance`, `cosine_distance`,
//! `inner_product`, `vector_negative_inner_product` (what `<#>` means), `vector_dims`,
//! `l2_normalize`, and the conversion behind casts to `vector`.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float32Builder, Float64Array, Int32Array, ListBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
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

/// A constant query vector held by a distance function instead of being one of its
/// arguments (see [`VectorFunction::simplify`]). Planning compares, hashes and prints
/// expressions many times per statement; a literal of 768 floats made that about 12% of a
/// top-k query's CPU. Held here, it is hashed by a fingerprint computed once and printed by
/// its size.
#[derive(Debug, Clone)]
pub struct BoundQuery {
    values: Arc<[f32]>,
    fingerprint: u64,
}

impl BoundQuery {
    /// Holds `values`.
    pub fn new(values: Vec<f32>) -> Self {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for x in &values {
            x.to_bits().hash(&mut h);
        }
        Self {
            values: values.into(),
            fingerprint: h.finish(),
        }
    }

    /// How plans name the constant: `<vector(n) #fingerprint>`.
    fn name(&self) -> String {
        format!("<vector({}) #{:016x}>", self.values.len(), self.fingerprint)
    }

    /// The vector.
    pub fn values(&self) -> &[f32] {
        &self.values
    }
}

impl PartialEq for BoundQuery {
    fn eq(&self, other: &Self) -> bool {
        // Bitwise, so that NaN equals itself and a plan equals its copy.
        self.fingerprint == other.fingerprint
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(other.values.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Eq for BoundQuery {}

impl std::hash::Hash for BoundQuery {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.fingerprint.hash(state);
    }
}

/// One vector function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct VectorFunction {
    op: VectorOp,
    signature: Signature,
    /// For a distance to a constant: that constant, the function then taking one argument.
    query: Option<BoundQuery>,
}

impl VectorFunction {
    /// The function computing `op`.
    pub fn new(op: VectorOp) -> Self {
        Self {
            op,
            signature: Signature::user_defined(Volatility::Immutable),
            query: None,
        }
    }

    /// The distance `op` from its one argument to the constant `query`.
    pub fn bound(op: VectorOp, query: BoundQuery) -> Self {
        Self {
            query: Some(query),
            ..Self::new(op)
        }
    }

    /// The constant query vector a distance function holds, if it holds one.
    pub fn query(&self) -> Option<&BoundQuery> {
        self.query.as_ref()
    }

    fn is_distance(&self) -> bool {
        self.op.vector_args() == 2
    }

    /// The number of vector arguments the call takes.
    fn vector_arg_count(&self) -> usize {
        self.op.vector_args() - usize::from(self.query.is_some())
    }
}

/// The vector a list literal holds (not a text one: its name stays its text).
fn list_literal_vector(e: &Expr) -> Option<Vec<f32>> {
    match e {
        Expr::Literal(
            v @ (ScalarValue::List(_) | ScalarValue::LargeList(_) | ScalarValue::FixedSizeList(_)),
            _,
        ) => crate::vector::column::scalar_vector(v).ok().flatten(),
        _ => None,
    }
}

/// The vector a literal holds (`None` for NULL, a non-vector or anything but a literal).
fn literal_vector(e: &Expr) -> Option<Vec<f32>> {
    match e {
        Expr::Literal(v, _) => crate::vector::column::scalar_vector(v).ok().flatten(),
        _ => None,
    }
}

/// `(op, column expression, constant query)` when `e` is a distance between an expression
/// and a constant vector: either a bound call or a call with a vector literal (possibly
/// under casts or an alias) as one argument.
pub fn distance_to_constant(e: &Expr) -> Option<(VectorOp, &Expr, std::borrow::Cow<'_, [f32]>)> {
    fn constant(e: &Expr) -> Option<Vec<f32>> {
        match e {
            Expr::Literal(..) => literal_vector(e),
            Expr::Cast(c) => constant(&c.expr),
            Expr::TryCast(c) => constant(&c.expr),
            Expr::Alias(a) => constant(&a.expr),
            _ => None,
        }
    }
    let f = match e {
        Expr::ScalarFunction(f) => f,
        Expr::Alias(a) => return distance_to_constant(&a.expr),
        _ => return None,
    };
    let vf = f.func.inner().downcast_ref::<VectorFunction>()?;
    if !vf.is_distance() {
        return None;
    }
    match (vf.query(), f.args.as_slice()) {
        (Some(q), [a]) => Some((vf.op, a, std::borrow::Cow::Borrowed(q.values()))),
        (None, [a, b]) => match (constant(a), constant(b)) {
            (None, Some(q)) => Some((vf.op, a, q.into())),
            (Some(q), None) => Some((vf.op, b, q.into())),
            _ => None,
        },
        _ => None,
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

impl VectorFunction {
    /// The call of this distance on `args` as a bound one, when one argument is a constant
    /// vector (as `constant` reads it) and the other is not a literal; else `args` back.
    fn bind(
        &self,
        args: Vec<Expr>,
        constant: fn(&Expr) -> Option<Vec<f32>>,
    ) -> std::result::Result<Expr, Vec<Expr>> {
        if self.query.is_some() || !self.is_distance() || args.len() != 2 {
            return Err(args);
        }
        let (other, query) = match (constant(&args[0]), constant(&args[1])) {
            (None, Some(q)) if !matches!(args[0], Expr::Literal(..)) => (0, q),
            (Some(q), None) if !matches!(args[1], Expr::Literal(..)) => (1, q),
            _ => return Err(args),
        };
        let mut args = args;
        let expr = args.swap_remove(other);
        let f = ScalarUDF::new_from_impl(VectorFunction::bound(self.op, BoundQuery::new(query)));
        Ok(Expr::ScalarFunction(
            datafusion::logical_expr::expr::ScalarFunction::new_udf(Arc::new(f), vec![expr]),
        ))
    }
}

/// `plan` with every distance to a vector-typed constant (a bound parameter) holding its
/// constant, as the simplifier would do later: before analysis, so that the analyzer's
/// rules, which name every expression they type (a literal by its value), never print
/// the vector. The names stay the same ([`VectorFunction::schema_name`]).
pub fn bind_vector_constants(
    plan: datafusion::logical_expr::LogicalPlan,
) -> Result<datafusion::logical_expr::LogicalPlan> {
    use datafusion::common::tree_node::{Transformed, TreeNode};
    plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|e| {
            e.transform_up(|e| {
                let Expr::ScalarFunction(call) = e else {
                    return Ok(Transformed::no(e));
                };
                let Some(f) = call.func.inner().downcast_ref::<VectorFunction>() else {
                    return Ok(Transformed::no(Expr::ScalarFunction(call)));
                };
                Ok(match f.bind(call.args, list_literal_vector) {
                    Ok(bound) => Transformed::yes(bound),
                    Err(args) => Transformed::no(Expr::ScalarFunction(
                        datafusion::logical_expr::expr::ScalarFunction {
                            func: call.func,
                            args,
                        },
                    )),
                })
            })
        })
    })
    .map(|t| t.data)
}

impl ScalarUDFImpl for VectorFunction {
    fn name(&self) -> &str {
        self.op.name()
    }

    /// A vector constant is named by its size and fingerprint, not its elements, whether
    /// it is still an argument or already bound: planning names expressions often, printing
    /// hundreds of floats each time cost more than computing the distances of 10,000 rows,
    /// and the same name before and after [`Self::simplify`] binds it saves the optimiser an
    /// alias.
    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        let args = args
            .iter()
            .map(|a| match list_literal_vector(a) {
                Some(v) => BoundQuery::new(v).name(),
                None => a.schema_name().to_string(),
            })
            .chain(self.query.as_ref().map(BoundQuery::name))
            .collect::<Vec<_>>();
        Ok(format!("{}({})", self.name(), args.join(",")))
    }

    /// A distance between an expression and a constant vector becomes a distance function
    /// holding the constant ([`BoundQuery`]), taking the expression alone. Distances are
    /// symmetric, so the order of the arguments does not matter.
    fn simplify(
        &self,
        args: Vec<Expr>,
        _info: &datafusion::logical_expr::simplify::SimplifyContext,
    ) -> Result<datafusion::logical_expr::simplify::ExprSimplifyResult> {
        use datafusion::logical_expr::simplify::ExprSimplifyResult;
        Ok(match self.bind(args, literal_vector) {
            Ok(bound) => ExprSimplifyResult::Simplified(bound),
            Err(args) => ExprSimplifyResult::Original(args),
        })
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let expected = self.vector_arg_count() + usize::from(self.op == VectorOp::ToVector);
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
            out.push(if i < self.vector_arg_count() {
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
                let b = match &self.query {
                    Some(q) => VectorArg::Constant(Some(q.values().to_vec())),
                    None => VectorArg::new(&args.args[1]).map_err(err)?,
                };
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

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::logical_expr::col;

    #[test]
    fn a_vector_constant_is_named_by_size_and_fingerprint_before_and_after_binding() {
        let values = vec![0.5f32, -1.25, 3.0];
        let literal = Expr::Literal(
            ScalarValue::List(Arc::new(
                datafusion::arrow::array::ListArray::from_iter_primitive::<
                    datafusion::arrow::datatypes::Float32Type,
                    _,
                    _,
                >(vec![Some(values.iter().copied().map(Some))]),
            )),
            None,
        );
        let unbound = VectorFunction::new(VectorOp::L2Distance);
        let name = unbound
            .schema_name(&[col("embedding"), literal.clone()])
            .unwrap();
        assert!(
            name.starts_with("l2_distance(embedding,<vector(3) #"),
            "{name}"
        );
        assert!(!name.contains("1.25"), "{name}");
        let bound = VectorFunction::bound(VectorOp::L2Distance, BoundQuery::new(values));
        assert_eq!(bound.schema_name(&[col("embedding")]).unwrap(), name);
        // A text constant keeps its text in the name.
        let text = Expr::Literal(ScalarValue::Utf8(Some("[0.5,-1.25,3]".into())), None);
        let name = unbound.schema_name(&[col("embedding"), text]).unwrap();
        assert_eq!(name, "l2_distance(embedding,Utf8(\"[0.5,-1.25,3]\"))");
    }
}
