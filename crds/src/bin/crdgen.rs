//! Prints the `DocFusionCluster` CRD as YAML: `cargo run -p docfusion-crds --bin crdgen >
//! crds/docfusioncluster.yaml`. A test fails when the committed file is stale.

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    match docfusion_crds::crd_yaml::render_crd_yaml() {
        Ok(yaml) => match std::io::stdout().write_all(yaml.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("crdgen: cannot write the CRD: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("crdgen: cannot render the CRD: {e}");
            ExitCode::FAILURE
        }
    }
}
