//! Leader election over a `coordination.k8s.io/v1` Lease, so that of several operator
//! replicas exactly one reconciles. The decision is a pure function; the loop around it
//! uses the Lease's resourceVersion, so two candidates can never both win the same term.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::Client;
use kube::api::{Api, PostParams};
use tokio::sync::watch;
use tracing::{info, warn};

/// Where and who: the Lease's name and namespace, this candidate's identity, and timing.
#[derive(Debug, Clone)]
pub struct LeaseSettings {
    pub name: String,
    pub namespace: String,
    pub identity: String,
    /// How long a holder's claim is valid without renewal.
    pub duration: Duration,
    /// How often the holder renews (well below `duration`).
    pub renew_every: Duration,
}

/// What a candidate should do about the Lease it just read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nobody holds it (or the holder's claim expired): take it.
    Acquire,
    /// We hold it: renew.
    Renew,
    /// Someone else holds a valid claim.
    Follow { holder: String },
}

/// Decides from the current Lease (if any) at time `now`.
pub fn decide(lease: Option<&Lease>, identity: &str, now: Timestamp) -> Decision {
    let Some(spec) = lease.and_then(|l| l.spec.as_ref()) else {
        return Decision::Acquire;
    };
    let Some(holder) = spec.holder_identity.clone().filter(|h| !h.is_empty()) else {
        return Decision::Acquire;
    };
    if holder == identity {
        return Decision::Renew;
    }
    let seconds = i64::from(spec.lease_duration_seconds.unwrap_or(15));
    let renewed = spec
        .renew_time
        .as_ref()
        .or(spec.acquire_time.as_ref())
        .map(|t| t.0);
    match renewed {
        Some(renewed) if renewed + SignedDuration::from_secs(seconds) > now => {
            Decision::Follow { holder }
        }
        _ => Decision::Acquire,
    }
}

/// The Lease we write when acquiring or renewing.
pub fn claimed(previous: Option<&Lease>, settings: &LeaseSettings, now: Timestamp) -> Lease {
    let previous_spec = previous.and_then(|l| l.spec.clone()).unwrap_or_default();
    let ours = previous_spec.holder_identity.as_deref() == Some(settings.identity.as_str());
    Lease {
        metadata: ObjectMeta {
            name: Some(settings.name.clone()),
            namespace: Some(settings.namespace.clone()),
            resource_version: previous.and_then(|l| l.metadata.resource_version.clone()),
            ..ObjectMeta::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(settings.identity.clone()),
            lease_duration_seconds: Some(
                i32::try_from(settings.duration.as_secs()).unwrap_or(i32::MAX),
            ),
            acquire_time: if ours {
                previous_spec.acquire_time
            } else {
                Some(MicroTime(now))
            },
            renew_time: Some(MicroTime(now)),
            lease_transitions: Some(
                previous_spec.lease_transitions.unwrap_or(0)
                    + i32::from(!ours && previous.is_some()),
            ),
            ..LeaseSpec::default()
        }),
    }
}

/// One round: read, decide, write. Returns whether we hold the Lease afterwards.
pub async fn try_lead(api: &Api<Lease>, settings: &LeaseSettings) -> Result<bool, kube::Error> {
    let current = api.get_opt(&settings.name).await?;
    let now = Timestamp::now();
    match decide(current.as_ref(), &settings.identity, now) {
        Decision::Follow { .. } => Ok(false),
        Decision::Acquire | Decision::Renew => {
            let lease = claimed(current.as_ref(), settings, now);
            let written = match current {
                None => api.create(&PostParams::default(), &lease).await,
                // resourceVersion makes this a compare-and-swap.
                Some(_) => {
                    api.replace(&settings.name, &PostParams::default(), &lease)
                        .await
                }
            };
            match written {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
                Err(e) => Err(e),
            }
        }
    }
}

/// Campaigns forever, publishing whether we lead. Leadership is dropped as soon as a
/// renewal cannot be confirmed within the lease duration.
pub async fn campaign(client: Client, settings: LeaseSettings, leading: watch::Sender<bool>) {
    let api: Api<Lease> = Api::namespaced(client, &settings.namespace);
    let mut last_success = std::time::Instant::now();
    let mut ticker = tokio::time::interval(settings.renew_every);
    loop {
        ticker.tick().await;
        let was_leading = *leading.borrow();
        match try_lead(&api, &settings).await {
            Ok(true) => {
                last_success = std::time::Instant::now();
                if !was_leading {
                    info!(identity = %settings.identity, "became leader");
                }
                leading.send_replace(true);
            }
            Ok(false) => {
                leading.send_replace(false);
            }
            Err(e) => {
                warn!(error = %e, "lease round failed");
                if last_success.elapsed() >= settings.duration {
                    leading.send_replace(false);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(identity: &str) -> LeaseSettings {
        LeaseSettings {
            name: "docfusion-operator".into(),
            namespace: "ops".into(),
            identity: identity.into(),
            duration: Duration::from_secs(15),
            renew_every: Duration::from_secs(5),
        }
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn an_absent_or_empty_lease_is_acquired() {
        assert_eq!(decide(None, "a", at(100)), Decision::Acquire);
        assert_eq!(
            decide(Some(&Lease::default()), "a", at(100)),
            Decision::Acquire
        );
    }

    #[test]
    fn a_valid_claim_is_followed_and_an_expired_one_taken_over() {
        let lease = claimed(None, &settings("a"), at(100));
        assert_eq!(decide(Some(&lease), "a", at(105)), Decision::Renew);
        assert_eq!(
            decide(Some(&lease), "b", at(110)),
            Decision::Follow { holder: "a".into() }
        );
        assert_eq!(
            decide(Some(&lease), "b", at(116)),
            Decision::Acquire,
            "15 s expired"
        );
    }

    #[test]
    fn takeover_counts_a_transition_and_renewal_keeps_the_acquire_time() {
        let mut first = claimed(None, &settings("a"), at(100));
        first.metadata.resource_version = Some("7".into());
        let renewed = claimed(Some(&first), &settings("a"), at(105));
        let spec = renewed.spec.clone().unwrap_or_default();
        assert_eq!(spec.acquire_time, Some(MicroTime(at(100))));
        assert_eq!(spec.renew_time, Some(MicroTime(at(105))));
        assert_eq!(spec.lease_transitions, Some(0));
        assert_eq!(
            renewed.metadata.resource_version.as_deref(),
            Some("7"),
            "compare-and-swap"
        );
        let taken = claimed(Some(&first), &settings("b"), at(200));
        let spec = taken.spec.unwrap_or_default();
        assert_eq!(spec.holder_identity.as_deref(), Some("b"));
        assert_eq!(spec.lease_transitions, Some(1));
        assert_eq!(spec.acquire_time, Some(MicroTime(at(200))));
    }
}
