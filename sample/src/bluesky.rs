//! Deterministic Bluesky firehose events shaped like JSONBench's data set: the same field
//! names and types (`did`, `time_us`, `kind`, and for `kind = "commit"` a `commit` object
//! with `rev`, `operation`, `collection`, `rkey`, and for creates and updates `record` and
//! `cid`), with a skewed mix of collections and users.
//!
//! Event `index` of a data set of `count` events is generated from its own random stream,
//! so any event can be generated on its own (in parallel, or in batches); `time_us` spreads
//! the events over [`SPAN_DAYS`] days whatever `count` is, so it depends on `count` too.
//!
//! ```json
//! {"did": "did:plc:yj3sjq3blzpynh27cumnp5ks", "time_us": 1732147200413561, "kind": "commit",
//!  "commit": {"rev": "3lbh2v4dxxk2a", "operation": "create", "collection": "app.bsky.feed.like",
//!             "rkey": "3lbh2v4dtxc2b", "cid": "bafyreib…",
//!             "record": {"$type": "app.bsky.feed.like", "createdAt": "2024-11-21T00:00:00.312Z",
//!                        "subject": {"cid": "bafyrei…", "uri": "at://did:plc:…/app.bsky.feed.post/3lb…"}}}}
//! ```

use serde_json::{Map, Value, json};

use crate::SplitMix64;
use crate::calendar::{civil_from_days, days_from_civil};

/// Random stream of an event's own fields.
const STREAM_EVENT: u64 = 11;
/// Random stream of a user's `did`, so every event of a user agrees on it.
const STREAM_USER: u64 = 12;

/// Users the events are drawn from. User `u` is picked with a probability falling like
/// `u^(-2/3)` (index = `USERS · x³` for a uniform `x`): the busiest user makes about 1% of
/// the events, the first thousand about 10%, and most users a handful.
pub const USERS: u64 = 1 << 20;

/// Days the events of a data set span, from [`FIRST_DAY`] on.
pub const SPAN_DAYS: u64 = 3;

/// The first day of the events: 2024-11-21 (UTC).
fn first_day() -> i64 {
    days_from_civil(2024, 11, 21)
}

/// Microseconds since the Unix epoch of the first event.
pub fn first_time_us() -> i64 {
    first_day() * 86_400 * 1_000_000
}

/// Jitter added to each event's slot in time, at most this many microseconds either way
/// (events arrive about in order, as on the firehose).
const JITTER_US: u64 = 2_000_000;

/// Kinds of events and their weights.
pub const KINDS: &[(&str, u32)] = &[("commit", 970), ("identity", 20), ("account", 10)];

/// Operations of a commit and their weights.
pub const OPERATIONS: &[(&str, u32)] = &[("create", 88), ("delete", 9), ("update", 3)];

/// Collections of a commit and their weights: a few dominate (likes, follows, posts,
/// reposts), a long tail is rare.
pub const COLLECTIONS: &[(&str, u32)] = &[
    ("app.bsky.feed.like", 5_200),
    ("app.bsky.graph.follow", 1_900),
    ("app.bsky.feed.post", 1_300),
    ("app.bsky.feed.repost", 1_000),
    ("app.bsky.graph.block", 220),
    ("app.bsky.graph.listitem", 180),
    ("app.bsky.actor.profile", 90),
    ("app.bsky.feed.threadgate", 40),
    ("app.bsky.graph.list", 20),
    ("app.bsky.feed.postgate", 20),
    ("chat.bsky.actor.declaration", 15),
    ("app.bsky.graph.starterpack", 8),
    ("app.bsky.feed.generator", 5),
    ("app.bsky.graph.listblock", 2),
];

/// Languages of a post (`langs`), as lists, and their weights; some posts have none.
const LANGS: &[(&[&str], u32)] = &[
    (&["en"], 560),
    (&["ja"], 120),
    (&["pt"], 90),
    (&["de"], 40),
    (&["es"], 35),
    (&["fr"], 25),
    (&["ko"], 20),
    (&["en", "es"], 8),
    (&["en", "ja"], 6),
    (&["en", "de"], 4),
    (&[], 12),
];

