//! Deterministic airbnb-like listing documents for tests, benchmarks and demos: the same
//! seed gives the same documents on every machine and build. [`bluesky`] generates
//! Bluesky firehose events shaped like JSONBench's data set the same way.
//!
//! Each listing is generated from its own [`SplitMix64`] stream derived from `(seed, index)`,
//! so `listings(seed, 10)` is a prefix of `listings(seed, 1000)` and [`listing`] gives any one
//! of them directly (e.g. to generate in parallel).
//!
//! A document looks like (values vary; `bedrooms` is absent in about 5% of documents,
//! `review_scores` whenever there are no reviews):
//!
//! ```json
//! {"id": "lst-000001", "name": "Cozy loft near Montmartre", "description": "…",
//!  "host": {"id": 1, "name": "Zoë", "since": "2014-05-02", "superhost": false, "response_rate": 0.97},
//!  "address": {"street": "12 rue de Rivoli", "city": "Paris", "country": "France", "country_code": "FR",
//!              "location": {"lat": 48.861, "lon": 2.3391}},
//!  "property_type": "Loft", "room_type": "Entire home/apt", "accommodates": 2, "bedrooms": 1,
//!  "beds": 1, "bathrooms": 1.0, "price": 141.37, "currency": "EUR", "amenities": ["Wifi", "…"],
//!  "reviews": [{"reviewer": "José", "date": "2023-08-14", "rating": 5, "comment": "…"}],
//!  "review_scores": {"rating": null, "cleanliness": 4.87, "location": 4.6},
//!  "availability_365": 213, "instant_bookable": true, "listed_at": "2019-03-07T18:22:41Z",
//!  "last_review": "2023-08-14", "tags": ["romantic"]}
//! ```

pub mod bluesky;
mod calendar;
mod canonical_json;
mod listing;
mod places;
mod prng;
mod vocabulary;

use std::io::{self, Write};

pub use prng::SplitMix64;
use serde_json::Value;

/// `count` listings of data set `seed`, with ids `lst-000001` … in order.
pub fn listings(seed: u64, count: usize) -> impl Iterator<Item = Value> {
    (0..count as u64).map(move |index| listing(seed, index))
}

/// Listing number `index` (0-based, id `lst-<index + 1>` zero-padded to six digits) of
/// data set `seed`; the same as the `index`-th item of [`listings`].
pub fn listing(seed: u64, index: u64) -> Value {
    listing::listing(seed, index)
}

/// Writes `count` listings as newline-delimited JSON (one document per line, object keys
/// sorted, so the bytes are the same on every build) and returns the number of bytes written.
pub fn write_ndjson(seed: u64, count: usize, out: impl Write) -> io::Result<u64> {
    let mut out = CountingWriter {
        inner: io::BufWriter::new(out),
        written: 0,
    };
    for doc in listings(seed, count) {
        serde_json::to_writer(&mut out, &canonical_json::SortedKeys(&doc))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(out.written)
}

/// Counts the bytes that pass through.
struct CountingWriter<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
