//! `jsonb_agg` and `jsonb_object_agg` as DataFusion aggregate functions. Partial states are
//! jsonb arrays (of values, or of `[key, value]` pairs) so they merge across partitions.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use docfusion_pgvalue::{Jsonb, build};

use crate::error::SqlError;
use crate::json::functions::to_jsonb;
use crate::json::row_fn::arg_at;
use crate::pgtype::TaggedType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Agg,
    ObjectAgg,
}

/// One of the two aggregates.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonbAggregate {
    kind: Kind,
    signature: Signature,
}

impl JsonbAggregate {
    fn new(kind: Kind) -> Self {
        Self {
            kind,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for JsonbAggregate {
    fn name(&self) -> &str {
        match self.kind {
            Kind::Agg => "jsonb_agg",
            Kind::ObjectAgg => "jsonb_object_agg",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let expected = match self.kind {
            Kind::Agg => 1,
            Kind::ObjectAgg => 2,
        };
        if arg_types.len() != expected {
            return Err(SqlError::new(
                "42883",
                format!(
                    "function {} takes {expected} argument(s), got {}",
                    self.name(),
                    arg_types.len()
                ),
            )
            .into_datafusion());
        }
        Ok(arg_types.to_vec())
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field(&self, _arg_fields: &[FieldRef]) -> Result<FieldRef> {
        Ok(TaggedType::Jsonb.field(self.name()))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}_state", args.name),
            DataType::Utf8,
            true,
        ))])
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(JsonbAccumulator {
            kind: self.kind,
            fields: acc_args.expr_fields.to_vec(),
            items: Vec::new(),
        }))
    }
}

#[derive(Debug)]
struct JsonbAccumulator {
    kind: Kind,
    fields: Vec<FieldRef>,
    /// Values (jsonb_agg) or `[key, value]` pairs (jsonb_object_agg), in input order.
    items: Vec<Jsonb>,
}

fn pg_err(e: docfusion_pgvalue::PgError) -> datafusion::error::DataFusionError {
    SqlError::from(e).into_datafusion()
}

impl Accumulator for JsonbAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = values.first().map_or(0, |v| v.len());
        for row in 0..rows {
            let mut converted = Vec::with_capacity(values.len());
            for (array, field) in values.iter().zip(&self.fields) {
                let value = to_jsonb(&arg_at(array.as_ref(), field, row)).map_err(pg_err)?;
                converted.push(value);
            }
            match self.kind {
                Kind::Agg => self.items.push(converted.remove(0).unwrap_or(Jsonb::Null)),
                Kind::ObjectAgg => {
                    let value = converted.pop().flatten().unwrap_or(Jsonb::Null);
                    let key = converted.pop().flatten();
                    // Validate the key now so the error names this row's problem.
                    let key = build::jsonb_object_agg(&[(key, None)])
                        .map_err(pg_err)?
                        .and_then(|o| o.as_object().and_then(|o| o.keys().next().cloned()))
                        .unwrap_or_default();
                    self.items
                        .push(Jsonb::Array(vec![Jsonb::string(key), value]));
                }
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.items.is_empty() {
            return Ok(ScalarValue::Utf8(None));
        }
        let out = match self.kind {
            Kind::Agg => Jsonb::Array(self.items.clone()),
            Kind::ObjectAgg => {
                let rows: Vec<(Option<Jsonb>, Option<Jsonb>)> = self
                    .items
                    .iter()
                    .filter_map(|pair| {
                        pair.as_array()
                            .map(|p| (p.first().cloned(), p.get(1).cloned()))
                    })
                    .collect();
                match build::jsonb_object_agg(&rows).map_err(pg_err)? {
                    Some(o) => o,
                    None => return Ok(ScalarValue::Utf8(None)),
                }
            }
        };
        Ok(ScalarValue::Utf8(Some(out.to_pg_text())))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.items.len() * 64
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Utf8(Some(
            Jsonb::Array(self.items.clone()).to_pg_text(),
        ))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(state) = states.first() else {
            return Ok(());
        };
        let strings = state.as_string::<i32>();
        for i in 0..strings.len() {
            if strings.is_null(i) {
                continue;
            }
            if let Jsonb::Array(items) = Jsonb::parse(strings.value(i)).map_err(pg_err)? {
                self.items.extend(items);
            }
        }
        Ok(())
    }
}

/// The JSON aggregate functions.
pub fn all() -> Vec<Arc<AggregateUDF>> {
    vec![
        Arc::new(AggregateUDF::new_from_impl(JsonbAggregate::new(Kind::Agg))),
        Arc::new(AggregateUDF::new_from_impl(JsonbAggregate::new(
            Kind::ObjectAgg,
        ))),
    ]
}
