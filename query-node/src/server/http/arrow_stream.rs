//! `POST /v1/sql` answers as an Arrow IPC stream: content negotiation on `Accept`, and the
//! encoding of a result (its schema with field metadata, then its batches).

use axum::http::{HeaderMap, HeaderName, header};
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::record_batch::RecordBatch;

use crate::engine::QueryOutput;
use crate::error::{SqlError, sqlstate};

/// Media type of an Arrow IPC stream.
pub const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";

/// Header with the number of rows in an Arrow answer.
pub const ROW_COUNT_HEADER: HeaderName = HeaderName::from_static("x-docfusion-row-count");

/// Header saying whether an Arrow answer was cut at `limits.max_result_rows`.
pub const TRUNCATED_HEADER: HeaderName = HeaderName::from_static("x-docfusion-truncated");

/// True when the `Accept` header lists the Arrow stream media type (with a quality above 0).
pub fn accepts_arrow_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            media.eq_ignore_ascii_case(ARROW_STREAM) && !refused
        })
}

/// An encoded Arrow answer.
pub struct EncodedStream {
    /// The IPC stream.
    pub bytes: Vec<u8>,
    /// Rows in it.
    pub rows: usize,
    /// True when rows were left out (over `max_rows`).
    pub truncated: bool,
}

/// Encodes the result as an IPC stream of at most `max_rows` rows (0: all). The schema is
/// the result's, with its field metadata (jsonb columns are Utf8 marked
/// `docfusion.pg_type=jsonb`).
pub fn encode(out: &QueryOutput, max_rows: usize) -> Result<EncodedStream, SqlError> {
    let failed = |e: datafusion::arrow::error::ArrowError| {
        SqlError::new(
            sqlstate::INTERNAL_ERROR,
            format!("cannot encode the result as Arrow IPC: {e}"),
        )
    };
    let mut writer = StreamWriter::try_new(Vec::new(), &out.schema).map_err(failed)?;
    let total = out.row_count();
    let limit = if max_rows > 0 {
        max_rows.min(total)
    } else {
        total
    };
    let mut rows = 0usize;
    for batch in &out.batches {
        if rows >= limit {
            break;
        }
        let take = batch.num_rows().min(limit - rows);
        let part: RecordBatch = if take == batch.num_rows() {
            batch.clone()
        } else {
            batch.slice(0, take)
        };
        writer.write(&part).map_err(failed)?;
        rows += take;
    }
    writer.finish().map_err(failed)?;
    let bytes = writer.into_inner().map_err(failed)?;
    Ok(EncodedStream {
        bytes,
        rows,
        truncated: rows < total,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use axum::http::HeaderValue;
    use datafusion::arrow::array::{Array, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::arrow::ipc::reader::StreamReader;

    use super::*;
    use crate::pgtype::PG_TYPE_KEY;

    fn accept(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn the_accept_header_chooses_arrow() {
        assert!(accepts_arrow_stream(&accept(&[ARROW_STREAM])));
        assert!(accepts_arrow_stream(&accept(&[
            "application/json;q=0.5, Application/Vnd.Apache.Arrow.Stream"
        ])));
        assert!(accepts_arrow_stream(&accept(&["text/html", ARROW_STREAM])));
        assert!(!accepts_arrow_stream(&accept(&[])));
        assert!(!accepts_arrow_stream(&accept(&["application/json", "*/*"])));
        assert!(!accepts_arrow_stream(&accept(&[
            "application/vnd.apache.arrow.stream;q=0"
        ])));
    }

    #[test]
    fn batches_round_trip_with_metadata_and_the_row_limit() {
        let doc = Field::new("doc", DataType::Utf8, true).with_metadata(HashMap::from([(
            PG_TYPE_KEY.to_string(),
            "jsonb".to_string(),
        )]));
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            doc,
        ]));
        let batch = |from: i64| {
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(Int64Array::from(vec![from, from + 1])),
                    Arc::new(StringArray::from(vec![Some("{\"a\": 1}"), None])),
                ],
            )
            .unwrap()
        };
        let out = QueryOutput {
            schema: schema.clone(),
            batches: vec![batch(1), batch(3)],
            rows_scanned: 0,
            cpu_nanos: 0,
            bytes_scanned: 0,
        };
        let encoded = encode(&out, 3).unwrap();
        assert_eq!((encoded.rows, encoded.truncated), (3, true));
        let reader = StreamReader::try_new(encoded.bytes.as_slice(), None).unwrap();
        assert_eq!(
            reader.schema().field(1).metadata().get(PG_TYPE_KEY),
            Some(&"jsonb".to_string())
        );
        let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
        let n: Vec<i64> = batches
            .iter()
            .flat_map(|b| {
                let col = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
                col.values().to_vec()
            })
            .collect();
        assert_eq!(n, vec![1, 2, 3]);
        assert!(batches[0].column(1).is_null(1));

        let all = encode(&out, 0).unwrap();
        assert_eq!((all.rows, all.truncated), (4, false));
    }
}
