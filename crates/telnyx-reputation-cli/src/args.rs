//! Command-line arguments and value parsers that several commands take: a number as people
//! write it, an enterprise, the ids of uploaded documents, and the bounds of a bulk command
//! (`--concurrency`, `--batch-size`).

use telnyx_e164::E164;
use telnyx_reputation::{DocumentId, LoaDocumentId};
use uuid::Uuid;

use crate::exit::Failure;
use crate::output::cut;

/// A number as people write it (E.164, a US form, a `tel:` URI), or a usage failure naming it.
pub fn number(input: &str) -> Result<E164, Failure> {
    E164::parse_lenient(crate::input::number_text(input))
        .map_err(|e| Failure::usage(format!("{}: {} ({})", cut(input), e.reason, e.code())))
}

/// The enterprise a subcommand acts on.
#[derive(Debug, clap::Args)]
pub struct Enterprise {
    /// The enterprise (UUID).
    #[arg(long)]
    pub enterprise: Uuid,
}

/// `--loa-document-id`: the signed Letter of Authorization's document id.
pub fn loa_document(s: &str) -> Result<LoaDocumentId, String> {
    LoaDocumentId::new(s).map_err(|e| e.to_string())
}

/// An uploaded document's id (`--document`, `--evidence`).
pub fn document_id(s: &str) -> Result<DocumentId, String> {
    DocumentId::new(s).map_err(|e| e.to_string())
}

/// `--concurrency` of a command that allows at most `MAX` requests in flight: a whole number
/// from 1 to `MAX`. Above it, the error says why more would not help.
pub fn in_flight<const MAX: usize>(s: &str) -> Result<usize, String> {
    one_to(s, MAX).map_err(|above| match above {
        Some(n) => format!(
            "{n} is too many: at most {MAX} requests in flight; more only meet the API's rate limits (HTTP 429) and slow the job down"
        ),
        None => format!("must be a whole number from 1 to {MAX}"),
    })
}

/// `--batch-size` of a command whose API operation takes at most `MAX` numbers per request: a
/// whole number from 1 to `MAX`.
pub fn per_request<const MAX: usize>(s: &str) -> Result<usize, String> {
    one_to(s, MAX).map_err(|_| {
        format!(
            "must be a whole number from 1 to {MAX} (the API takes at most {MAX} numbers per request)"
        )
    })
}

/// `s` as a whole number from 1 to `max`; `Err(Some(n))` for a whole number `n` above `max`,
/// `Err(None)` for anything else.
fn one_to(s: &str, max: usize) -> Result<usize, Option<usize>> {
    match s.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(n) if n > max => Err(Some(n)),
        _ => Err(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive_and_refusals_give_the_rule() {
        assert_eq!(per_request::<100>("1"), Ok(1));
        assert_eq!(per_request::<100>("100"), Ok(100));
        assert!(per_request::<100>("0").unwrap_err().contains("1 to 100"));
        assert!(
            per_request::<100>("101")
                .unwrap_err()
                .contains("at most 100")
        );
        assert!(per_request::<2000>("-1").unwrap_err().contains("1 to 2000"));
        assert_eq!(in_flight::<64>("64"), Ok(64));
        assert!(in_flight::<64>("65").unwrap_err().contains("rate limits"));
        assert!(
            in_flight::<16>("17")
                .unwrap_err()
                .starts_with("17 is too many")
        );
        assert!(in_flight::<64>("0").unwrap_err().contains("1 to 64"));
        assert!(in_flight::<64>("four").unwrap_err().contains("1 to 64"));
    }
}
