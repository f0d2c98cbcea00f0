//! The listing generator's promises: deterministic, complete, well-typed, realistic.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate};
use docfusion_sample::{listing, listings, write_ndjson};
use serde_json::Value;

fn ndjson(seed: u64, count: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = write_ndjson(seed, count, &mut out).expect("write to a Vec");
    assert_eq!(bytes, out.len() as u64, "returned byte count");
    out
}

/// FNV-1a, written out here so the fingerprint does not depend on any library.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|e| panic!("date {text:?}: {e}"))
}

#[test]
fn same_seed_gives_identical_documents_and_bytes() {
    let a: Vec<Value> = listings(7, 500).collect();
    let b: Vec<Value> = listings(7, 500).collect();
    assert_eq!(a, b);
    assert_eq!(ndjson(7, 500), ndjson(7, 500));
    // Any listing can be generated alone, and a shorter run is a prefix of a longer one.
    assert_eq!(listing(7, 321), a[321]);
    let prefix: Vec<Value> = listings(7, 50).collect();
    assert_eq!(prefix[..], a[..50]);
}

#[test]
fn output_is_pinned_across_machines_and_versions() {
    // If this fails after an intentional change to the generator, update the constant and
    // say so in the change: every data set generated from a seed changes with it.
    let bytes = ndjson(42, 200);
    assert_eq!(
        fnv1a(&bytes),
        GOLDEN_FNV1A_SEED_42_COUNT_200,
        "seed 42 output changed"
    );
    let first = String::from_utf8(bytes).expect("utf-8");
    let first = first.lines().next().expect("a line");
    assert!(
        first.starts_with(r#"{"accommodates":"#),
        "keys are written sorted: {first}"
    );
}

const GOLDEN_FNV1A_SEED_42_COUNT_200: u64 = 0x2A20_B71F_A234_6614;

#[test]
fn different_seeds_give_different_documents() {
    let a: Vec<Value> = listings(1, 200).collect();
    let b: Vec<Value> = listings(2, 200).collect();
    let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
    assert!(differing >= 195, "only {differing} of 200 documents differ");
    assert_ne!(ndjson(1, 200), ndjson(2, 200));
}

#[test]
fn count_is_exact_and_ids_are_unique_and_sequential() {
    assert_eq!(listings(3, 0).count(), 0);
    assert!(ndjson(3, 0).is_empty());
    let ids: Vec<String> = listings(3, 10_000)
        .map(|doc| doc["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 10_000);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 10_000);
    assert_eq!(ids[0], "lst-000001");
    assert_eq!(ids[9_999], "lst-010000");
    let text = String::from_utf8(ndjson(3, 1234)).expect("utf-8");
    assert_eq!(text.lines().count(), 1234);
    assert!(text.ends_with('\n'));
    for (line, expected) in text.lines().zip(listings(3, 1234)) {
        let parsed: Value = serde_json::from_str(line).expect("each line is one JSON document");
        assert_eq!(parsed, expected);
    }
}

const TOP_LEVEL_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "host",
    "address",
    "property_type",
    "room_type",
    "accommodates",
    "bedrooms",
    "beds",
    "bathrooms",
    "price",
    "currency",
    "amenities",
    "reviews",
    "review_scores",
    "availability_365",
    "instant_bookable",
    "listed_at",
    "last_review",
    "tags",
];

fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn nonempty_str(value: &Value, what: &str) -> String {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is a string: {value}"));
    assert!(!text.trim().is_empty(), "{what} is empty");
    text.to_owned()
}

fn float(value: &Value, what: &str) -> f64 {
    assert!(value.is_f64(), "{what} is a float: {value}");
    value.as_f64().expect("f64")
}

fn int(value: &Value, what: &str) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("{what} is a non-negative integer: {value}"))
}

fn has_at_most_two_decimals(x: f64) -> bool {
    let cents = x * 100.0;
    (cents - cents.round()).abs() < 1e-6
}

