//! Growing the shards' volumes: which existing claims to expand, which are still growing,
//! and which cannot grow because their StorageClass does not allow expansion. Pure, so that
//! every case is tested without an API server; the controller lists the claims, asks for the
//! StorageClasses, and patches what this decides.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::PersistentVolumeClaim;

use crate::quantity::is_smaller;

/// What to do about one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeAction {
    /// Its request is below the spec: patch it to the spec's size.
    Expand { claim: String },
    /// Its request is met by neither the spec nor, yet, its capacity: the storage driver is
    /// still expanding it (or waits for a pod restart to grow the file system).
    Growing { claim: String },
    /// Its request is below the spec but its StorageClass does not allow expansion.
    Blocked {
        claim: String,
        storage_class: Option<String>,
    },
}

/// What the shard's claims need, in claim-name order; claims already at size are left out.
/// `expandable` says, per StorageClass name, whether it has `allowVolumeExpansion: true`
/// (a class missing from the map is treated as not expandable).
pub fn plan(
    wanted: &str,
    claims: &[PersistentVolumeClaim],
    expandable: &BTreeMap<String, bool>,
) -> Vec<VolumeAction> {
    let mut sorted: Vec<&PersistentVolumeClaim> = claims.iter().collect();
    sorted.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    sorted
        .into_iter()
        .filter_map(|claim| {
            let name = claim.metadata.name.clone()?;
            let spec = claim.spec.as_ref();
            let requested = spec
                .and_then(|s| s.resources.as_ref())
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map(|q| q.0.clone())?;
            if is_smaller(&requested, wanted) == Some(true) {
                let storage_class = spec.and_then(|s| s.storage_class_name.clone());
                let allowed = storage_class
                    .as_ref()
                    .and_then(|c| expandable.get(c))
                    .copied()
                    .unwrap_or(false);
                return Some(if allowed {
                    VolumeAction::Expand { claim: name }
                } else {
                    VolumeAction::Blocked {
                        claim: name,
                        storage_class,
                    }
                });
            }
            let capacity = claim
                .status
                .as_ref()
                .and_then(|s| s.capacity.as_ref())
                .and_then(|c| c.get("storage"))
                .map(|q| q.0.clone());
            // No capacity yet means the claim is still being provisioned, not resized.
            let growing = capacity.is_some_and(|c| is_smaller(&c, &requested) == Some(true));
            growing.then_some(VolumeAction::Growing { claim: name })
        })
        .collect()
}

/// The StorageClasses of the claims that would need expanding (to look up).
pub fn classes_to_check(wanted: &str, claims: &[PersistentVolumeClaim]) -> Vec<String> {
    let mut classes: Vec<String> = claims
        .iter()
        .filter_map(|c| {
            let spec = c.spec.as_ref()?;
            let requested = spec.resources.as_ref()?.requests.as_ref()?.get("storage")?;
            (is_smaller(&requested.0, wanted) == Some(true))
                .then(|| spec.storage_class_name.clone())
                .flatten()
        })
        .collect();
    classes.sort();
    classes.dedup();
    classes
}

/// The merge patch that grows a claim to `size`.
pub fn expand_patch(size: &str) -> serde_json::Value {
    serde_json::json!({"spec": {"resources": {"requests": {"storage": size}}}})
}

/// The observed result for one shard: claims growing (including those just patched) and
/// claims that cannot grow, as readable messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResizeState {
    pub growing: i32,
    pub blocked: Vec<String>,
}

impl ResizeState {
    /// Summarises a plan.
    pub fn of(actions: &[VolumeAction]) -> Self {
        let mut state = ResizeState::default();
        for action in actions {
            match action {
                VolumeAction::Expand { .. } | VolumeAction::Growing { .. } => state.growing += 1,
                VolumeAction::Blocked {
                    claim,
                    storage_class,
                } => state.blocked.push(match storage_class {
                    Some(class) => {
                        format!("{claim}: StorageClass {class} does not allow volume expansion")
                    }
                    None => format!("{claim}: has no StorageClass, so it cannot be expanded"),
                }),
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claim(
        name: &str,
        class: Option<&str>,
        request: &str,
        capacity: Option<&str>,
    ) -> PersistentVolumeClaim {
        let mut value = json!({
            "metadata": {"name": name},
            "spec": {"resources": {"requests": {"storage": request}}},
        });
        if let Some(class) = class {
            value["spec"]["storageClassName"] = json!(class);
        }
        if let Some(capacity) = capacity {
            value["status"] = json!({"capacity": {"storage": capacity}});
        }
        serde_json::from_value(value).expect("claim")
    }

    #[test]
    fn smaller_claims_of_expandable_classes_are_expanded() {
        let claims = [
            claim("data-s-1", Some("fast"), "10Gi", Some("10Gi")),
            claim("data-s-0", Some("fast"), "10Gi", Some("10Gi")),
        ];
        let expandable = BTreeMap::from([("fast".to_string(), true)]);
        assert_eq!(
            plan("20Gi", &claims, &expandable),
            [
                VolumeAction::Expand {
                    claim: "data-s-0".into()
                },
                VolumeAction::Expand {
                    claim: "data-s-1".into()
                },
            ]
        );
        assert_eq!(classes_to_check("20Gi", &claims), ["fast"]);
        assert_eq!(
            expand_patch("20Gi"),
            json!({"spec": {"resources": {"requests": {"storage": "20Gi"}}}})
        );
    }

    #[test]
    fn claims_at_size_need_nothing_and_growing_ones_are_reported() {
        let claims = [
            claim("a", Some("fast"), "20Gi", Some("20Gi")),
            claim("b", Some("fast"), "20Gi", Some("10Gi")),
            claim("c", Some("fast"), "20Gi", None),
            // 21474836480 bytes is 20Gi written differently.
            claim("d", Some("fast"), "21474836480", Some("20Gi")),
        ];
        let actions = plan("20Gi", &claims, &BTreeMap::new());
        assert_eq!(actions, [VolumeAction::Growing { claim: "b".into() }]);
        assert!(classes_to_check("20Gi", &claims).is_empty());
        assert_eq!(
            ResizeState::of(&actions),
            ResizeState {
                growing: 1,
                blocked: vec![]
            }
        );
    }

    #[test]
    fn classes_without_expansion_block_and_say_why() {
        let claims = [
            claim("a", Some("standard"), "10Gi", Some("10Gi")),
            claim("b", None, "10Gi", Some("10Gi")),
        ];
        let expandable = BTreeMap::from([("standard".to_string(), false)]);
        let actions = plan("20Gi", &claims, &expandable);
        let state = ResizeState::of(&actions);
        assert_eq!(state.growing, 0);
        assert_eq!(
            state.blocked,
            [
                "a: StorageClass standard does not allow volume expansion",
                "b: has no StorageClass, so it cannot be expanded"
            ]
        );
        // A class the API did not return counts as not expandable.
        let unknown = [claim("a", Some("gone"), "10Gi", None)];
        assert!(matches!(
            plan("20Gi", &unknown, &BTreeMap::new())[0],
            VolumeAction::Blocked { .. }
        ));
    }
}
