//! The Letter of Authorization: render it as a PDF (free), and point the settings at a newly
//! signed one.

use futures::StreamExt;
use telnyx_reputation_api as api;
use telnyx_reputation_api::types::{
    AgentInput, EnterpriseReputationLoaRender, EnterpriseReputationLoaUpdate, LoaSignaturePayload,
};
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::retry::Idempotency;
use crate::settings::{LoaDocumentId, Settings, wire};

/// The third party (reseller or partner) that manages the enterprise's numbers, printed on the
/// letter: its legal name (and trade name), postal address, and a contact person. Leave it out
/// when the enterprise works with Telnyx directly.
///
/// Every field but `dba` and `extended_address` is required by the API; rendering refuses an
/// agent with one of them empty or longer than the API allows ([`Error::InvalidRequest`], naming
/// the field), before anything is sent.
///
/// ```
/// use telnyx_reputation::LoaAgent;
///
/// let agent = LoaAgent::new("Acme Telecom Partners LLC")
///     .address("1 Main St", "Chicago", "IL", "60601", "US")
///     .contact("Jane Doe", "Operations lead", "jane@acme.example", "+13125550000");
/// assert_eq!(agent.city, "Chicago");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoaAgent {
    /// The agent's legal name (up to 200 characters).
    pub legal_name: String,
    /// The name it does business as, if different (up to 200 characters).
    pub dba: Option<String>,
    /// Street address (up to 255 characters).
    pub street_address: String,
    /// Suite, floor or unit (up to 255 characters).
    pub extended_address: Option<String>,
    /// City (up to 120 characters).
    pub city: String,
    /// State, province or region (up to 120 characters).
    pub administrative_area: String,
    /// Postal code (up to 30 characters).
    pub postal_code: String,
    /// Two-letter country code, such as `US`.
    pub country: String,
    /// The contact person's name (up to 200 characters).
    pub contact_name: String,
    /// The contact person's title (up to 200 characters).
    pub contact_title: String,
    /// The contact person's e-mail address.
    pub contact_email: String,
    /// The contact person's phone number, such as `+13125550000` (up to 30 characters).
    pub contact_phone: String,
}

impl LoaAgent {
    /// An agent with its legal name; set the address and contact with [`LoaAgent::address`] and
    /// [`LoaAgent::contact`] (or the fields directly).
    pub fn new(legal_name: impl Into<String>) -> LoaAgent {
        LoaAgent {
            legal_name: legal_name.into(),
            ..LoaAgent::default()
        }
    }

    /// Sets the name the agent does business as.
    pub fn dba(mut self, dba: impl Into<String>) -> LoaAgent {
        self.dba = Some(dba.into());
        self
    }

    /// Sets the postal address: street, city, state or region, postal code and two-letter
    /// country code.
    pub fn address(
        mut self,
        street_address: impl Into<String>,
        city: impl Into<String>,
        administrative_area: impl Into<String>,
        postal_code: impl Into<String>,
        country: impl Into<String>,
    ) -> LoaAgent {
        self.street_address = street_address.into();
        self.city = city.into();
        self.administrative_area = administrative_area.into();
        self.postal_code = postal_code.into();
        self.country = country.into();
        self
    }

    /// Sets the second address line (suite, floor, unit).
    pub fn extended_address(mut self, extended_address: impl Into<String>) -> LoaAgent {
        self.extended_address = Some(extended_address.into());
        self
    }

    /// Sets the contact person: name, title, e-mail address and phone number.
    pub fn contact(
        mut self,
        name: impl Into<String>,
        title: impl Into<String>,
        email: impl Into<String>,
        phone: impl Into<String>,
    ) -> LoaAgent {
        self.contact_name = name.into();
        self.contact_title = title.into();
        self.contact_email = email.into();
        self.contact_phone = phone.into();
        self
    }

    /// The generated client's form, after the API's rules (required fields present, lengths).
    fn to_wire(&self) -> Result<AgentInput, Error> {
        let required = [
            ("agent.legal_name", &self.legal_name),
            ("agent.street_address", &self.street_address),
            ("agent.city", &self.city),
            ("agent.administrative_area", &self.administrative_area),
            ("agent.postal_code", &self.postal_code),
            ("agent.country", &self.country),
            ("agent.contact_name", &self.contact_name),
            ("agent.contact_title", &self.contact_title),
            ("agent.contact_email", &self.contact_email),
            ("agent.contact_phone", &self.contact_phone),
        ];
        if let Some((field, _)) = required.iter().find(|(_, value)| value.trim().is_empty()) {
            return Err(Error::InvalidRequest {
                operation: OPERATION,
                detail: format!("{field} is required and is empty"),
            });
        }
        Ok(AgentInput {
            legal_name: wire(OPERATION, "agent.legal_name", &self.legal_name)?,
            dba: optional("agent.dba", self.dba.as_deref())?,
            street_address: wire(OPERATION, "agent.street_address", &self.street_address)?,
            extended_address: optional("agent.extended_address", self.extended_address.as_deref())?,
            city: wire(OPERATION, "agent.city", &self.city)?,
            administrative_area: wire(
                OPERATION,
                "agent.administrative_area",
                &self.administrative_area,
            )?,
            postal_code: wire(OPERATION, "agent.postal_code", &self.postal_code)?,
            country: wire(OPERATION, "agent.country", &self.country)?,
            contact_name: wire(OPERATION, "agent.contact_name", &self.contact_name)?,
            contact_title: wire(OPERATION, "agent.contact_title", &self.contact_title)?,
            contact_email: self.contact_email.clone(),
            contact_phone: wire(OPERATION, "agent.contact_phone", &self.contact_phone)?,
        })
    }
}