#[test]
fn every_document_has_the_documented_fields_and_types() {
    let room_types = [
        "Entire home/apt",
        "Private room",
        "Shared room",
        "Hotel room",
    ];
    for doc in listings(11, 3_000) {
        let id = nonempty_str(&doc["id"], "id");
        let context = |field: &str| format!("{id}.{field}");
        let present = keys(&doc);
        let allowed: BTreeSet<&str> = TOP_LEVEL_KEYS.iter().copied().collect();
        assert!(
            present.is_subset(&allowed),
            "{id}: unexpected keys {present:?}"
        );
        let optional = ["bedrooms", "review_scores"];
        for key in TOP_LEVEL_KEYS.iter().filter(|k| !optional.contains(k)) {
            assert!(present.contains(key), "{id} lacks {key}");
        }
        assert!(
            id.len() == 10 && id.starts_with("lst-") && id[4..].chars().all(|c| c.is_ascii_digit())
        );
        nonempty_str(&doc["name"], &context("name"));
        let description = nonempty_str(&doc["description"], &context("description"));
        assert!(description.ends_with('.') && description.split(' ').count() >= 10);

        let host = &doc["host"];
        assert_eq!(
            keys(host),
            ["id", "name", "since", "superhost", "response_rate"].into()
        );
        int(&host["id"], &context("host.id"));
        nonempty_str(&host["name"], &context("host.name"));
        let since = date(host["since"].as_str().expect("host.since"));
        assert!(host["superhost"].is_boolean());
        if !host["response_rate"].is_null() {
            let rate = float(&host["response_rate"], &context("host.response_rate"));
            assert!((0.0..=1.0).contains(&rate));
        }

        let address = &doc["address"];
        assert_eq!(
            keys(address),
            ["street", "city", "country", "country_code", "location"].into()
        );
        for field in ["street", "city", "country"] {
            nonempty_str(&address[field], &context(field));
        }
        let code = nonempty_str(&address["country_code"], &context("country_code"));
        assert!(code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(keys(&address["location"]), ["lat", "lon"].into());
        let lat = float(&address["location"]["lat"], &context("lat"));
        let lon = float(&address["location"]["lon"], &context("lon"));
        assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));

        nonempty_str(&doc["property_type"], &context("property_type"));
        let room_type = nonempty_str(&doc["room_type"], &context("room_type"));
        assert!(room_types.contains(&room_type.as_str()), "{room_type}");
        let accommodates = int(&doc["accommodates"], &context("accommodates"));
        assert!((1..=16).contains(&accommodates));
        if present.contains("bedrooms") {
            assert!(int(&doc["bedrooms"], &context("bedrooms")) <= accommodates);
        }
        let beds = int(&doc["beds"], &context("beds"));
        assert!(beds >= 1 && beds <= accommodates);
        let bathrooms = float(&doc["bathrooms"], &context("bathrooms"));
        assert!(
            bathrooms >= 0.5 && (bathrooms * 2.0).fract() == 0.0,
            "{bathrooms}"
        );
        let price = float(&doc["price"], &context("price"));
        assert!(
            price > 0.0 && has_at_most_two_decimals(price),
            "{id} price {price}"
        );
        let currency = nonempty_str(&doc["currency"], &context("currency"));
        assert!(currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()));

        let amenities = doc["amenities"].as_array().expect("amenities array");
        assert!(
            (3..=15).contains(&amenities.len()),
            "{id}: {} amenities",
            amenities.len()
        );
        let distinct: BTreeSet<String> = amenities
            .iter()
            .map(|a| nonempty_str(a, &context("amenity")))
            .collect();
        assert_eq!(distinct.len(), amenities.len(), "{id}: amenities repeat");

        let listed_at = nonempty_str(&doc["listed_at"], &context("listed_at"));
        assert!(
            listed_at.ends_with('Z') && listed_at.len() == 20,
            "{listed_at}"
        );
        let listed_at = DateTime::parse_from_rfc3339(&listed_at).expect("RFC 3339");
        assert_eq!(listed_at.offset().local_minus_utc(), 0);
        assert!(
            since <= listed_at.date_naive(),
            "{id}: listed before the host joined"
        );

        let reviews = doc["reviews"].as_array().expect("reviews array");
        assert!(reviews.len() <= 8);
        let mut review_dates = Vec::new();
        let mut ratings = Vec::new();
        for review in reviews {
            assert_eq!(
                keys(review),
                ["reviewer", "date", "rating", "comment"].into()
            );
            nonempty_str(&review["reviewer"], &context("reviewer"));
            nonempty_str(&review["comment"], &context("comment"));
            let rating = int(&review["rating"], &context("rating"));
            assert!((1..=5).contains(&rating));
            ratings.push(rating);
            let day = date(review["date"].as_str().expect("review date"));
            assert!(day > listed_at.date_naive(), "{id}: review before listing");
            review_dates.push(day);
        }
        assert!(review_dates.is_sorted(), "{id}: reviews in date order");
        match review_dates.last() {
            None => {
                assert!(doc["last_review"].is_null());
                assert!(
                    !present.contains("review_scores"),
                    "{id}: scores without reviews"
                );
            }
            Some(last) => {
                assert_eq!(
                    date(doc["last_review"].as_str().expect("last_review")),
                    *last
                );
                let scores = &doc["review_scores"];
                assert_eq!(keys(scores), ["rating", "cleanliness", "location"].into());
                if ratings.len() < 2 {
                    assert!(
                        scores["rating"].is_null(),
                        "{id}: rating shown for one review"
                    );
                } else {
                    let mean = ratings.iter().sum::<u64>() as f64 / ratings.len() as f64;
                    let rating = float(&scores["rating"], &context("review_scores.rating"));
                    assert!(
                        (rating - mean).abs() <= 0.005 + 1e-9,
                        "{id}: {rating} vs {mean}"
                    );
                }
                for field in ["cleanliness", "location"] {
                    let score = float(&scores[field], &context(field));
                    assert!((1.0..=5.0).contains(&score));
                }
            }
        }

        assert!(int(&doc["availability_365"], &context("availability_365")) <= 365);
        assert!(doc["instant_bookable"].is_boolean());
        for tag in doc["tags"].as_array().expect("tags array") {
            nonempty_str(tag, &context("tag"));
        }
    }
}

