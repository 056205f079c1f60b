//! The enterprise's reputation settings: read, enable (billable), disable, the check
//! frequency and the ownership webhook URL; and the Letter of Authorization document id they
//! rest on.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use telnyx_reputation_api::types::{
    EnterpriseReputationCreate, EnterpriseReputationPublic, EnterpriseReputationUpdateFrequency,
    EnterpriseReputationWebhookUpdate,
};
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::filter::InvalidInput;
use crate::retry::Idempotency;

pub use telnyx_reputation_api::{CheckFrequency, LoaStatus, ReputationStatus};

/// An enterprise's reputation settings: `status` and `loa_status` (both must be approved before
/// numbers can be added), `check_frequency`, `loa_document_id`, `rejection_reasons`, and when
/// they were created and last changed; and, since October 2026, `external_verification_status`
/// and `webhook_url`.
///
/// The activation's status is always there (settings without one are refused as
/// [`Error::Protocol`]), and so is the enterprise (the one asked for, when the answer leaves it
/// out); the spec lets the server leave out every other field, so each is an `Option`. [`Settings::raw`] is the API's own record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Settings {
    /// The enterprise the settings are of.
    pub enterprise_id: Uuid,
    /// Where the activation stands.
    pub status: ReputationStatus,
    /// Where the Letter of Authorization's review stands.
    pub loa_status: Option<LoaStatus>,
    /// The id of the signed Letter of Authorization document.
    pub loa_document_id: Option<String>,
    /// How often the numbers' reputation is refreshed (each refresh is billable).
    pub check_frequency: Option<CheckFrequency>,
    /// Why vetting refused the activation, when `status` is `Rejected` (empty otherwise).
    pub rejection_reasons: Vec<String>,
    /// Where the review of the enterprise's ownership proof for numbers hosted elsewhere stands
    /// ([`VerificationStatus`](crate::VerificationStatus)); `None` until a proof is submitted
    /// ([`Client::submit_ownership_proof`]). Numbers hosted elsewhere can be associated once it
    /// is `Approved`.
    pub external_verification_status: Option<crate::VerificationStatus>,
    /// Where the three ownership events are delivered; `None` when unset
    /// ([`Client::set_webhook_url`]).
    pub webhook_url: Option<String>,
    /// When reputation was enabled.
    pub created_at: Option<DateTime<Utc>>,
    /// When the settings last changed (approval included).
    pub updated_at: Option<DateTime<Utc>>,
    raw: EnterpriseReputationPublic,
}

impl Settings {
    /// The API's record, exactly as it was received.
    pub fn raw(&self) -> &EnterpriseReputationPublic {
        &self.raw
    }

    /// Reads the API's record of `enterprise_id`'s settings (`operation` names the call, for
    /// the error of a record that is not settings).
    pub(crate) fn from_api(
        operation: &'static str,
        enterprise_id: Uuid,
        raw: EnterpriseReputationPublic,
    ) -> Result<Settings, Error> {
        let missing = |field: &str| Error::Protocol {
            operation,
            detail: format!("the settings have no {field}, which the API always sends"),
        };
        Ok(Settings {
            enterprise_id: raw.enterprise_id.unwrap_or(enterprise_id),
            status: raw.status.clone().ok_or_else(|| missing("status"))?,
            loa_status: raw.loa_status.clone(),
            loa_document_id: raw.loa_document_id.clone(),
            check_frequency: raw.check_frequency.clone(),
            rejection_reasons: raw.rejection_reasons.clone().unwrap_or_default(),
            external_verification_status: raw.external_verification_status.clone(),
            webhook_url: raw.webhook_url.clone(),
            created_at: raw.created_at.map(|t| t.into_inner()),
            updated_at: raw.updated_at.map(|t| t.into_inner()),
            raw,
        })
    }
}

