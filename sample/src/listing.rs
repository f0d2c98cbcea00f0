//! One listing document, generated from its own random stream so that listing `i` is the
//! same whatever `count` was asked for.

use serde_json::{Map, Value, json};

use crate::SplitMix64;
use crate::calendar::{days_from_civil, format_date, format_timestamp};
use crate::places::{CITIES, City, StreetStyle};
use crate::vocabulary::{
    ADJECTIVES, AMENITIES, CLOSERS, COMMENTS, ENTIRE_HOME_GUESTS, FEATURES, FIRST_NAMES,
    HOTEL_PROPERTY_TYPES, NEARBY, PROPERTY_TYPES, RATINGS, REVIEW_COUNTS, ROOM_TYPES, TAGS,
};

/// Random stream of a listing's own fields.
const STREAM_LISTING: u64 = 1;
/// Random stream of a host's fields, so every listing of a host agrees on them.
const STREAM_HOST: u64 = 2;

/// Share of listings run by one of the first [`PRO_HOSTS`] hosts (multi-listing hosts).
const PRO_HOST_SHARE: f64 = 0.2;
const PRO_HOSTS: u64 = 40;

/// Share of listings without a `bedrooms` field.
pub(crate) const MISSING_BEDROOMS_SHARE: f64 = 0.05;

/// Hosts joined between these days; nothing happens after [`LAST_DAY`].
fn first_host_day() -> i64 {
    days_from_civil(2009, 1, 1)
}
fn last_host_day() -> i64 {
    days_from_civil(2024, 6, 30)
}
/// The "today" of the data set: the latest listing or review date.
pub(crate) fn last_day() -> i64 {
    days_from_civil(2025, 6, 30)
}

struct Host {
    id: u64,
    name: &'static str,
    since: i64,
    superhost: bool,
    response_rate: Option<f64>,
}

fn host(seed: u64, id: u64) -> Host {
    let mut rng = SplitMix64::for_item(seed, STREAM_HOST, id);
    let name = *rng.pick(FIRST_NAMES);
    let since =
        rng.between(0, (last_host_day() - first_host_day()) as u64) as i64 + first_host_day();
    let superhost = rng.chance(0.2);
    // Most hosts answer nearly everything; one in ten has no rate yet.
    let response_rate = if rng.chance(0.1) {
        None
    } else {
        let u = rng.unit();
        Some(round_to(1.0 - 0.5 * u * u * u, 0.01))
    };
    Host {
        id,
        name,
        since,
        superhost,
        response_rate,
    }
}

