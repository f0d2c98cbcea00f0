//! The generated CRD: committed YAML is current, names and subresources are as documented,
//! and its CEL rules accept good clusters and refuse bad ones (evaluated client-side with
//! kube's CEL support, the same rules the apiserver runs).

use docfusion_crds::DocFusionCluster;
use docfusion_crds::crd_yaml::{CRD_FILE, render_crd_yaml};
use kube::CustomResourceExt;
use kube::core::cel::Validator;
use serde_json::{Value, json};

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CRD_FILE)
}

#[test]
fn committed_crd_yaml_is_current() {
    let generated = render_crd_yaml().expect("CRD renders");
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        generated == committed,
        "crds/{CRD_FILE} is stale: run `cargo run -p docfusion-crds --bin crdgen > crds/{CRD_FILE}`"
    );
}

#[test]
fn crd_names_scope_columns_and_subresources() {
    let crd = DocFusionCluster::crd();
    assert_eq!(
        crd.metadata.name.as_deref(),
        Some("docfusionclusters.docfusion.io")
    );
    assert_eq!(crd.spec.group, "docfusion.io");
    assert_eq!(crd.spec.scope, "Namespaced");
    assert_eq!(crd.spec.names.kind, "DocFusionCluster");
    assert_eq!(crd.spec.names.short_names, Some(vec!["dfc".to_string()]));
    let version = &crd.spec.versions[0];
    assert_eq!(version.name, "v1alpha1");
    let columns: Vec<&str> = version
        .additional_printer_columns
        .iter()
        .flatten()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(columns, ["Shards", "Query nodes", "Ready", "Phase", "Age"]);
    let sub = version.subresources.as_ref().expect("subresources");
    assert!(sub.status.is_some(), "status subresource");
    let scale = sub.scale.as_ref().expect("scale subresource");
    assert_eq!(scale.spec_replicas_path, ".spec.queryNodes.replicas");
    assert_eq!(
        scale.status_replicas_path,
        ".status.queryNodes.readyReplicas"
    );
    assert_eq!(
        scale.label_selector_path.as_deref(),
        Some(".status.queryNodes.selector")
    );
}

fn schema() -> Value {
    let crd = DocFusionCluster::crd();
    let schema = crd.spec.versions[0]
        .schema
        .as_ref()
        .and_then(|s| s.open_api_v3_schema.as_ref())
        .expect("openAPIV3Schema");
    serde_json::to_value(schema).expect("schema is JSON")
}

fn cluster(spec: Value) -> Value {
    json!({
        "apiVersion": "docfusion.io/v1alpha1",
        "kind": "DocFusionCluster",
        "metadata": {"name": "c", "namespace": "ns"},
        "spec": spec,
    })
}

fn base_spec() -> Value {
    json!({"shards": {"count": 2, "storage": {"size": "10Gi"}}})
}

/// The messages of the rules that failed, empty when the object is valid.
fn violations(object: &Value, old: Option<&Value>) -> Vec<String> {
    match Validator::new().validate(&schema(), object, old) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| e.message).collect(),
    }
}

fn with(mut spec: Value, pointer: &str, value: Value) -> Value {
    *spec
        .pointer_mut(pointer)
        .expect("path exists in the base spec") = value;
    spec
}

#[test]
fn cel_accepts_a_valid_cluster() {
    assert_eq!(
        violations(&cluster(base_spec()), None),
        Vec::<String>::new()
    );
}

#[test]
fn cel_shard_count_may_grow_but_never_shrink() {
    let old = cluster(base_spec());
    let grown = cluster(with(base_spec(), "/shards/count", json!(3)));
    assert_eq!(violations(&grown, Some(&old)), Vec::<String>::new());
    let shrunk = cluster(with(base_spec(), "/shards/count", json!(1)));
    let errors = violations(&shrunk, Some(&old));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("shards.count may only grow"),
        "{errors:?}"
    );
    // The same object is fine on create: transition rules need an old object.
    assert_eq!(violations(&shrunk, None), Vec::<String>::new());
}

