//! The DocFusionDB operator: reconciles each `DocFusionCluster` into Postgres shard
//! StatefulSets, query node Deployments and everything around them, and reports status.

pub mod build;
pub mod controller;
pub mod leader;
pub mod metrics;
pub mod names;
pub mod observe;
pub mod quantity;
pub mod render;
pub mod resize;
pub mod usage;
pub mod usage_sink;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod scenarios;

/// Everything that can make a reconcile fail; `metric_label` keeps failure metrics low-cardinality.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A Kubernetes API call failed.
    #[error("kubernetes API error: {0}")]
    Kube(#[source] kube::Error),
    /// Adding or removing the finalizer, or a step inside it, failed.
    #[error("finalizer error: {0}")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
    /// The object lacks something the API server always sets (name, namespace, uid).
    #[error("DocFusionCluster is missing {0}")]
    MissingField(&'static str),
    /// A Secret the cluster names does not exist or lacks the keys it must have.
    #[error("secret {secret}: {message}")]
    InvalidSecret { secret: String, message: String },
    /// The rendered query node config does not pass the node's own validation.
    #[error("rendered query node config is invalid: {0}")]
    NodeConfig(#[source] docfusion_types::ConfigError),
    /// Rendered objects could not be written as YAML.
    #[error("cannot write YAML: {0}")]
    Yaml(#[source] serde_yaml_ng::Error),
    /// An object could not be serialised for the API.
    #[error("cannot serialise {kind}: {source}")]
    Serialize {
        kind: &'static str,
        source: serde_json::Error,
    },
}

impl Error {
    /// A short, fixed label for the `docfusion_operator_reconcile_failures_total` metric.
    pub fn metric_label(&self) -> String {
        match self {
            Error::Kube(kube::Error::Api(status)) => format!("api_{}", status.code),
            Error::Kube(_) => "kube".into(),
            Error::Finalizer(inner) => match inner.as_ref() {
                kube::runtime::finalizer::Error::ApplyFailed(e)
                | kube::runtime::finalizer::Error::CleanupFailed(e) => e.metric_label(),
                _ => "finalizer".into(),
            },
            Error::MissingField(_) => "missing_field".into(),
            Error::InvalidSecret { .. } => "invalid_secret".into(),
            Error::NodeConfig(_) => "node_config".into(),
            Error::Serialize { .. } => "serialize".into(),
            Error::Yaml(_) => "yaml".into(),
        }
    }
}

impl From<kube::Error> for Error {
    fn from(e: kube::Error) -> Self {
        Error::Kube(e)
    }
}

/// The result of every fallible operator function.
pub type Result<T, E = Error> = std::result::Result<T, E>;
