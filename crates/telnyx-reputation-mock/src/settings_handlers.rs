//! The enterprise lifecycle operations: the Terms of Service agreement, reputation settings
//! (get, enable, disable, frequency) and the Letter of Authorization (render, replace).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::App;
use crate::envelope::refusal;
use crate::guard::Account;
use crate::loa::{LoaText, render};
use crate::model::{CheckFrequency, Wrapped};
use crate::wire::JsonBody;

/// `EnterpriseReputationCreate`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnableBody {
    loa_document_id: Option<String>,
    #[serde(default)]
    check_frequency: CheckFrequency,
}

/// `EnterpriseReputationUpdateFrequency`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrequencyBody {
    check_frequency: CheckFrequency,
}

/// `EnterpriseReputationLoaUpdate`. Unlike the other bodies, its schema does not forbid
/// additional properties, so an unknown field is ignored, not refused.
#[derive(Deserialize)]
pub(crate) struct LoaUpdateBody {
    loa_document_id: Option<String>,
}

/// `AgentInput`, the fields the letter shows.
#[derive(Deserialize)]
struct AgentBody {
    legal_name: String,
}

/// `LoaSignaturePayload`.
#[derive(Deserialize)]
struct SignatureBody {
    #[allow(dead_code)]
    image_base64: String,
    signer_name: Option<String>,
}

/// `EnterpriseReputationLoaRender`.
#[derive(Deserialize)]
pub(crate) struct RenderBody {
    agent: Option<AgentBody>,
    signature: Option<SignatureBody>,
}

pub(crate) async fn agree(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
) -> Response {
    let now = app.clock.now();
    let agreement = app.world().agree_to_terms(account, now);
    (StatusCode::CREATED, Json(Wrapped { data: agreement })).into_response()
}

pub(crate) async fn get_settings(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
) -> Response {
    let now = app.clock.now();
    match app.world().reputation_settings(account, enterprise, now) {
        Ok(data) => Json(Wrapped { data }).into_response(),
        Err(r) => refusal(r),
    }
}

pub(crate) async fn enable(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
    JsonBody(body): JsonBody<EnableBody>,
) -> Response {
    let now = app.clock.now();
    match app.world().enable(
        account,
        enterprise,
        body.loa_document_id.as_deref(),
        body.check_frequency,
        now,
    ) {
        Ok(data) => (StatusCode::CREATED, Json(Wrapped { data })).into_response(),
        Err(r) => refusal(r),
    }
}

pub(crate) async fn disable(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
) -> Response {
    match app.world().disable(account, enterprise) {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => refusal(r),
    }
}

pub(crate) async fn update_frequency(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
    JsonBody(body): JsonBody<FrequencyBody>,
) -> Response {
    let now = app.clock.now();
    match app
        .world()
        .update_frequency(account, enterprise, body.check_frequency, now)
    {
        Ok(data) => Json(Wrapped { data }).into_response(),
        Err(r) => refusal(r),
    }
}

pub(crate) async fn replace_loa(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
    JsonBody(body): JsonBody<LoaUpdateBody>,
) -> Response {
    let now = app.clock.now();
    match app
        .world()
        .replace_loa(account, enterprise, body.loa_document_id.as_deref(), now)
    {
        Ok(data) => Json(Wrapped { data }).into_response(),
        Err(r) => refusal(r),
    }
}

/// Renders the letter of an enterprise the account has, enabled or not (free).
pub(crate) async fn render_loa(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
    JsonBody(body): JsonBody<RenderBody>,
) -> Response {
    if let Err(r) = app.world().enterprise(account, enterprise) {
        return refusal(r);
    }
    let text = LoaText {
        agent: body.agent.map(|a| a.legal_name),
        signer: body.signature.as_ref().and_then(|s| s.signer_name.clone()),
        signed: body.signature.is_some(),
    };
    let pdf = render(enterprise, &text);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        )],
        pdf,
    )
        .into_response()
}
