//! The whole pipeline on the committed spec and on small specs that exercise the generator's
//! limits: it either produces a client or an error value, never a panic.

use telnyx_reputation_codegen::{CodegenError, generate};

use crate::committed;

#[test]
fn committed_spec_generates_a_client_with_all_twenty_three_operations() {
    let code = committed::code();
    let methods = [
        "pub fn get_reputation_settings(",
        "pub fn enable_reputation_settings(",
        "pub fn disable_reputation_settings(",
        "pub fn update_reputation_frequency(",
        "pub fn generate_reputation_loa(",
        "pub fn replace_reputation_loa(",
        "pub fn list_reputation_numbers(",
        "pub fn associate_reputation_numbers(",
        "pub fn refresh_reputation_numbers(",
        "pub fn get_phone_number_reputation(",
        "pub fn disassociate_reputation_number(",
        "pub fn list_reputation_remediations(",
        "pub fn submit_reputation_remediation(",
        "pub fn get_reputation_remediation(",
        "pub fn list_reputation_numbers_simplified(",
        "pub fn get_phone_number_reputation_simplified(",
        "pub fn disassociate_reputation_number_simplified(",
        "pub fn agree_number_reputation_terms_of_service(",
        // The October 2026 edition (spec/overlays/2026-10-ownership.yml).
        "pub fn update_reputation_webhook(",
        "pub fn submit_external_verification(",
        "pub fn get_external_verification(",
        "pub fn get_number_ownership(",
        "pub fn confirm_number_ownership(",
    ];
    for method in methods {
        assert!(code.contains(method), "missing {method}");
    }
    assert_eq!(
        telnyx_reputation_codegen::operations(
            &telnyx_reputation_codegen::parse_document(&committed::spec()).unwrap()
        )
        .len(),
        methods.len()
    );
}

#[test]
fn reputation_data_is_an_option_not_a_two_variant_enum() {
    let code = committed::code();
    assert!(code.contains("pub reputation_data: ::std::option::Option<ReputationData>"));
    assert!(!code.contains("ReputationPhoneNumberWithReputationDataReputationData"));
}

#[test]
fn every_date_time_is_the_api_crates_timestamp() {
    let code = committed::code();
    // Plain (`created_at`) and nullable type-array (`last_refreshed_at`) forms alike.
    assert!(code.contains("pub created_at: ::std::option::Option<crate::Timestamp>"));
    assert!(code.contains("pub last_refreshed_at: ::std::option::Option<crate::Timestamp>"));
    assert!(!code.contains("chrono::DateTime"));
}

#[test]
fn nullable_type_arrays_become_options() {
    let code = committed::code();
    assert!(code.contains("pub maturity_score: ::std::option::Option<i64>"));
    assert!(code.contains("pub spam_risk: ::std::option::Option<crate::SpamRisk>"));
}

#[test]
fn generated_code_uses_our_path_encoding_not_progenitors() {
    let code = committed::code();
    assert!(code.contains("pub fn encode_path(segment: &str) -> String"));
    let imports_progenitors = code
        .lines()
        .skip_while(|l| !l.contains("use progenitor_client::{"))
        .take_while(|l| !l.contains("};"))
        .any(|l| l.contains("encode_path"));
    assert!(!imports_progenitors);
}

#[test]
fn generated_types_derive_json_schema() {
    let code = committed::code();
    assert!(code.contains("schemars::JsonSchema"));
}

const HEADER: &str = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n";

#[test]
fn json_response_without_schema_generates_as_any_json() {
    let spec = format!(
        "{HEADER}paths:\n  /a:\n    get:\n      operationId: A\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json: {{}}\n"
    );
    let code = generate(&spec).expect("generates");
    assert!(code.contains("serde_json::Value") || code.contains("serde_json :: Value"));
}

#[test]
fn a_path_parameter_missing_from_the_template_is_refused() {
    // progenitor would silently drop `id` and generate a client that never sends it.
    let spec = format!(
        "{HEADER}paths:\n  /a:\n    get:\n      operationId: A\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      responses:\n        '204': {{description: ok}}\n"
    );
    let err = generate(&spec).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "cannot translate operation A at /paths/~1a/get/parameters: path parameter `id` is declared but the path /a has no {id}"
    );
}

#[test]
fn a_path_template_variable_without_a_parameter_is_refused() {
    let spec = format!(
        "{HEADER}paths:\n  /a/{{id}}:\n    get:\n      operationId: A\n      responses:\n        '204': {{description: ok}}\n"
    );
    let err = generate(&spec).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "cannot translate operation A at /paths/~1a~1{id}/get/parameters: the path /a/{id} has {id} but no path parameter declares it"
    );
}

#[test]
fn default_and_ranges_in_a_real_operation_generate() {
    let spec = format!(
        r#"{HEADER}paths:
  /a/{{id}}:
    get:
      operationId: GetA
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/A'}}}}}}}}
        2XX: {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/A'}}}}}}}}
        '404': {{$ref: '#/components/responses/Err'}}
        default: {{$ref: '#/components/responses/Err'}}
components:
  schemas:
    A: {{type: object, properties: {{n: {{type: [integer, 'null']}}}}}}
    E: {{type: object, properties: {{code: {{type: string}}}}}}
  responses:
    Err: {{description: err, content: {{application/json: {{schema: {{$ref: '#/components/schemas/E'}}}}}}}}
"#
    );
    let code = generate(&spec).expect("generates");
    assert!(code.contains("ResponseValue<types::A>"));
    assert!(code.contains("Error<types::E>"));
}

#[test]
fn two_success_types_are_an_error_naming_the_operation() {
    let spec = format!(
        "{HEADER}paths:\n  /a:\n    delete:\n      operationId: DeleteA\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{type: object}}}}}}}}\n        '204': {{description: gone}}\n"
    );
    let err = generate(&spec).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "cannot translate operation DeleteA at /paths/~1a/delete/responses: success responses 200 (an inline JSON schema) and 204 (no body) differ; the client needs one success type"
    );
}

#[test]
fn garbage_is_not_yaml_and_yaml_is_not_always_openapi() {
    assert!(matches!(
        generate("{{{ not yaml"),
        Err(CodegenError::NotYaml(_))
    ));
    assert!(matches!(
        generate("just: a mapping\n"),
        Err(CodegenError::NotOpenApi(_))
    ));
    assert!(matches!(
        generate("<html>404</html>"),
        Err(CodegenError::NotOpenApi(_))
    ));
}
