//! Wire tests of the generated client: for each of the seven number operations, the exact request it
//! puts on the socket (method, raw path, query, bearer header, JSON body) and how it reads each
//! documented response, against a loopback server that records the raw bytes.

use crate::support::client::{ENTERPRISE, NUMBER, client, enterprise};

use std::num::NonZeroU64;

use crate::support::recorder::{Recorder, Reply};
use crate::support::wire::{
    assert_deletes, each_error, error_body, only_request, only_request_on_path, query_pairs,
};
use serde_json::json;
use telnyx_reputation_api::SpamRisk;
use telnyx_reputation_api::types::NumberReputationErrors;
use telnyx_reputation_api::{Client, Error, ResponseValue};

const ENCODED: &str = "%2B16035551234";

fn record_json() -> serde_json::Value {
    json!({
        "id": "0b7e6f0e-2b55-4a4e-9d07-7f6f1c3f6a11",
        "phone_number": NUMBER,
        "enterprise_id": ENTERPRISE,
        "created_at": "2026-11-24T10:00:00Z",
        "updated_at": "2026-11-24T10:00:00Z"
    })
}

fn record_with_reputation_json() -> serde_json::Value {
    let mut record = record_json();
    record["reputation_data"] = json!({
        "spam_risk": "medium",
        "spam_category": "Telemarketing",
        "maturity_score": 80,
        "connection_score": 55,
        "engagement_score": 40,
        "sentiment_score": 61,
        "last_refreshed_at": "2026-11-24T10:05:00Z"
    });
    record
}

fn error_json(code: &str, title: &str) -> serde_json::Value {
    json!({"errors": [{
        "code": code,
        "title": title,
        "detail": format!("{title} detail"),
        "source": {"pointer": "/phone_numbers/0"},
        "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10015"}
    }]})
}

/// Asserts that an error status is read into the documented error body.
fn assert_error_body<T: std::fmt::Debug>(
    result: Result<T, Error<NumberReputationErrors>>,
    status: u16,
    code: &str,
) {
    let response = error_body(result, status);
    assert_eq!(response.errors.len(), 1);
    assert_eq!(response.errors[0].code, code);
    let pointer = response.errors[0]
        .source
        .as_ref()
        .and_then(|s| s.pointer.as_deref());
    assert_eq!(pointer, Some("/phone_numbers/0"));
}