/// Listing number `index` (0-based; its id is `lst-<index+1>`) of data set `seed`.
pub(crate) fn listing(seed: u64, index: u64) -> Value {
    let mut rng = SplitMix64::for_item(seed, STREAM_LISTING, index);

    let host_id = if index > 0 && rng.chance(PRO_HOST_SHARE) {
        1 + rng.below(PRO_HOSTS.min(index))
    } else {
        index + 1
    };
    let host = host(seed, host_id);
    let city = rng.pick_weighted_by(CITIES, |city| city.weight);

    let room_type = *rng.pick_weighted(ROOM_TYPES);
    let property_type = match room_type {
        "Hotel room" => *rng.pick_weighted(HOTEL_PROPERTY_TYPES),
        _ => *rng.pick_weighted(PROPERTY_TYPES),
    };
    let accommodates = match room_type {
        "Entire home/apt" => *rng.pick_weighted(ENTIRE_HOME_GUESTS),
        "Private room" => *rng.pick_weighted(&[(1, 35), (2, 55), (3, 10)]),
        "Hotel room" => *rng.pick_weighted(&[(1, 15), (2, 60), (3, 15), (4, 10)]),
        _ => 1,
    };
    let bedrooms = match room_type {
        "Entire home/apt" if accommodates <= 2 && rng.chance(0.2) => 0, // studio
        "Entire home/apt" => accommodates.div_ceil(2).saturating_sub(rng.below(2)).max(1),
        _ => 1,
    };
    let beds = match room_type {
        "Shared room" => 1,
        _ => (bedrooms + rng.below(1 + accommodates / 3)).clamp(1, accommodates),
    };
    let bathrooms = match room_type {
        "Entire home/apt" => 1.0 + 0.5 * rng.below(bedrooms.max(1)) as f64,
        "Private room" => *rng.pick_weighted(&[(1.0, 6), (1.5, 2), (2.0, 1)]),
        _ => 1.0,
    };
    let price = price(&mut rng, city, room_type, accommodates);

    let amenity_count = rng.between(3, 15) as usize;
    let amenities: Vec<&str> = rng
        .distinct_weighted(AMENITIES, amenity_count)
        .into_iter()
        .copied()
        .collect();

    let listed_day = rng.between(host.since.max(0) as u64, (last_day() - 14) as u64) as i64;
    let listed_second = rng.below(86_400) as u32;

    let review_count = *rng.pick_weighted(REVIEW_COUNTS);
    let mut review_days: Vec<i64> = (0..review_count)
        .map(|_| rng.between(listed_day as u64 + 1, last_day() as u64) as i64)
        .collect();
    review_days.sort_unstable();
    let mut ratings = Vec::with_capacity(review_count);
    let reviews: Vec<Value> = review_days
        .iter()
        .map(|day| {
            let rating = *rng.pick_weighted(RATINGS);
            ratings.push(rating);
            let template = rng.pick(COMMENTS[rating as usize - 1]);
            let landmark = rng.pick(city.landmarks);
            let comment = template.replace("{landmark}", landmark);
            json!({
                "reviewer": rng.pick(FIRST_NAMES),
                "date": format_date(*day),
                "rating": rating,
                "comment": comment,
            })
        })
        .collect();

    let availability_365 = if rng.chance(0.12) {
        0
    } else {
        rng.between(1, 365)
    };
    let instant_bookable = rng.chance(if room_type == "Hotel room" { 0.85 } else { 0.4 });
    let tags: Vec<&str> = if rng.chance(0.25) {
        Vec::new()
    } else {
        let count = rng.between(1, 4) as usize;
        rng.distinct_indices(TAGS.len(), count)
            .into_iter()
            .map(|i| TAGS[i])
            .collect()
    };

    let noun = listing_noun(room_type, property_type);
    let landmark = *rng.pick(city.landmarks);
    let name = listing_name(&mut rng, &noun, city, landmark, accommodates);
    let description = description(&mut rng, &noun, city, landmark, accommodates);
    let street = street(&mut rng, city);
    let lat = round_to(city.lat + 0.08 * (rng.unit() + rng.unit() - 1.0), 0.000_001);
    let lon = round_to(city.lon + 0.10 * (rng.unit() + rng.unit() - 1.0), 0.000_001);

    let mut doc = Map::new();
    doc.insert("id".into(), json!(format!("lst-{:06}", index + 1)));
    doc.insert("name".into(), json!(name));
    doc.insert("description".into(), json!(description));
    doc.insert(
        "host".into(),
        json!({
            "id": host.id,
            "name": host.name,
            "since": format_date(host.since),
            "superhost": host.superhost,
            "response_rate": host.response_rate,
        }),
    );
    doc.insert(
        "address".into(),
        json!({
            "street": street,
            "city": city.name,
            "country": city.country.name,
            "country_code": city.country.code,
            "location": { "lat": lat, "lon": lon },
        }),
    );
    doc.insert("property_type".into(), json!(property_type));
    doc.insert("room_type".into(), json!(room_type));
    doc.insert("accommodates".into(), json!(accommodates));
    // Always drawn, so dropping the field never shifts the values after it.
    if !rng.chance(MISSING_BEDROOMS_SHARE) {
        doc.insert("bedrooms".into(), json!(bedrooms));
    }
    doc.insert("beds".into(), json!(beds));
    doc.insert("bathrooms".into(), json!(bathrooms));
    doc.insert("price".into(), json!(price));
    doc.insert("currency".into(), json!(city.country.currency));
    doc.insert("amenities".into(), json!(amenities));
    doc.insert("reviews".into(), Value::Array(reviews));
    if !ratings.is_empty() {
        doc.insert("review_scores".into(), review_scores(&mut rng, &ratings));
    }
    doc.insert("availability_365".into(), json!(availability_365));
    doc.insert("instant_bookable".into(), json!(instant_bookable));
    doc.insert(
        "listed_at".into(),
        json!(format_timestamp(listed_day, listed_second)),
    );
    doc.insert(
        "last_review".into(),
        json!(review_days.last().map(|day| format_date(*day))),
    );
    doc.insert("tags".into(), json!(tags));
    Value::Object(doc)
}

/// A night's price in the city's currency: city level × room type × size × a right-skewed
/// factor, with a few luxury outliers; rounded to the currency's step.
fn price(rng: &mut SplitMix64, city: &City, room_type: &str, accommodates: u64) -> f64 {
    let room_factor = match room_type {
        "Entire home/apt" => 1.0,
        "Hotel room" => 0.85,
        "Private room" => 0.5,
        _ => 0.3,
    };
    let size_factor = 0.55 + 0.12 * accommodates as f64;
    let u = rng.unit();
    let mut skew = 0.6 + 1.5 * u * u;
    if rng.chance(0.02) {
        skew *= 2.5 + 2.5 * rng.unit();
    }
    let jitter = rng.unit(); // cents
    let raw = city.base_price * room_factor * size_factor * skew + jitter;
    round_to(raw, city.country.price_step).max(city.country.price_step)
}