const WORDS: &[&str] = &[
    "the", "a", "today", "just", "finally", "new", "post", "love", "this", "is", "so", "good",
    "morning", "night", "coffee", "cat", "dog", "art", "music", "book", "reading", "game",
    "playing", "weather", "city", "train", "late", "again", "why", "everyone", "here", "hello",
    "sky", "blue", "thread", "photo", "drawing", "release", "update", "week", "weekend", "fun",
    "tired", "happy", "lol", "wow", "really", "think", "people", "time", "world", "news",
];

const HASHTAGS: &[&str] = &[
    "art",
    "photography",
    "bookstodon",
    "gaming",
    "music",
    "news",
    "science",
    "cats",
    "dogs",
    "nature",
];

const NAMES: &[&str] = &[
    "Ana", "Ben", "Chloé", "Dev", "Emi", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea",
    "Mika", "Noor", "Oli", "Pia", "Quinn", "Rui", "Sol", "Tom",
];

/// The alphabet of `did:plc` identifiers and of CIDs (RFC 4648 base32, lower case).
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// The alphabet of record keys and revisions (timestamp identifiers, sortable).
const BASE32_SORTABLE: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// `count` events of data set `seed`, in order.
pub fn events(seed: u64, count: u64) -> impl Iterator<Item = Value> {
    (0..count).map(move |index| event(seed, count, index))
}

/// The `did` of user `user` (0-based, below [`USERS`]) of data set `seed`: `did:plc:`
/// and 24 base32 characters.
pub fn did(seed: u64, user: u64) -> String {
    let mut rng = SplitMix64::for_item(seed, STREAM_USER, user);
    let mut out = String::with_capacity(32);
    out.push_str("did:plc:");
    push_random(&mut out, &mut rng, BASE32, 24);
    out
}

/// Event `index` (0-based) of the `count` events of data set `seed`.
pub fn event(seed: u64, count: u64, index: u64) -> Value {
    let mut rng = SplitMix64::for_item(seed, STREAM_EVENT, index);
    let user = pick_user(&mut rng);
    let did = did(seed, user);
    let time_us = time_us(&mut rng, count, index);
    let kind = *rng.pick_weighted(KINDS);

    let mut doc = Map::new();
    doc.insert("did".into(), Value::from(did.clone()));
    doc.insert("time_us".into(), Value::from(time_us));
    doc.insert("kind".into(), Value::from(kind));
    match kind {
        "commit" => {
            doc.insert("commit".into(), commit(&mut rng, seed, &did, time_us));
        }
        "identity" => {
            doc.insert(
                "identity".into(),
                json!({
                    "did": did,
                    "handle": format!("{}.bsky.social", handle(&mut rng)),
                    "seq": sequence(&mut rng, index),
                    "time": iso_millis(time_us - 1_000 * rng.between(0, 900) as i64),
                }),
            );
        }
        _ => {
            doc.insert(
                "account".into(),
                json!({
                    "active": rng.chance(0.8),
                    "did": did,
                    "seq": sequence(&mut rng, index),
                    "time": iso_millis(time_us - 1_000 * rng.between(0, 900) as i64),
                }),
            );
        }
    }
    Value::Object(doc)
}

/// A user index skewed towards 0 (see [`USERS`]); only exact float products, no `libm`.
fn pick_user(rng: &mut SplitMix64) -> u64 {
    let x = rng.unit();
    ((USERS as f64) * x * x * x) as u64
}

/// The event's time: its slot in [`SPAN_DAYS`] plus jitter, never before the first day.
fn time_us(rng: &mut SplitMix64, count: u64, index: u64) -> i64 {
    let span = u128::from(SPAN_DAYS * 86_400 * 1_000_000);
    let slot = (span * u128::from(index) / u128::from(count.max(1))) as i64;
    let jitter = rng.between(0, 2 * JITTER_US) as i64 - JITTER_US as i64;
    first_time_us() + (slot + jitter).max(0)
}

