//! The five operations of the October 2026 edition: the ownership webhook URL, ownership proof
//! (submit, read), a number's ownership tracking detail, and `ownership_confirm`. None is
//! billed.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

use crate::app::App;
use crate::envelope::{ErrorKind, refusal};
use crate::guard::Account;
use crate::handlers::{DropConnection, commit_then_drop};
use crate::model::Wrapped;
use crate::verification::VerificationBody;
use crate::wire::JsonBody;

/// A field whose key must be present even when its value is `null`: absent is `None`,
/// `null` is `Some(None)`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `ReputationUpdateWebhook`: `webhook_url` is required, and may be `null`.
#[derive(Deserialize)]
pub(crate) struct WebhookBody {
    #[serde(default, deserialize_with = "present")]
    webhook_url: Option<Option<String>>,
}

/// `NumberOwnershipConfirm`.
#[derive(Deserialize)]
pub(crate) struct ConfirmBody {
    still_own: Option<bool>,
    evidence_document_id: Option<String>,
}

/// The longest `evidence_document_id`.
const MAX_EVIDENCE_ID: usize = 255;

pub(crate) async fn update_webhook(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
    JsonBody(body): JsonBody<WebhookBody>,
) -> Response {
    let Some(url) = body.webhook_url else {
        return ErrorKind::Invalid.answer_pointing(
            "webhook_url is required (a URL, or null to stop ownership events)",
            "/webhook_url",
        );
    };
    let now = app.clock.now();
    match app.world().set_webhook_url(account, enterprise, url, now) {
        Ok(data) => Json(Wrapped { data }).into_response(),
        Err(r) => refusal(r),
    }
}

pub(crate) async fn submit_verification(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    drop_connection: Option<Extension<DropConnection>>,
    Path(enterprise): Path<Uuid>,
    JsonBody(body): JsonBody<VerificationBody>,
) -> Response {
    let now = app.clock.now();
    let result = app
        .world()
        .submit_verification(account, enterprise, &body, now);
    match result {
        Ok(data) => {
            commit_then_drop(&app, drop_connection).await;
            (StatusCode::CREATED, Json(Wrapped { data })).into_response()
        }
        Err(r) => refusal(r),
    }
}

pub(crate) async fn get_verification(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
) -> Response {
    match app.world().external_verification(account, enterprise) {
        Ok(data) => Json(Wrapped { data }).into_response(),
        Err(r) => refusal(r),
    }
}

pub(crate) async fn get_ownership(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path((enterprise, number)): Path<(Uuid, String)>,
) -> Response {
    match app.world().ownership_detail(account, enterprise, &number) {
        Ok(data) => Json(Wrapped { data }).into_response(),
        Err(r) => refusal(r),
    }
}

pub(crate) async fn confirm_ownership(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    drop_connection: Option<Extension<DropConnection>>,
    Path((enterprise, number)): Path<(Uuid, String)>,
    JsonBody(body): JsonBody<ConfirmBody>,
) -> Response {
    let Some(still_own) = body.still_own else {
        return ErrorKind::Invalid.answer_pointing(
            "still_own is required: true (you still own the number) or false (remove it)",
            "/still_own",
        );
    };
    if let Some(id) = &body.evidence_document_id
        && (id.trim().is_empty() || id.chars().count() > MAX_EVIDENCE_ID)
    {
        return ErrorKind::Invalid.answer_pointing(
            format!("evidence_document_id must be 1 to {MAX_EVIDENCE_ID} characters, got {id:?}"),
            "/evidence_document_id",
        );
    }
    let now = app.clock.now();
    let result = app.world().confirm_ownership(
        account,
        enterprise,
        &number,
        still_own,
        body.evidence_document_id,
        now,
    );
    match result {
        Ok(data) => {
            commit_then_drop(&app, drop_connection).await;
            Json(Wrapped { data }).into_response()
        }
        Err(r) => refusal(r),
    }
}