/// Answers `call` (made on a client of a fresh recorder) with each documented error in turn, a
/// status and its error code, and asserts that the error body reads.
async fn each_documented_error<T, F, Fut>(errors: &[(u16, &str)], call: F)
where
    T: std::fmt::Debug,
    F: Fn(telnyx_reputation_api::Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error<NumberReputationErrors>>>,
{
    each_error(
        errors,
        |code| error_json(code, "Error"),
        call,
        assert_error_body,
    )
    .await;
}

/// DisassociateReputationNumber of [`NUMBER`] from the enterprise, as both its tests send it.
async fn disassociate(c: Client) -> Result<ResponseValue<()>, Error<NumberReputationErrors>> {
    c.disassociate_reputation_number()
        .enterprise_id(enterprise())
        .phone_number(NUMBER)
        .send()
        .await
}

/// DisassociateReputationNumberSimplified of [`NUMBER`], as both its tests send it.
async fn disassociate_simplified(
    c: Client,
) -> Result<ResponseValue<()>, Error<NumberReputationErrors>> {
    c.disassociate_reputation_number_simplified()
        .phone_number(NUMBER)
        .send()
        .await
}

// ---- ListReputationNumbers -------------------------------------------------------------------

#[tokio::test]
async fn list_reputation_numbers_sends_paging_and_filter_and_reads_the_page() {
    let server = Recorder::start(Reply::json(
        200,
        json!({
            "data": [record_with_reputation_json(), {"phone_number": "+16035550000", "reputation_data": null}],
            "meta": {"page_number": 2, "page_size": 50, "total_results": 52, "total_pages": 2}
        }),
    ))
    .await;
    let page = client(&server.base_url)
        .list_reputation_numbers()
        .enterprise_id(enterprise())
        .page_number(NonZeroU64::new(2).expect("non-zero"))
        .page_size(NonZeroU64::new(250).expect("non-zero"))
        .filter_phone_number_eq(NUMBER)
        .filter_phone_number_contains("60355")
        .send()
        .await
        .expect("200 is read")
        .into_inner();

    let sent = only_request_on_path(
        &server,
        "GET",
        &format!("/enterprises/{ENTERPRISE}/reputation/numbers"),
    );
    assert_eq!(
        query_pairs(&sent),
        [
            (
                "filter[phone_number][contains]".to_owned(),
                "60355".to_owned()
            ),
            ("filter[phone_number][eq]".to_owned(), NUMBER.to_owned()),
            ("page[number]".to_owned(), "2".to_owned()),
            ("page[size]".to_owned(), "250".to_owned()),
        ]
    );
    // The brackets of the filter names and the `+` of the number are percent-encoded.
    assert_eq!(
        sent.query().expect("query"),
        "filter%5Bphone_number%5D%5Bcontains%5D=60355&filter%5Bphone_number%5D%5Beq%5D=%2B16035551234&page%5Bnumber%5D=2&page%5Bsize%5D=250"
    );

    assert_eq!(page.data.len(), 2);
    let data = page.data[0]
        .reputation_data
        .as_ref()
        .expect("reputation data");
    assert_eq!(data.spam_risk, Some(SpamRisk::Medium));
    assert_eq!(data.maturity_score, Some(80));
    assert_eq!(
        page.data[1].reputation_data, None,
        "null reputation_data reads as None"
    );
    let meta = &page.meta;
    assert_eq!(
        (meta.page_number, meta.total_pages, meta.total_results),
        (2, 2, 52)
    );
}

#[tokio::test]
async fn list_reputation_numbers_reads_every_documented_error() {
    each_documented_error(&[(401, "10001"), (404, "10009")], |c| async move {
        c.list_reputation_numbers()
            .enterprise_id(enterprise())
            .send()
            .await
    })
    .await;
}

// ---- AssociateReputationNumbers --------------------------------------------------------------

#[tokio::test]
async fn associate_reputation_numbers_posts_the_numbers_and_reads_the_created_records() {
    let server = Recorder::start(Reply::json(
        201,
        json!({"data": [record_json()], "meta": {"page_number": 1, "page_size": 1, "total_results": 1, "total_pages": 1}}),
    ))
    .await;
    let created = client(&server.base_url)
        .associate_reputation_numbers()
        .enterprise_id(enterprise())
        .body(telnyx_reputation_api::types::ReputationPhoneNumberCreate {
            phone_numbers: vec![NUMBER.to_owned(), "+16035551235".to_owned()],
        })
        .send()
        .await
        .expect("201 is read");
    assert_eq!(created.status().as_u16(), 201);

    let sent = only_request(
        &server,
        "POST",
        &format!("/enterprises/{ENTERPRISE}/reputation/numbers"),
        true,
    );
    assert_eq!(
        sent.json(),
        json!({"phone_numbers": [NUMBER, "+16035551235"]})
    );

    let created = created.into_inner();
    assert_eq!(created.data.len(), 1);
    assert_eq!(created.data[0].phone_number.as_deref(), Some(NUMBER));
    assert_eq!(created.data[0].enterprise_id, Some(enterprise()));
}

#[tokio::test]
async fn associate_reputation_numbers_reads_every_documented_error() {
    each_documented_error(
        &[(400, "10015"), (401, "10001"), (404, "10009")],
        |c| async move {
            c.associate_reputation_numbers()
                .enterprise_id(enterprise())
                .body(telnyx_reputation_api::types::ReputationPhoneNumberCreate {
                    phone_numbers: vec![NUMBER.to_owned()],
                })
                .send()
                .await
        },
    )
    .await;
}

#[tokio::test]
async fn a_list_page_with_a_spam_risk_bucket_added_later_reads_and_keeps_it() {
    let mut critical = record_with_reputation_json();
    critical["reputation_data"]["spam_risk"] = json!("critical");
    let server = Recorder::start(Reply::json(
        200,
        json!({
            "data": [record_with_reputation_json(), critical],
            "meta": {"page_number": 1, "page_size": 250, "total_results": 2, "total_pages": 1}
        }),
    ))
    .await;
    let page = client(&server.base_url)
        .list_reputation_numbers()
        .enterprise_id(enterprise())
        .send()
        .await
        .expect("a bucket this client does not know fails nothing")
        .into_inner();
    let risks: Vec<Option<SpamRisk>> = page
        .data
        .iter()
        .map(|r| r.reputation_data.as_ref().and_then(|d| d.spam_risk.clone()))
        .collect();
    assert_eq!(
        risks,
        [
            Some(SpamRisk::Medium),
            Some(SpamRisk::Other("critical".into()))
        ]
    );
    // Written back, the bucket is the string that came in.
    let written = serde_json::to_value(&page.data[1]).expect("serialisable");
    assert_eq!(written["reputation_data"]["spam_risk"], "critical");
}

// ---- GetPhoneNumberReputation ----------------------------------------------------------------

#[tokio::test]
async fn get_phone_number_reputation_encodes_the_number_and_sends_fresh() {
    let server = Recorder::start(Reply::json(
        200,
        json!({"data": record_with_reputation_json()}),
    ))
    .await;
    let got = client(&server.base_url)
        .get_phone_number_reputation()
        .enterprise_id(enterprise())
        .phone_number(NUMBER)
        .fresh(true)
        .send()
        .await
        .expect("200 is read")
        .into_inner();

    let sent = only_request_on_path(
        &server,
        "GET",
        &format!("/enterprises/{ENTERPRISE}/reputation/numbers/{ENCODED}"),
    );
    assert_eq!(sent.query(), Some("fresh=true"));

    let data = got.data;
    assert_eq!(data.phone_number.as_deref(), Some(NUMBER));
    let reputation = data.reputation_data.expect("reputation data");
    assert_eq!(reputation.spam_category.as_deref(), Some("Telemarketing"));
}

#[tokio::test]
async fn get_phone_number_reputation_reads_every_documented_error() {
    each_documented_error(
        &[(401, "10001"), (403, "10010"), (404, "10009")],
        |c| async move {
            c.get_phone_number_reputation()
                .enterprise_id(enterprise())
                .phone_number(NUMBER)
                .send()
                .await
        },
    )
    .await;
}

// ---- DisassociateReputationNumber ------------------------------------------------------------

#[tokio::test]
async fn disassociate_reputation_number_deletes_and_reads_204_without_body() {
    assert_deletes(
        &format!("/enterprises/{ENTERPRISE}/reputation/numbers/{ENCODED}"),
        disassociate,
    )
    .await;
}

#[tokio::test]
async fn disassociate_reputation_number_reads_every_documented_error() {
    each_documented_error(&[(401, "10001"), (404, "10009")], disassociate).await;
}

// ---- ListReputationNumbersSimplified ---------------------------------------------------------

#[tokio::test]
async fn list_reputation_numbers_simplified_sends_paging_and_reads_the_page() {
    let server = Recorder::start(Reply::json(
        200,
        json!({"data": [record_with_reputation_json()], "meta": {"page_number": 2, "page_size": 50, "total_results": 51, "total_pages": 2}}),
    ))
    .await;
    let page = client(&server.base_url)
        .list_reputation_numbers_simplified()
        .page_number(NonZeroU64::new(2).expect("non-zero"))
        .page_size(NonZeroU64::new(50).expect("non-zero"))
        .filter_phone_number_eq(NUMBER)
        .filter_enterprise_id(enterprise())
        .send()
        .await
        .expect("200 is read")
        .into_inner();

    let sent = only_request_on_path(&server, "GET", "/reputation/numbers");
    assert_eq!(
        query_pairs(&sent),
        [
            ("filter[enterprise_id]".to_owned(), ENTERPRISE.to_owned()),
            ("filter[phone_number][eq]".to_owned(), NUMBER.to_owned()),
            ("page[number]".to_owned(), "2".to_owned()),
            ("page[size]".to_owned(), "50".to_owned()),
        ]
    );
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.meta.total_results, 51);
}