/// A firehose sequence number, increasing with the event index.
fn sequence(rng: &mut SplitMix64, index: u64) -> u64 {
    3_000_000_000 + index * 8 + rng.below(8)
}

fn commit(rng: &mut SplitMix64, seed: u64, did: &str, time_us: i64) -> Value {
    let collection = *rng.pick_weighted(COLLECTIONS);
    // A profile is only ever written at rkey "self", mostly updated; other records are
    // created and deleted.
    let operation = if collection == "app.bsky.actor.profile" {
        *rng.pick_weighted(&[("update", 6), ("create", 3), ("delete", 1)])
    } else {
        *rng.pick_weighted(OPERATIONS)
    };
    let rkey = if collection == "app.bsky.actor.profile" {
        "self".to_string()
    } else {
        let written_us = time_us - 1_000 * rng.between(0, 2_000) as i64;
        tid(rng, written_us)
    };
    let mut commit = Map::new();
    commit.insert("rev".into(), Value::from(tid(rng, time_us)));
    commit.insert("operation".into(), Value::from(operation));
    commit.insert("collection".into(), Value::from(collection));
    commit.insert("rkey".into(), Value::from(rkey));
    if operation != "delete" {
        let created_us = time_us - 1_000 * rng.between(0, 1_500) as i64;
        commit.insert(
            "record".into(),
            record(rng, seed, collection, did, created_us),
        );
        commit.insert("cid".into(), Value::from(cid(rng)));
    }
    Value::Object(commit)
}

fn record(rng: &mut SplitMix64, seed: u64, collection: &str, did: &str, created_us: i64) -> Value {
    let mut record = Map::new();
    record.insert("$type".into(), Value::from(collection));
    record.insert("createdAt".into(), Value::from(iso_millis(created_us)));
    match collection {
        "app.bsky.feed.post" => post(rng, seed, &mut record, created_us),
        "app.bsky.feed.like" | "app.bsky.feed.repost" => {
            record.insert("subject".into(), post_ref(rng, seed, created_us));
        }
        "app.bsky.graph.follow" | "app.bsky.graph.block" => {
            let other = pick_user(rng);
            record.insert(
                "subject".into(),
                Value::from(crate::bluesky::did(seed, other)),
            );
        }
        "app.bsky.graph.listitem" => {
            record.insert(
                "list".into(),
                Value::from(format!(
                    "at://{did}/app.bsky.graph.list/{}",
                    tid(rng, created_us - 86_400_000_000)
                )),
            );
            let other = pick_user(rng);
            record.insert(
                "subject".into(),
                Value::from(crate::bluesky::did(seed, other)),
            );
        }
        "app.bsky.actor.profile" => {
            record.insert("displayName".into(), Value::from(*rng.pick(NAMES)));
            record.insert("description".into(), Value::from(sentence(rng, 4, 12)));
        }
        "app.bsky.feed.threadgate" | "app.bsky.feed.postgate" => {
            record.insert("post".into(), Value::from(uri(rng, seed, created_us)));
        }
        _ => {}
    }
    Value::Object(record)
}