/// `rating` is the mean of the reviews' ratings, but hidden (null) below two reviews.
fn review_scores(rng: &mut SplitMix64, ratings: &[u64]) -> Value {
    let mean = ratings.iter().sum::<u64>() as f64 / ratings.len() as f64;
    let rating = (ratings.len() >= 2).then(|| round_to(mean, 0.01));
    let cleanliness = round_to((mean + 0.6 * (rng.unit() - 0.5)).clamp(1.0, 5.0), 0.01);
    let location = round_to(3.8 + 1.2 * rng.unit(), 0.01);
    json!({ "rating": rating, "cleanliness": cleanliness, "location": location })
}

/// What is rented, in words: "loft", "room in a house", "hotel room".
fn listing_noun(room_type: &str, property_type: &str) -> String {
    let property = property_type.to_lowercase();
    match room_type {
        "Entire home/apt" => property,
        "Private room" => format!("room in {} {property}", article(&property)),
        "Shared room" => format!("shared room in {} {property}", article(&property)),
        _ => format!("room in {} {property}", article(&property)),
    }
}

fn listing_name(
    rng: &mut SplitMix64,
    noun: &str,
    city: &City,
    landmark: &str,
    accommodates: u64,
) -> String {
    let adjective = rng.pick(ADJECTIVES);
    match rng.below(4) {
        0 => format!("{adjective} {noun} in {}", city.name),
        1 => format!("{adjective} {noun} near {landmark}"),
        2 => format!("{adjective} {noun} with {}", rng.pick(FEATURES)),
        _ => capitalize(&format!("{landmark} {noun} for {accommodates}")),
    }
}

fn description(
    rng: &mut SplitMix64,
    noun: &str,
    city: &City,
    landmark: &str,
    accommodates: u64,
) -> String {
    let adjective = rng.pick(ADJECTIVES);
    let guests = if accommodates == 1 { "guest" } else { "guests" };
    let features = rng.distinct_indices(FEATURES.len(), 2);
    let mut text = format!(
        "{adjective} {noun} for {accommodates} {guests}, {} {landmark} in {}. It has {} and {}.",
        rng.pick(NEARBY),
        city.name,
        FEATURES[features[0]],
        FEATURES[features[1]],
    );
    if rng.chance(0.6) {
        text.push(' ');
        let closer = rng.pick(CLOSERS);
        text.push_str(closer);
    }
    text
}

fn street(rng: &mut SplitMix64, city: &City) -> String {
    let name = rng.pick(city.country.streets);
    match city.country.street_style {
        StreetStyle::NumberFirst => format!("{} {name}", rng.between(1, 999)),
        StreetStyle::NumberLast => format!("{name} {}", rng.between(1, 150)),
        StreetStyle::NumberAfterComma => format!("{name}, {}", rng.between(1, 300)),
        StreetStyle::JapaneseBlock => format!(
            "{name} {}-{}-{}",
            rng.between(1, 5),
            rng.between(1, 30),
            rng.between(1, 20)
        ),
    }
}

/// `x` rounded to a multiple of `step` (0.01 → cents). Exact IEEE operations only.
fn round_to(x: f64, step: f64) -> f64 {
    if step >= 1.0 {
        (x / step).round() * step
    } else {
        let per_unit = (1.0 / step).round();
        (x * per_unit).round() / per_unit
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_steps() {
        assert_eq!(round_to(123.456, 0.01), 123.46);
        assert_eq!(round_to(18_049.0, 100.0), 18_000.0);
        assert_eq!(round_to(18_050.0, 100.0), 18_100.0);
        assert_eq!(round_to(35.123_456_7, 0.000_001), 35.123_457);
    }

    #[test]
    fn nouns_read_naturally() {
        assert_eq!(listing_noun("Entire home/apt", "Loft"), "loft");
        assert_eq!(
            listing_noun("Private room", "Apartment"),
            "room in an apartment"
        );
        assert_eq!(
            listing_noun("Shared room", "House"),
            "shared room in a house"
        );
        assert_eq!(
            capitalize("the Colosseum loft for 4"),
            "The Colosseum loft for 4"
        );
        assert_eq!(capitalize("渋谷 loft"), "渋谷 loft");
    }

    #[test]
    fn a_host_is_the_same_in_every_listing() {
        let a = host(9, 17);
        let b = host(9, 17);
        assert_eq!(
            (a.name, a.since, a.superhost),
            (b.name, b.since, b.superhost)
        );
        assert_eq!(a.response_rate, b.response_rate);
        assert!(a.since >= first_host_day() && a.since <= last_host_day());
    }

    #[test]
    fn review_scores_agree_with_the_reviews() {
        let mut rng = SplitMix64::new(1);
        let scores = review_scores(&mut rng, &[5, 4, 4]);
        assert_eq!(scores["rating"], json!(4.33));
        assert!(review_scores(&mut rng, &[5])["rating"].is_null());
    }
}