#[test]
fn values_are_distributed_realistically() {
    let docs: Vec<Value> = listings(2024, 10_000).collect();
    let share = |pred: &dyn Fn(&Value) -> bool| {
        docs.iter().filter(|d| pred(d)).count() as f64 / docs.len() as f64
    };

    let missing_bedrooms = share(&|d| d.get("bedrooms").is_none());
    assert!(
        (0.035..=0.065).contains(&missing_bedrooms),
        "missing bedrooms {missing_bedrooms}"
    );
    let no_reviews = share(&|d| d["reviews"].as_array().is_some_and(Vec::is_empty));
    assert!(
        (0.18..=0.32).contains(&no_reviews),
        "no reviews {no_reviews}"
    );
    let no_tags = share(&|d| d["tags"].as_array().is_some_and(Vec::is_empty));
    assert!((0.15..=0.35).contains(&no_tags), "no tags {no_tags}");
    let entire = share(&|d| d["room_type"] == "Entire home/apt");
    assert!((0.55..=0.70).contains(&entire), "entire homes {entire}");
    let wifi = share(&|d| {
        d["amenities"]
            .as_array()
            .is_some_and(|a| a.contains(&"Wifi".into()))
    });
    let ev = share(&|d| {
        d["amenities"]
            .as_array()
            .is_some_and(|a| a.contains(&"EV charger".into()))
    });
    assert!(wifi > 5.0 * ev, "wifi {wifi} vs EV charger {ev}");

    let mut per_city: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut countries = BTreeSet::new();
    for doc in &docs {
        let city = doc["address"]["city"].as_str().expect("city");
        countries.insert(doc["address"]["country_code"].as_str().expect("code"));
        if doc["room_type"] == "Entire home/apt" {
            per_city
                .entry(city)
                .or_default()
                .push(doc["price"].as_f64().expect("price"));
        } else {
            per_city.entry(city).or_default();
        }
    }
    assert!(per_city.len() >= 28, "{} cities", per_city.len());
    assert_eq!(countries.len(), 12);
    for city in ["São Paulo", "Zürich", "東京", "Montréal", "Köln"] {
        assert!(per_city.contains_key(city), "{city} missing");
    }
    let listings_in = |city: &str| docs.iter().filter(|d| d["address"]["city"] == city).count();
    assert!(
        listings_in("London") > 4 * listings_in("Zürich"),
        "big cities have more listings"
    );

    let median = |city: &str| {
        let mut prices = per_city[city].clone();
        prices.sort_by(f64::total_cmp);
        prices[prices.len() / 2]
    };
    // Same currency, different markets.
    assert!(
        median("Paris") > median("Lyon") * 1.2,
        "Paris {} Lyon {}",
        median("Paris"),
        median("Lyon")
    );
    assert!(median("東京") > 5_000.0, "yen prices are large numbers");

    // Hosts with several listings exist, and each host is described the same everywhere.
    let mut hosts: BTreeMap<u64, Vec<&Value>> = BTreeMap::new();
    for doc in &docs {
        hosts
            .entry(doc["host"]["id"].as_u64().expect("host id"))
            .or_default()
            .push(&doc["host"]);
    }
    assert!(
        hosts.values().any(|h| h.len() >= 20),
        "some professional hosts"
    );
    assert!(hosts.len() > 7_000, "most hosts have one listing");
    for same_host in hosts.values() {
        assert!(same_host.iter().all(|h| h == &same_host[0]));
    }

    // Non-ASCII text reaches the documents.
    let text = String::from_utf8(ndjson(2024, 2_000)).expect("utf-8");
    for needle in ["São Paulo", "Zürich", "東京"] {
        assert!(
            text.contains(needle),
            "{needle} not in the first 2000 documents"
        );
    }
}
