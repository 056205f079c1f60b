//! The `phone_number` path parameter reaches the server as `%2B1...`, never a raw `+`, for each
//! of the four operations that take it: read off the raw request line a loopback server got.

use crate::support::recorder::{Recorder, Reply};
use telnyx_reputation_api::Client;
use uuid::Uuid;

const NUMBER: &str = "+16035551234";

async fn raw_path_of(op: &str) -> String {
    let ok = match op {
        "GetPhoneNumberReputation" | "GetPhoneNumberReputationSimplified" => {
            Reply::json(200, serde_json::json!({"data": {}}))
        }
        _ => Reply::empty(204),
    };
    let server = Recorder::start(ok).await;
    let client = Client::new(&server.base_url, telnyx_reputation_api::Hooks::default());
    let enterprise = Uuid::nil();
    match op {
        "GetPhoneNumberReputation" => client
            .get_phone_number_reputation()
            .enterprise_id(enterprise)
            .phone_number(NUMBER)
            .send()
            .await
            .map(drop),
        "DisassociateReputationNumber" => client
            .disassociate_reputation_number()
            .enterprise_id(enterprise)
            .phone_number(NUMBER)
            .send()
            .await
            .map(drop),
        "GetPhoneNumberReputationSimplified" => client
            .get_phone_number_reputation_simplified()
            .phone_number(NUMBER)
            .send()
            .await
            .map(drop),
        "DisassociateReputationNumberSimplified" => client
            .disassociate_reputation_number_simplified()
            .phone_number(NUMBER)
            .send()
            .await
            .map(drop),
        other => panic!("unknown operation {other}"),
    }
    .expect("the request succeeds");
    server.only().path().to_owned()
}

#[tokio::test]
async fn every_phone_number_path_parameter_is_sent_as_percent_2b() {
    for (op, expected) in [
        (
            "GetPhoneNumberReputation",
            "/enterprises/00000000-0000-0000-0000-000000000000/reputation/numbers/%2B16035551234",
        ),
        (
            "DisassociateReputationNumber",
            "/enterprises/00000000-0000-0000-0000-000000000000/reputation/numbers/%2B16035551234",
        ),
        (
            "GetPhoneNumberReputationSimplified",
            "/reputation/numbers/%2B16035551234",
        ),
        (
            "DisassociateReputationNumberSimplified",
            "/reputation/numbers/%2B16035551234",
        ),
    ] {
        let path = raw_path_of(op).await;
        assert_eq!(path, expected, "{op}");
        assert!(!path.contains('+'), "{op} sent a raw '+': {path}");
    }
}

#[tokio::test]
async fn other_reserved_characters_in_a_path_parameter_cannot_escape_the_segment() {
    let server = Recorder::start(Reply::empty(204)).await;
    Client::new(&server.base_url, telnyx_reputation_api::Hooks::default())
        .disassociate_reputation_number_simplified()
        .phone_number("+1 603/555?1234#x")
        .send()
        .await
        .expect("the request succeeds");
    assert_eq!(
        server.only().path(),
        "/reputation/numbers/%2B1%20603%2F555%3F1234%23x"
    );
}