/// Where an enterprise's ownership events are delivered: an `https://` URL on a publicly
/// routable host, at most [`WebhookUrl::MAX_LEN`] characters, as the API documents it.
///
/// A plain `http://` URL on a loopback host (`127.0.0.0/8`, `::1`, `localhost`) is also built,
/// for a receiver on this machine, but [`Client::set_webhook_url`] sends it only to a base URL
/// on loopback (an emulator): Telnyx cannot reach it, and would refuse it.
///
/// ```
/// use telnyx_reputation::WebhookUrl;
/// assert!(WebhookUrl::new("https://hooks.example.com/telnyx").is_ok());
/// assert!(WebhookUrl::new("http://127.0.0.1:8088/telnyx").unwrap().is_loopback_http());
/// let refused = WebhookUrl::new("http://hooks.example.com/telnyx").unwrap_err();
/// assert_eq!(refused.field, "webhook_url");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebhookUrl {
    text: String,
    loopback_http: bool,
    public_host: bool,
}

impl WebhookUrl {
    /// The longest URL accepted, in characters (the bound the spec sets on remediation's
    /// `webhook_url`; none is documented for this one).
    pub const MAX_LEN: usize = 2_048;

    /// The URL, or why the API would refuse it. It is sent as written.
    pub fn new(url: &str) -> Result<WebhookUrl, InvalidInput> {
        let field = "webhook_url";
        let length = url.chars().count();
        if length > Self::MAX_LEN {
            return Err(InvalidInput::new(
                field,
                format!(
                    "{length} characters; at most {} are accepted",
                    Self::MAX_LEN
                ),
            ));
        }
        if url.trim() != url || url.is_empty() {
            return Err(InvalidInput::new(
                field,
                format!("{url:?} is not a URL (empty, or with spaces around it)"),
            ));
        }
        let parsed = url::Url::parse(url)
            .map_err(|e| InvalidInput::new(field, format!("{url:?} is not a URL: {e}")))?;
        let host = match parsed.host() {
            Some(url::Host::Domain(d)) if !d.is_empty() => Host::Name(d.to_ascii_lowercase()),
            Some(url::Host::Ipv4(ip)) => Host::Ip(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Host::Ip(IpAddr::V6(ip)),
            _ => {
                return Err(InvalidInput::new(field, format!("{url:?} has no host")));
            }
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(InvalidInput::new(
                field,
                format!("{url:?} carries credentials; put no user or password in the URL"),
            ));
        }
        let loopback = host.is_loopback();
        match parsed.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(InvalidInput::new(
                    field,
                    format!(
                        "{url:?} is not an https:// URL (plain http:// only to a loopback host, \
                         for a receiver on this machine)"
                    ),
                ));
            }
        }
        Ok(WebhookUrl {
            text: url.to_owned(),
            loopback_http: parsed.scheme() == "http",
            public_host: host.is_public(),
        })
    }

    /// The URL as sent.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it is a plain `http://` URL on a loopback host (sent only to an emulator).
    pub fn is_loopback_http(&self) -> bool {
        self.loopback_http
    }

    /// Whether its host can be publicly routable: a domain name other than `localhost`, or an
    /// IP address outside the loopback, private, link-local, shared and unspecified ranges.
    /// (A name is not resolved.)
    pub fn is_public(&self) -> bool {
        self.public_host
    }
}

impl std::str::FromStr for WebhookUrl {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<WebhookUrl, InvalidInput> {
        WebhookUrl::new(s)
    }
}

impl std::fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A URL's host, as far as routing goes.
enum Host {
    Name(String),
    Ip(IpAddr),
}

impl Host {
    fn is_loopback(&self) -> bool {
        match self {
            Host::Name(name) => name == "localhost" || name.ends_with(".localhost"),
            Host::Ip(ip) => ip.is_loopback(),
        }
    }