fn post(rng: &mut SplitMix64, seed: u64, record: &mut Map<String, Value>, created_us: i64) {
    let mut text = sentence(rng, 2, 30);
    let tagged = rng.chance(0.12);
    if tagged {
        text.push_str(" #");
        let tag = *rng.pick(HASHTAGS);
        text.push_str(tag);
    }
    let langs = *rng.pick_weighted(LANGS);
    record.insert(
        "langs".into(),
        Value::Array(langs.iter().map(|l| Value::from(*l)).collect()),
    );
    if tagged {
        // The byte range of "#tag" at the end of the text.
        let start = text.rfind('#').unwrap_or(0);
        record.insert(
            "facets".into(),
            json!([{
                "index": {"byteStart": start, "byteEnd": text.len()},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": &text[start + 1..]}],
            }]),
        );
    }
    record.insert("text".into(), Value::from(text));
    if rng.chance(0.3) {
        let parent = post_ref(rng, seed, created_us);
        let root = if rng.chance(0.5) {
            parent.clone()
        } else {
            post_ref(rng, seed, created_us - 3_600_000_000)
        };
        record.insert("reply".into(), json!({"parent": parent, "root": root}));
    }
    if rng.chance(0.2) {
        let embed = if rng.chance(0.6) {
            let images = (0..rng.between(1, 4))
                .map(|_| {
                    json!({
                        "alt": if rng.chance(0.4) { sentence(rng, 2, 8) } else { String::new() },
                        "image": {"$type": "blob", "mimeType": "image/jpeg",
                                  "size": rng.between(20_000, 900_000), "ref": {"$link": cid(rng)}},
                    })
                })
                .collect::<Vec<_>>();
            json!({"$type": "app.bsky.embed.images", "images": images})
        } else {
            json!({"$type": "app.bsky.embed.record", "record": post_ref(rng, seed, created_us)})
        };
        record.insert("embed".into(), embed);
    }
}

/// A strong reference to some user's earlier post: `{cid, uri}`.
fn post_ref(rng: &mut SplitMix64, seed: u64, before_us: i64) -> Value {
    json!({"cid": cid(rng), "uri": uri(rng, seed, before_us)})
}

fn uri(rng: &mut SplitMix64, seed: u64, before_us: i64) -> String {
    let author = did(seed, pick_user(rng));
    let at = before_us - rng.between(1, 7 * 86_400) as i64 * 1_000_000;
    format!("at://{author}/app.bsky.feed.post/{}", tid(rng, at))
}

/// A content identifier: `bafyrei` and 52 base32 characters.
fn cid(rng: &mut SplitMix64) -> String {
    let mut out = String::with_capacity(59);
    out.push_str("bafyrei");
    push_random(&mut out, rng, BASE32, 52);
    out
}

/// A timestamp identifier of 13 sortable base32 characters: 53 bits of microseconds and 10
/// random bits (the "clock id").
fn tid(rng: &mut SplitMix64, time_us: i64) -> String {
    let value = ((time_us.max(0) as u64 & ((1 << 53) - 1)) << 10) | rng.below(1 << 10);
    (0..13)
        .rev()
        .map(|i| BASE32_SORTABLE[((value >> (5 * i)) & 31) as usize] as char)
        .collect()
}

fn handle(rng: &mut SplitMix64) -> String {
    format!(
        "{}{}",
        rng.pick(NAMES).to_lowercase().replace('é', "e"),
        rng.below(10_000)
    )
}

fn sentence(rng: &mut SplitMix64, min_words: u64, max_words: u64) -> String {
    let words = rng.between(min_words, max_words);
    let mut out = String::new();
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        let word = *rng.pick(WORDS);
        out.push_str(word);
    }
    out
}

fn push_random(out: &mut String, rng: &mut SplitMix64, alphabet: &[u8; 32], len: usize) {
    for _ in 0..len {
        out.push(alphabet[rng.below(32) as usize] as char);
    }
}