#[tokio::test]
async fn list_reputation_numbers_simplified_reads_every_documented_error() {
    let server = Recorder::start(Reply::json(401, error_json("10001", "Unauthorized"))).await;
    let result = client(&server.base_url)
        .list_reputation_numbers_simplified()
        .send()
        .await;
    assert_error_body(result, 401, "10001");
}

// ---- GetPhoneNumberReputationSimplified ------------------------------------------------------

#[tokio::test]
async fn get_phone_number_reputation_simplified_encodes_the_number_and_sends_fresh() {
    let server = Recorder::start(Reply::json(
        200,
        json!({"data": record_with_reputation_json()}),
    ))
    .await;
    let got = client(&server.base_url)
        .get_phone_number_reputation_simplified()
        .phone_number(NUMBER)
        .fresh(true)
        .send()
        .await
        .expect("200 is read")
        .into_inner();

    only_request(
        &server,
        "GET",
        &format!("/reputation/numbers/{ENCODED}?fresh=true"),
        false,
    );
    assert_eq!(
        got.data.reputation_data.and_then(|r| r.spam_risk),
        Some(SpamRisk::Medium)
    );
}

#[tokio::test]
async fn get_phone_number_reputation_simplified_reads_every_documented_error() {
    each_documented_error(&[(401, "10001"), (404, "10009")], |c| async move {
        c.get_phone_number_reputation_simplified()
            .phone_number(NUMBER)
            .send()
            .await
    })
    .await;
}

// ---- DisassociateReputationNumberSimplified --------------------------------------------------

#[tokio::test]
async fn disassociate_reputation_number_simplified_deletes_and_reads_204_without_body() {
    assert_deletes(
        &format!("/reputation/numbers/{ENCODED}"),
        disassociate_simplified,
    )
    .await;
}

#[tokio::test]
async fn disassociate_reputation_number_simplified_reads_every_documented_error() {
    each_documented_error(&[(401, "10001"), (404, "10009")], disassociate_simplified).await;
}