#[test]
fn cel_storage_size_must_be_positive_and_never_shrink() {
    let zero = cluster(with(base_spec(), "/shards/storage/size", json!("0")));
    assert!(
        violations(&zero, None)
            .iter()
            .any(|m| m.contains("storage.size must be positive"))
    );
    let old = cluster(base_spec());
    let smaller = cluster(with(base_spec(), "/shards/storage/size", json!("5Gi")));
    let errors = violations(&smaller, Some(&old));
    assert!(
        errors.iter().any(|m| m.contains("may not shrink")),
        "{errors:?}"
    );
    let larger = cluster(with(base_spec(), "/shards/storage/size", json!("20Gi")));
    assert_eq!(violations(&larger, Some(&old)), Vec::<String>::new());
}

#[test]
fn cel_storage_size_must_be_a_quantity() {
    let bad = cluster(with(base_spec(), "/shards/storage/size", json!("ten gigs")));
    assert!(!violations(&bad, None).is_empty());
}

#[test]
fn cel_replica_memory_budget_must_be_positive() {
    let mut spec = base_spec();
    spec["queryNodes"] = json!({"replicaMemoryBudget": "0"});
    let errors = violations(&cluster(spec.clone()), None);
    assert!(
        errors
            .iter()
            .any(|m| m.contains("replicaMemoryBudget must be positive")),
        "{errors:?}"
    );
    spec["queryNodes"] = json!({"replicaMemoryBudget": "2Gi"});
    assert_eq!(violations(&cluster(spec), None), Vec::<String>::new());
}

#[test]
fn cel_required_postgres_settings_cannot_be_disabled() {
    let mut spec = base_spec();
    spec["shards"]["postgres"] = json!({"parameters": {"wal_level": "replica"}});
    let errors = violations(&cluster(spec.clone()), None);
    assert!(
        errors
            .iter()
            .any(|m| m.contains("wal_level must stay 'logical'")),
        "{errors:?}"
    );
    spec["shards"]["postgres"] = json!({"parameters": {"max_prepared_transactions": "0"}});
    let errors = violations(&cluster(spec.clone()), None);
    assert!(
        errors
            .iter()
            .any(|m| m.contains("max_prepared_transactions must be > 0")),
        "{errors:?}"
    );
    spec["shards"]["postgres"] =
        json!({"parameters": {"wal_level": "logical", "max_prepared_transactions": "50"}});
    assert_eq!(violations(&cluster(spec), None), Vec::<String>::new());
}

#[test]
fn cel_overrides_must_name_an_existing_shard() {
    let mut spec = base_spec();
    spec["shards"]["overrides"] = json!([{"index": 2, "parameters": {"work_mem": "64MB"}}]);
    let errors = violations(&cluster(spec.clone()), None);
    assert!(
        errors.iter().any(|m| m.contains("below shards.count")),
        "{errors:?}"
    );
    spec["shards"]["overrides"] = json!([{"index": 1}]);
    assert_eq!(violations(&cluster(spec), None), Vec::<String>::new());
}

#[test]
fn cel_tenant_needs_a_plan_and_tls_needs_a_secret() {
    let mut spec = base_spec();
    spec["tenant"] = json!("acme");
    let errors = violations(&cluster(spec.clone()), None);
    assert!(
        errors.iter().any(|m| m.contains("spec.plan is required")),
        "{errors:?}"
    );
    spec["plan"] = json!("pro");
    assert_eq!(
        violations(&cluster(spec.clone()), None),
        Vec::<String>::new()
    );
    spec["tls"] = json!({"enabled": true});
    let errors = violations(&cluster(spec.clone()), None);
    assert!(
        errors
            .iter()
            .any(|m| m.contains("tls.secretName is required")),
        "{errors:?}"
    );
    spec["tls"] = json!({"enabled": true, "secretName": "tls"});
    assert_eq!(violations(&cluster(spec), None), Vec::<String>::new());
}

#[test]
fn chart_copy_of_the_crd_is_current() {
    let chart_copy = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../charts/docfusiondb-operator/files")
        .join(CRD_FILE);
    let copy = std::fs::read_to_string(&chart_copy).unwrap_or_default();
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        !committed.is_empty() && copy == committed,
        "{} differs from crds/{CRD_FILE}: copy it after running crdgen",
        chart_copy.display()
    );
}