/// [`wire`] for a field the API lets the caller leave out.
fn optional<T: std::str::FromStr>(
    field: &'static str,
    value: Option<&str>,
) -> Result<Option<T>, Error>
where
    T::Err: std::fmt::Display,
{
    value.map(|v| wire(OPERATION, field, v)).transpose()
}

/// A signature to embed in the rendered letter: the signature image, base64-encoded, and
/// optionally the signer's name. Without one the PDF comes back unsigned, to be signed by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoaSignature {
    /// The signature image, base64-encoded.
    pub image_base64: String,
    /// The signer's name, printed under the signature.
    pub signer_name: Option<String>,
}

impl LoaSignature {
    /// A signature from its base64-encoded image.
    pub fn new(image_base64: impl Into<String>) -> LoaSignature {
        LoaSignature {
            image_base64: image_base64.into(),
            signer_name: None,
        }
    }

    /// Sets the signer's name.
    pub fn signer_name(mut self, signer_name: impl Into<String>) -> LoaSignature {
        self.signer_name = Some(signer_name.into());
        self
    }

    /// The generated client's form.
    fn to_wire(&self) -> LoaSignaturePayload {
        LoaSignaturePayload {
            image_base64: self.image_base64.clone(),
            signer_name: self.signer_name.clone(),
        }
    }
}

/// The operation the letter's parts are checked for.
const OPERATION: &str = "generate_reputation_loa";

/// What to print on the rendered letter beyond the enterprise's own record; the default is
/// neither an agent nor a signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoaRender {
    /// The managing third party, if any.
    pub agent: Option<LoaAgent>,
    /// The signature to embed, if any.
    pub signature: Option<LoaSignature>,
}

impl LoaRender {
    /// Prints `agent` as the third party managing the numbers.
    pub fn agent(mut self, agent: LoaAgent) -> LoaRender {
        self.agent = Some(agent);
        self
    }

    /// Embeds `signature` in the letter.
    pub fn signature(mut self, signature: LoaSignature) -> LoaRender {
        self.signature = Some(signature);
        self
    }
}

impl Client {
    /// Renders the enterprise's Letter of Authorization (`generateReputationLoa`) and returns
    /// the PDF's bytes. Free. Sign it, upload it to the Documents API, and pass the document id
    /// it returns to [`Client::enable`] or [`Client::replace_loa`].
    pub async fn render_loa(
        &self,
        enterprise_id: Uuid,
        render: &LoaRender,
    ) -> Result<Vec<u8>, Error> {
        let body = EnterpriseReputationLoaRender {
            agent: render.agent.as_ref().map(LoaAgent::to_wire).transpose()?,
            signature: render.signature.as_ref().map(LoaSignature::to_wire),
        };
        self.call(Idempotency::Idempotent, || {
            let body = body.clone();
            async move {
                let response = self
                    .inner
                    .generate_reputation_loa()
                    .enterprise_id(enterprise_id)
                    .body(body)
                    .send()
                    .await?;
                let (status, headers) = (response.status(), response.headers().clone());
                let mut stream = response.into_inner_stream();
                let mut pdf = Vec::new();
                while let Some(chunk) = stream.next().await {
                    pdf.extend_from_slice(&chunk.map_err(api::Error::ResponseBodyError)?);
                }
                Ok(api::ResponseValue::new(pdf, status, headers))
            }
        })
        .await
    }

    /// Points the settings at a newly signed letter (`replaceReputationLoa`). The letter's
    /// approval starts over (`loa_status` is `pending` again), and no number can be added until
    /// the new one is approved.
    pub async fn replace_loa(
        &self,
        enterprise_id: Uuid,
        loa_document_id: &LoaDocumentId,
    ) -> Result<Settings, Error> {
        let body = EnterpriseReputationLoaUpdate {
            loa_document_id: wire(
                "replace_reputation_loa",
                "loa_document_id",
                loa_document_id.as_str(),
            )?,
        };
        let settings = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .replace_reputation_loa()
                    .enterprise_id(enterprise_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Settings::from_api("replace_reputation_loa", enterprise_id, settings.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent() -> LoaAgent {
        LoaAgent::new("Acme Telecom Partners LLC")
            .address("1 Main St", "Chicago", "IL", "60601", "US")
            .contact(
                "Jane Doe",
                "Operations lead",
                "jane@acme.example",
                "+13125550000",
            )
    }

    #[test]
    fn an_agent_goes_on_the_wire_field_by_field() {
        let wire = agent().dba("Acme").to_wire().unwrap();
        let json = serde_json::to_value(&wire).unwrap();
        assert_eq!(json["legal_name"], "Acme Telecom Partners LLC");
        assert_eq!(json["dba"], "Acme");
        assert_eq!(json["country"], "US");
        assert_eq!(json["contact_phone"], "+13125550000");
        assert!(json.get("extended_address").is_none());
    }

    #[test]
    fn an_agent_missing_a_required_field_or_too_long_is_refused_naming_the_field() {
        let mut missing = agent();
        missing.contact_email = " ".into();
        let error = missing.to_wire().unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest { detail, .. } if detail.contains("agent.contact_email")),
            "{error}"
        );
        let mut long = agent();
        long.country = "USA".into();
        let error = long.to_wire().unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest { detail, .. } if detail.contains("agent.country")),
            "{error}"
        );
    }

    #[test]
    fn a_signature_keeps_its_image_and_signer() {
        let wire = LoaSignature::new("aGVsbG8=")
            .signer_name("Jane Doe")
            .to_wire();
        assert_eq!(wire.image_base64, "aGVsbG8=");
        assert_eq!(wire.signer_name.as_deref(), Some("Jane Doe"));
    }
}
