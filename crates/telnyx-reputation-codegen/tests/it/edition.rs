//! The constructs the current edition of the API brought, each pinned in its normalised form
//! (what the generator and the conformance run read) and in the generated client: `nullable`
//! written the 3.0 way inside a 3.1 file, `4XX` and `default` responses, a `202` success, a PDF
//! body, `additionalProperties: false`, and required `data`/`meta`.

use serde_json::{Value, json};
use telnyx_reputation_codegen::{normalise, parse_document};

use crate::committed;

/// The committed spec as the generator reads it, as JSON.
fn normalised() -> Value {
    let spec = normalise(parse_document(&committed::spec()).unwrap()).unwrap();
    serde_json::to_value(spec).unwrap()
}

fn schema(doc: &Value, name: &str) -> Value {
    doc["components"]["schemas"][name].clone()
}

fn operation(doc: &Value, path: &str, method: &str) -> Value {
    doc["paths"][path][method].clone()
}

/// The generated source of one item: from the line that declares it to the next blank line at
/// its indentation's end (enough to read a struct's fields or a method's signature).
fn item(code: &str, declaration: &str) -> String {
    let start = code
        .find(declaration)
        .unwrap_or_else(|| panic!("{declaration} is generated"));
    let rest = &code[start..];
    let end = rest.find("\n    }\n").map_or(rest.len(), |i| i + 6);
    rest[..end].to_owned()
}

#[test]
fn nullable_inside_the_3_1_file_is_kept_and_reaches_references() {
    let doc = normalised();
    assert_eq!(doc["openapi"], "3.0.3");
    // On a typed schema it is already the 3.0 form.
    assert_eq!(
        schema(&doc, "ReputationData")["properties"]["connection_score"],
        json!({"type": "integer", "minimum": 0, "maximum": 100, "nullable": true, "example": 80})
    );
    // Beside a `$ref` it would be ignored in 3.0: it moves into a one-element `allOf`.
    let results = &schema(&doc, "RemediationRequest")["properties"]["results"];
    assert_eq!(
        results["allOf"],
        json!([{"$ref": "#/components/schemas/RemediationPerNumberResults"}])
    );
    assert_eq!(results["nullable"], true);
    assert_eq!(results.get("$ref"), None);

    let code = committed::code();
    let request = item(code, "pub struct RemediationRequest {");
    assert!(
        request.contains("pub results: ::std::option::Option<RemediationPerNumberResults>"),
        "{request}"
    );
    assert!(
        request.contains("pub webhook_url: ::std::option::Option<::std::string::String>"),
        "{request}"
    );
}

#[test]
fn four_xx_and_default_become_the_error_ranges() {
    let doc = normalised();
    for (path, method, success) in [
        (
            "/enterprises/{enterprise_id}/reputation/numbers/refresh",
            "post",
            "200",
        ),
        ("/terms_of_service/number_reputation/agree", "post", "201"),
    ] {
        let responses = operation(&doc, path, method)["responses"].clone();
        let mut codes: Vec<&str> = responses
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        codes.sort_unstable();
        assert_eq!(codes, [success, "4XX", "5XX"], "{path}");
        assert_eq!(responses["4XX"], responses["5XX"], "{path}");
    }
    let code = committed::code();
    let refresh = item(code, "pub struct RefreshReputationNumbers<'a>");
    let send = &code[code.find("impl<'a> RefreshReputationNumbers<'a>").unwrap()..];
    let send = &send[..send.find("\n    }\n").unwrap()];
    assert!(
        send.contains("Result<ResponseValue<types::RefreshReputationResponse>, Error<types::NumberReputationErrors>>")
            || send.contains("ResponseValue<types::RefreshReputationResponse>,\n            Error<types::NumberReputationErrors>,"),
        "{refresh}{send}"
    );
    assert!(
        send.contains("400u16..=499u16") && send.contains("500u16..=599u16"),
        "{send}"
    );
}

#[test]
fn a_202_success_is_the_success_type() {
    let doc = normalised();
    let submit = operation(
        &doc,
        "/enterprises/{enterprise_id}/reputation/remediation",
        "post",
    );
    assert_eq!(
        submit["responses"]["202"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/RemediationRequestWrapped"
    );
    let code = committed::code();
    let send = &code[code
        .find("impl<'a> SubmitReputationRemediation<'a>")
        .unwrap()..];
    let send = &send[..send.find("\n    }\n").unwrap()];
    assert!(
        send.contains("202u16 => crate::decode::from_response(response).await"),
        "{send}"
    );
    assert!(send.contains("types::RemediationRequestWrapped"), "{send}");
}

#[test]
fn a_pdf_body_is_a_byte_stream() {
    let doc = normalised();
    let render = operation(&doc, "/enterprises/{enterprise_id}/reputation/loa", "post");
    assert_eq!(
        render["responses"]["200"]["content"]["application/pdf"]["schema"],
        json!({"type": "string", "format": "binary"})
    );
    let code = committed::code();
    let send = &code[code.find("impl<'a> GenerateReputationLoa<'a>").unwrap()..];
    let send = &send[..send.find("\n    }\n").unwrap()];
    assert!(send.contains("ResponseValue<ByteStream>"), "{send}");
    assert!(send.contains("ResponseValue::stream(response)"), "{send}");
}

#[test]
fn additional_properties_false_refuses_unknown_fields() {
    let doc = normalised();
    assert_eq!(
        schema(&doc, "RemediationRequestCreate")["additionalProperties"],
        false
    );
    let code = committed::code();
    for name in [
        "RemediationRequestCreate",
        "RefreshReputationRequest",
        "EnterpriseReputationCreate",
        "EnterpriseReputationUpdateFrequency",
        "ReputationPhoneNumberCreate",
    ] {
        let at = code
            .find(&format!("pub struct {name} {{"))
            .unwrap_or_else(|| panic!("{name}"));
        let attributes = &code[code[..at].rfind("#[derive").unwrap()..at];
        assert!(
            attributes.contains("#[serde(deny_unknown_fields)]"),
            "{name}: {attributes}"
        );
    }
}

#[test]
fn required_data_and_meta_are_fields_not_options() {
    let doc = normalised();
    assert_eq!(
        schema(&doc, "RemediationRequestList")["required"],
        json!(["data", "meta"])
    );
    let code = committed::code();
    let list = item(code, "pub struct RemediationRequestList {");
    assert!(
        list.contains("pub data: ::std::vec::Vec<RemediationRequestListItem>"),
        "{list}"
    );
    assert!(
        list.contains("pub meta: NumberReputationPaginationMeta"),
        "{list}"
    );
    let one = item(code, "pub struct ReputationPhoneNumberWithReputation {");
    assert!(one.contains("pub data: ReputationPhoneNumber,"), "{one}");
    let meta = item(code, "pub struct NumberReputationPaginationMeta {");
    assert!(meta.contains("pub total_pages: i64,"), "{meta}");
}