    fn is_public(&self) -> bool {
        match self {
            Host::Name(_) => !self.is_loopback(),
            Host::Ip(IpAddr::V4(ip)) => {
                let [a, b, ..] = ip.octets();
                !(ip.is_loopback()
                    || ip.is_private()
                    || ip.is_link_local()
                    || ip.is_unspecified()
                    || ip.is_broadcast()
                    || ip.is_documentation()
                    // 100.64.0.0/10, carrier-grade NAT.
                    || (a == 100 && (64..128).contains(&b)))
            }
            Host::Ip(IpAddr::V6(ip)) => {
                let first = ip.segments()[0];
                !(ip.is_loopback()
                    || ip.is_unspecified()
                    // fc00::/7 unique local, fe80::/10 link-local.
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        }
    }
}

/// The id of a signed Letter of Authorization, as the Telnyx Documents API returned it on
/// upload: 1 to 255 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoaDocumentId(String);

impl LoaDocumentId {
    /// The longest id the API accepts.
    pub const MAX_LEN: usize = 255;

    /// The id, or why the API would refuse it.
    pub fn new(id: &str) -> Result<LoaDocumentId, InvalidInput> {
        let length = id.chars().count();
        if length == 0 || length > Self::MAX_LEN {
            return Err(InvalidInput::new(
                "loa_document_id",
                format!("must be 1 to {} characters, got {length}", Self::MAX_LEN),
            ));
        }
        Ok(LoaDocumentId(id.to_owned()))
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for LoaDocumentId {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<LoaDocumentId, InvalidInput> {
        LoaDocumentId::new(s)
    }
}

/// The generated client's form of a checked value. The checks above are the spec's, so this
/// only fails if the spec changes under them; it is then reported, not sent.
pub(crate) fn wire<T: std::str::FromStr>(
    operation: &'static str,
    field: &'static str,
    value: &str,
) -> Result<T, Error>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e| Error::InvalidRequest {
        operation,
        detail: format!("{field}: {e}"),
    })
}

impl Client {
    /// The enterprise's reputation settings (`getReputationSettings`). A 404 means reputation
    /// was never enabled for it.
    pub async fn settings(&self, enterprise_id: Uuid) -> Result<Settings, Error> {
        let settings = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .get_reputation_settings()
                    .enterprise_id(enterprise_id)
                    .send()
            })
            .await?;
        Settings::from_api("get_reputation_settings", enterprise_id, settings.data)
    }

