//! Every example in `docs/examples/` is a valid `DocFusionCluster`: it parses into the API
//! type without losing or renaming any field (so a misspelled key fails here, as
//! `kubectl apply --validate=strict` would), and it passes the CRD's CEL rules.

use std::path::PathBuf;

use docfusion_crds::DocFusionCluster;
use kube::CustomResourceExt;
use kube::core::cel::Validator;
use serde_json::Value;

fn examples() -> Vec<(PathBuf, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let mut found: Vec<(PathBuf, Value)> = std::fs::read_dir(&dir)
        .expect("docs/examples exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable example");
            let value: Value = serde_yaml_ng::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()));
            (path, value)
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Every leaf of `original` is present, equal, in `round_trip` (extra defaulted fields are
/// fine). Returns the JSON pointers that were dropped or changed.
fn missing_leaves(original: &Value, round_trip: &Value, at: String, out: &mut Vec<String>) {
    match (original, round_trip) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                match b.get(key) {
                    Some(other) => missing_leaves(value, other, format!("{at}/{key}"), out),
                    None => out.push(format!("{at}/{key}")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                missing_leaves(x, y, format!("{at}/{i}"), out);
            }
        }
        (a, b) if a == b => {}
        _ => out.push(at),
    }
}

#[test]
fn there_are_examples() {
    let names: Vec<String> = examples()
        .iter()
        .filter_map(|(p, _)| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    for expected in ["minimal.yaml", "production.yaml", "hibernated.yaml"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
}

#[test]
fn examples_parse_into_the_api_type_without_dropping_fields() {
    for (path, value) in examples() {
        let cluster: DocFusionCluster = serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let round_trip = serde_json::to_value(&cluster).expect("serialises");
        let mut missing = Vec::new();
        missing_leaves(&value, &round_trip, String::new(), &mut missing);
        assert!(
            missing.is_empty(),
            "{}: unknown or changed fields {missing:?}",
            path.display()
        );
    }
}

#[test]
fn examples_pass_the_crd_cel_rules() {
    let crd = DocFusionCluster::crd();
    let schema = serde_json::to_value(
        crd.spec.versions[0]
            .schema
            .as_ref()
            .and_then(|s| s.open_api_v3_schema.as_ref())
            .expect("schema"),
    )
    .expect("JSON");
    for (path, value) in examples() {
        let result = Validator::new().validate(&schema, &value, None);
        assert!(result.is_ok(), "{}: {result:?}", path.display());
    }
}

#[test]
fn the_production_example_sets_what_its_comment_says() {
    let (_, value) = examples()
        .into_iter()
        .find(|(p, _)| p.ends_with("production.yaml"))
        .expect("production example");
    let cluster: DocFusionCluster = serde_json::from_value(value).expect("valid");
    assert_eq!(cluster.spec.shards.count, 4);
    assert_eq!(cluster.spec.shards.instances_per_shard(), 2);
    assert_eq!(
        cluster.spec.deletion_policy,
        docfusion_crds::DeletionPolicy::Delete
    );
    assert!(cluster.spec.shards.override_for(3).is_some());
    assert!(cluster.spec.shards.override_for(0).is_none());
}