/// RFC 3339 with milliseconds in UTC: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn iso_millis(time_us: i64) -> String {
    let millis = time_us.div_euclid(1_000);
    let days = millis.div_euclid(86_400_000);
    let ms_of_day = millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1_000 % 60,
        ms_of_day % 1_000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const N: u64 = 20_000;

    fn share<'a>(docs: &'a [Value], f: impl Fn(&'a Value) -> bool) -> f64 {
        docs.iter().filter(|d| f(d)).count() as f64 / docs.len() as f64
    }

    #[test]
    fn same_seed_same_bytes_and_events_stand_alone() {
        let a: Vec<String> = events(5, 500).map(|d| d.to_string()).collect();
        let b: Vec<String> = events(5, 500).map(|d| d.to_string()).collect();
        assert_eq!(a, b);
        assert_eq!(event(5, 500, 123).to_string(), a[123]);
        let other: Vec<String> = events(6, 500).map(|d| d.to_string()).collect();
        assert_ne!(a, other);
    }

    #[test]
    fn every_event_has_the_jsonbench_fields_and_types() {
        for doc in events(1, 5_000) {
            let did = doc["did"].as_str().unwrap();
            let tail = did.strip_prefix("did:plc:").unwrap();
            assert_eq!(tail.len(), 24, "{did}");
            assert!(tail.bytes().all(|b| BASE32.contains(&b)), "{did}");
            assert!(doc["time_us"].is_i64());
            let kind = doc["kind"].as_str().unwrap();
            assert_eq!(doc.get("commit").is_some(), kind == "commit", "{doc}");
            if kind != "commit" {
                assert!(doc.get(kind).is_some_and(Value::is_object), "{doc}");
                continue;
            }
            let commit = &doc["commit"];
            for key in ["rev", "operation", "collection", "rkey"] {
                assert!(commit[key].is_string(), "{key} in {doc}");
            }
            assert_eq!(commit["rev"].as_str().unwrap().len(), 13);
            let collection = commit["collection"].as_str().unwrap();
            let has_record = commit["operation"] != "delete";
            assert_eq!(commit.get("record").is_some(), has_record, "{doc}");
            assert_eq!(commit.get("cid").is_some(), has_record, "{doc}");
            if !has_record {
                continue;
            }
            let record = &commit["record"];
            assert_eq!(record["$type"], collection);
            let created = record["createdAt"].as_str().unwrap();
            assert_eq!(created.len(), 24, "{created}");
            assert!(created.starts_with("2024-11-2"), "{created}");
            match collection {
                "app.bsky.feed.post" => {
                    assert!(record["text"].is_string());
                    assert!(
                        record["langs"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .all(Value::is_string)
                    );
                }
                "app.bsky.feed.like" | "app.bsky.feed.repost" => {
                    assert!(
                        record["subject"]["cid"]
                            .as_str()
                            .unwrap()
                            .starts_with("bafyrei")
                    );
                    assert!(
                        record["subject"]["uri"]
                            .as_str()
                            .unwrap()
                            .starts_with("at://did:plc:")
                    );
                }
                _ => {}
            }
        }
    }

    #[test]
    fn facets_point_at_the_hashtag() {
        let doc = events(2, 20_000)
            .find(|d| d["commit"]["record"].get("facets").is_some())
            .unwrap();
        let record = &doc["commit"]["record"];
        let text = record["text"].as_str().unwrap();
        let index = &record["facets"][0]["index"];
        let (start, end) = (
            index["byteStart"].as_u64().unwrap() as usize,
            index["byteEnd"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            &text[start..end],
            format!(
                "#{}",
                record["facets"][0]["features"][0]["tag"].as_str().unwrap()
            )
        );
    }

    #[test]
    fn times_increase_with_jitter_over_a_few_days() {
        let times: Vec<i64> = events(3, N)
            .map(|d| d["time_us"].as_i64().unwrap())
            .collect();
        let first = first_time_us();
        // 2024-11-21T00:00:00Z, computed by hand: 20048 days after 1970-01-01.
        assert_eq!(first, 20_048 * 86_400 * 1_000_000);
        let span = (SPAN_DAYS * 86_400 * 1_000_000) as i64;
        assert!(
            times
                .iter()
                .all(|t| (first..first + span + 2_000_000).contains(t))
        );
        assert!(times[N as usize - 1] - times[0] > span - 20_000_000);
        // Mostly in order, but where events are closer than the jitter (a million over
        // three days: 0.26 s apart) not sorted: the jitter reorders neighbours.
        let dense: Vec<i64> = (0..2_000)
            .map(|i| event(3, 1_000_000, i)["time_us"].as_i64().unwrap())
            .collect();
        let ascending = dense.windows(2).filter(|w| w[0] <= w[1]).count();
        assert!(ascending > 1_000, "{ascending}");
        assert!(ascending < 1_999, "{ascending}");
        assert!(
            dense[1_999] - dense[0] > 400_000_000,
            "{}",
            dense[1_999] - dense[0]
        );
        let last_day = times
            .iter()
            .filter(|t| **t >= first + 2 * 86_400_000_000)
            .count();
        assert!((6_000..7_400).contains(&last_day), "{last_day}");
    }

    #[test]
    fn kinds_operations_and_collections_are_skewed_as_specified() {
        let docs: Vec<Value> = events(4, N).collect();
        let commits = share(&docs, |d| d["kind"] == "commit");
        assert!((0.96..0.98).contains(&commits), "commit share {commits}");
        assert!(share(&docs, |d| d["kind"] == "identity") > 0.01);
        assert!(share(&docs, |d| d["kind"] == "account") > 0.004);
        let creates = share(&docs, |d| d["commit"]["operation"] == "create");
        assert!((0.82..0.88).contains(&creates), "create share {creates}");
        let mut by_collection: HashMap<&str, usize> = HashMap::new();
        for d in &docs {
            if let Some(c) = d["commit"]["collection"].as_str() {
                *by_collection.entry(c).or_default() += 1;
            }
        }
        let likes = by_collection["app.bsky.feed.like"] as f64 / docs.len() as f64;
        assert!((0.48..0.54).contains(&likes), "like share {likes}");
        let order = [
            "app.bsky.feed.like",
            "app.bsky.graph.follow",
            "app.bsky.feed.post",
            "app.bsky.feed.repost",
            "app.bsky.graph.block",
        ];
        for pair in order.windows(2) {
            assert!(by_collection[pair[0]] > by_collection[pair[1]], "{pair:?}");
        }
        assert!(by_collection.len() >= 12, "{by_collection:?}");
    }

    #[test]
    fn a_few_users_are_very_active() {
        let docs: Vec<Value> = events(5, N).collect();
        let mut per_user: HashMap<&str, usize> = HashMap::new();
        for d in &docs {
            *per_user.entry(d["did"].as_str().unwrap()).or_default() += 1;
        }
        let mut counts: Vec<usize> = per_user.values().copied().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        // P(user 0) = (1/USERS)^(1/3) ≈ 0.98%; P(user < 1000) = (1000/USERS)^(1/3) ≈ 9.8%.
        let top = counts[0] as f64 / N as f64;
        assert!((0.007..0.013).contains(&top), "busiest user {top}");
        let busiest: std::collections::HashSet<String> = (0..1000).map(|u| did(5, u)).collect();
        let top_1000 = docs
            .iter()
            .filter(|d| busiest.contains(d["did"].as_str().unwrap()))
            .count();
        let top_1000 = top_1000 as f64 / N as f64;
        assert!(
            (0.085..0.11).contains(&top_1000),
            "first 1000 users {top_1000}"
        );
        // And a long tail: most users appear once.
        let once = counts.iter().filter(|c| **c == 1).count();
        assert!(once * 2 > counts.len(), "{once} of {}", counts.len());
    }

    #[test]
    fn identifiers_have_their_formats() {
        let mut rng = SplitMix64::new(9);
        let t = tid(&mut rng, first_time_us());
        assert_eq!(t.len(), 13);
        assert!(t.bytes().all(|b| BASE32_SORTABLE.contains(&b)));
        // Later times sort later.
        let later = tid(&mut rng, first_time_us() + 1_000_000);
        assert!(later > t);
        assert_eq!(
            iso_millis(first_time_us() + 3_723_004_999),
            "2024-11-21T01:02:03.004Z"
        );
        assert_eq!(cid(&mut rng).len(), 59);
    }
}
