//! The engine's outgoing HTTP client: one place that builds the `ureq` agents the engine uses to
//! reach other programs (webhook receivers, a send's `mediaUrl`), with TLS by rustls and the
//! certificate authorities the program trusts.

use std::sync::Arc;
use std::time::Duration;

/// The certificate authorities an `https://` server's certificate must chain to.
#[derive(Debug, Clone, Default)]
pub enum TlsRoots {
    /// The public web's authorities (Mozilla's list, built into the program): what the app uses.
    #[default]
    PublicWeb,
    /// Only these DER-encoded certificates, e.g. the self-signed authority of a test's receiver.
    Only(Vec<Vec<u8>>),
}

/// An agent that answers every HTTP status as a response (not an error), follows at most
/// `redirects` redirects, ignores proxy variables and gives up after `timeout` for the whole
/// exchange.
pub(crate) fn agent(
    roots: &TlsRoots,
    timeout: Duration,
    redirects: u32,
    user_agent: &str,
) -> ureq::Agent {
    let root_certs = match roots {
        TlsRoots::PublicWeb => ureq::tls::RootCerts::WebPki,
        TlsRoots::Only(certs) => ureq::tls::RootCerts::Specific(Arc::new(
            certs
                .iter()
                .map(|der| ureq::tls::Certificate::from_der(der).to_owned())
                .collect(),
        )),
    };
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(redirects)
        .proxy(None)
        .user_agent(user_agent)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .provider(ureq::tls::TlsProvider::Rustls)
                .root_certs(root_certs)
                .build(),
        )
        .build()
        .into()
}
