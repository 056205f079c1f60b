//! The Letter of Authorization: render it as a PDF (free), and point the settings at a newly
//! signed one.

use futures::StreamExt;
use telnyx_reputation_api as api;
use telnyx_reputation_api::types::{EnterpriseReputationLoaRender, EnterpriseReputationLoaUpdate};
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::retry::Idempotency;
use crate::settings::{LoaDocumentId, Settings, wire};

/// The third party (reseller or partner) that manages the enterprise's numbers, printed on the
/// letter: legal name, address, and a contact. Leave it out when the enterprise works with Telnyx
/// directly.
pub use telnyx_reputation_api::types::AgentInput as LoaAgent;
/// A signature to embed (a base64 image, and optionally the signer's name); without one the PDF
/// comes back unsigned, to be signed by hand.
pub use telnyx_reputation_api::types::LoaSignaturePayload as LoaSignature;

/// What to print on the rendered letter beyond the enterprise's own record; the default is
/// neither an agent nor a signature.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct LoaRender {
    /// The managing third party, if any.
    pub agent: Option<LoaAgent>,
    /// The signature to embed, if any.
    pub signature: Option<LoaSignature>,
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
            agent: render.agent.clone(),
            signature: render.signature.clone(),
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
