//! `jsonb_agg` and `jsonb_object_agg` as DataFusion aggregate functions. Partial states are
//! jsonb arrays (of values, or of `[key, value]` pairs) so they merge across partitions.

use std::cmp::Ordering;
use std::sync::Arc;

use datafusion::arrow::compute::SortOptions;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
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
        let mut fields = vec![Arc::new(Field::new(
            format!("{}_items", args.name),
            DataType::Utf8,
            true,
        ))];
        // With ORDER BY inside the call, each item's sort keys travel with the partial state
        // so that partitions merge in the requested order.
        for (i, f) in args.ordering_fields.iter().enumerate() {
            fields.push(Arc::new(Field::new_list(
                format!("{}_key{i}", args.name),
                Field::new_list_field(f.data_type().clone(), true),
                true,
            )));
        }
        Ok(fields)
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        AggregateOrderSensitivity::SoftRequirement
    }

    fn with_beneficial_ordering(
        self: Arc<Self>,
        _beneficial_ordering: bool,
    ) -> Result<Option<Arc<dyn AggregateUDFImpl>>> {
        // The accumulator sorts by the ORDER BY keys itself; presorted input changes nothing.
        Ok(Some(self))
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let arg_count = match self.kind {
            Kind::Agg => 1,
            Kind::ObjectAgg => 2,
        };
        let key_types = acc_args
            .order_bys
            .iter()
            .map(|o| o.expr.data_type(acc_args.schema))
            .collect::<Result<Vec<_>>>()?;
        Ok(Box::new(JsonbAccumulator {
            kind: self.kind,
            fields: acc_args
                .expr_fields
                .iter()
                .take(arg_count)
                .cloned()
                .collect(),
            arg_count,
            order: acc_args.order_bys.iter().map(|o| o.options).collect(),
            key_types,
            items: Vec::new(),
        }))
    }
}

#[derive(Debug)]
struct JsonbAccumulator {
    kind: Kind,
    fields: Vec<FieldRef>,
    arg_count: usize,
    order: Vec<SortOptions>,
    key_types: Vec<DataType>,
    /// Values (jsonb_agg) or `[key, value]` pairs (jsonb_object_agg) with their sort keys.
    items: Vec<(Jsonb, Vec<ScalarValue>)>,
}

fn pg_err(e: docfusion_pgvalue::PgError) -> datafusion::error::DataFusionError {
    SqlError::from(e).into_datafusion()
}

fn compare_keys(a: &[ScalarValue], b: &[ScalarValue], order: &[SortOptions]) -> Ordering {
    for ((x, y), o) in a.iter().zip(b).zip(order) {
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if o.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if o.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let c = x.partial_cmp(y).unwrap_or(Ordering::Equal);
                if o.descending { c.reverse() } else { c }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

impl JsonbAccumulator {
    fn sorted_items(&self) -> Vec<Jsonb> {
        let mut items: Vec<&(Jsonb, Vec<ScalarValue>)> = self.items.iter().collect();
        if !self.order.is_empty() {
            items.sort_by(|a, b| compare_keys(&a.1, &b.1, &self.order));
        }
        items.into_iter().map(|(j, _)| j.clone()).collect()
    }
}

impl Accumulator for JsonbAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = values.first().map_or(0, |v| v.len());
        for row in 0..rows {
            let mut converted = Vec::with_capacity(self.arg_count);
            for (array, field) in values.iter().zip(&self.fields) {
                converted.push(to_jsonb(&arg_at(array.as_ref(), field, row)).map_err(pg_err)?);
            }
            let keys = values[self.arg_count..]
                .iter()
                .map(|a| ScalarValue::try_from_array(a, row))
                .collect::<Result<Vec<_>>>()?;
            let item = match self.kind {
                Kind::Agg => converted.remove(0).unwrap_or(Jsonb::Null),
                Kind::ObjectAgg => {
                    let value = converted.pop().flatten().unwrap_or(Jsonb::Null);
                    let key = converted.pop().flatten();
                    // Validate the key now so the error names this row's problem.
                    let key = build::jsonb_object_agg(&[(key, None)])
                        .map_err(pg_err)?
                        .and_then(|o| o.as_object().and_then(|o| o.keys().next().cloned()))
                        .unwrap_or_default();
                    Jsonb::Array(vec![Jsonb::string(key), value])
                }
            };
            self.items.push((item, keys));
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.items.is_empty() {
            return Ok(ScalarValue::Utf8(None));
        }
        let items = self.sorted_items();
        let out = match self.kind {
            Kind::Agg => Jsonb::Array(items),
            Kind::ObjectAgg => {
                let rows: Vec<(Option<Jsonb>, Option<Jsonb>)> = items
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
        let items = Jsonb::Array(self.items.iter().map(|(j, _)| j.clone()).collect());
        let mut state = vec![ScalarValue::Utf8(Some(items.to_pg_text()))];
        for (i, dt) in self.key_types.iter().enumerate() {
            let keys: Vec<ScalarValue> = self.items.iter().map(|(_, k)| k[i].clone()).collect();
            state.push(ScalarValue::List(ScalarValue::new_list_nullable(&keys, dt)));
        }
        Ok(state)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(items_state) = states.first() else {
            return Ok(());
        };
        let strings = items_state.as_string::<i32>();
        for row in 0..strings.len() {
            if strings.is_null(row) {
                continue;
            }
            let Jsonb::Array(items) = Jsonb::parse(strings.value(row)).map_err(pg_err)? else {
                continue;
            };
            let mut keys: Vec<Vec<ScalarValue>> = vec![Vec::new(); items.len()];
            for key_state in &states[1..] {
                let list = key_state.as_list::<i32>().value(row);
                for (i, k) in keys.iter_mut().enumerate() {
                    k.push(ScalarValue::try_from_array(&list, i)?);
                }
            }
            self.items.extend(items.into_iter().zip(keys));
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