    /// Enables reputation for the enterprise (`enableReputationSettings`). **Billable** (a
    /// monthly fee per enterprise). The account must have agreed to the Terms of Service
    /// ([`Client::agree_to_terms`]); the new activation starts `pending`.
    ///
    /// Sent again only when the server certainly did not act; after an ambiguous outcome
    /// ([`Error::outcome_unknown`]) read [`Client::settings`] before enabling again.
    pub async fn enable(
        &self,
        enterprise_id: Uuid,
        loa_document_id: &LoaDocumentId,
        check_frequency: CheckFrequency,
    ) -> Result<Settings, Error> {
        let body = EnterpriseReputationCreate {
            check_frequency,
            loa_document_id: wire(
                "enable_reputation_settings",
                "loa_document_id",
                loa_document_id.as_str(),
            )?,
        };
        let settings = self
            .call(Idempotency::NotIdempotent, || {
                self.inner
                    .enable_reputation_settings()
                    .enterprise_id(enterprise_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Settings::from_api("enable_reputation_settings", enterprise_id, settings.data)
    }

    /// Disables reputation for the enterprise (`disableReputationSettings`): every number of
    /// the enterprise is de-registered with it. Not billable.
    pub async fn disable(&self, enterprise_id: Uuid) -> Result<(), Error> {
        self.call(Idempotency::Idempotent, || {
            self.inner
                .disable_reputation_settings()
                .enterprise_id(enterprise_id)
                .send()
        })
        .await
    }

    /// Changes how often the enterprise's numbers are refreshed (`updateReputationFrequency`),
    /// from the next scheduled refresh. Refused (400) while the activation is `pending`.
    pub async fn set_check_frequency(
        &self,
        enterprise_id: Uuid,
        check_frequency: CheckFrequency,
    ) -> Result<Settings, Error> {
        let body = EnterpriseReputationUpdateFrequency { check_frequency };
        let settings = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .update_reputation_frequency()
                    .enterprise_id(enterprise_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Settings::from_api("update_reputation_frequency", enterprise_id, settings.data)
    }
}

impl Client {
    /// Sets where the enterprise's ownership events are delivered (`updateReputationWebhook`),
    /// or with `None` stops them (sent as JSON `null`); returns the settings with the new
    /// `webhook_url`. One URL per enterprise carries all three events
    /// ([`webhooks`](crate::webhooks) verifies them). Not billable.
    ///
    /// Checked before sending: against the real API the URL's host must be publicly routable
    /// (an IP address in a private or loopback range, or `localhost`, is refused with
    /// [`Error::InvalidRequest`]); a base URL on loopback (an emulator) takes any
    /// [`WebhookUrl`], plain `http://` to a loopback host included. Setting a URL twice has the
    /// effect of setting it once, so the call is retried like a read.
    pub async fn set_webhook_url(
        &self,
        enterprise_id: Uuid,
        webhook_url: Option<&WebhookUrl>,
    ) -> Result<Settings, Error> {
        const OPERATION: &str = "update_reputation_webhook";
        if let Some(url) = webhook_url
            && !self.is_loopback()
            && !url.is_public()
        {
            return Err(Error::InvalidRequest {
                operation: OPERATION,
                detail: format!(
                    "webhook_url: {url} is not on a publicly routable host, which the API \
                     requires (loopback and private hosts are for an emulator on this machine)"
                ),
            });
        }
        let body = EnterpriseReputationWebhookUpdate {
            webhook_url: webhook_url.map(|u| u.as_str().to_owned()),
        };
        let settings = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .update_reputation_webhook()
                    .enterprise_id(enterprise_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Settings::from_api(OPERATION, enterprise_id, settings.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_need_a_status_and_take_the_enterprise_asked_for_when_left_out() {
        let e = Uuid::from_u128(7);
        let raw: EnterpriseReputationPublic =
            serde_json::from_str(r#"{"status":"approved","rejection_reasons":null}"#).unwrap();
        let read = Settings::from_api("get_reputation_settings", e, raw).unwrap();
        assert_eq!(read.enterprise_id, e);
        assert_eq!(read.status, ReputationStatus::Approved);
        assert!(read.rejection_reasons.is_empty() && read.loa_status.is_none());
        let raw: EnterpriseReputationPublic = serde_json::from_str("{}").unwrap();
        let error = Settings::from_api("get_reputation_settings", e, raw).unwrap_err();
        assert!(
            matches!(&error, Error::Protocol { detail, .. } if detail.contains("no status")),
            "{error}"
        );
    }

    #[test]
    fn a_webhook_url_is_https_or_plain_http_to_loopback() {
        let public = WebhookUrl::new("https://hooks.example.com/t?x=1").unwrap();
        assert_eq!(public.as_str(), "https://hooks.example.com/t?x=1");
        assert!(public.is_public() && !public.is_loopback_http());
        for local in [
            "http://127.0.0.1:9000/hook",
            "http://[::1]/hook",
            "http://localhost:80/",
        ] {
            let url = WebhookUrl::new(local).unwrap();
            assert!(url.is_loopback_http() && !url.is_public(), "{local}");
        }
        for private in [
            "https://10.1.2.3/",
            "https://192.168.0.1/",
            "https://[fd00::1]/",
        ] {
            assert!(!WebhookUrl::new(private).unwrap().is_public(), "{private}");
        }
        for refused in [
            "http://example.com/hook",
            "http://10.0.0.1/hook",
            "ftp://example.com",
            "example.com",
            "https://",
            "",
            " https://example.com",
            "https://user:pw@example.com/",
        ] {
            let e = WebhookUrl::new(refused).unwrap_err();
            assert_eq!(e.field, "webhook_url", "{refused}");
        }
        let long = format!("https://example.com/{}", "a".repeat(WebhookUrl::MAX_LEN));
        assert!(
            WebhookUrl::new(&long)
                .unwrap_err()
                .reason
                .contains("at most 2048")
        );
    }

    #[test]
    fn a_document_id_is_1_to_255_characters() {
        assert_eq!(LoaDocumentId::new("doc-1").unwrap().as_str(), "doc-1");
        assert!(LoaDocumentId::new(&"é".repeat(255)).is_ok());
        assert_eq!(LoaDocumentId::new("").unwrap_err().field, "loa_document_id");
        assert!(LoaDocumentId::new(&"x".repeat(256)).is_err());
    }
}
