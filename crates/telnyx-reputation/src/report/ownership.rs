//! A number's ownership tracking as a report holds it: where it is hosted ([`Source`]), its
//! [`Ownership`] status and the deadline to confirm it, in 16 bytes a number.
//!
//! The API's values are open sets (a later edition may add one). A report of a million numbers
//! cannot afford a `String` per value, so each value is a one-byte variant, and a value this
//! client does not know is a [`Word`]: a one-byte index into a process-wide table of the
//! unknown words seen so far, each stored once. The table is bounded ([`Word::MAX_WORDS`]
//! words of at most [`Word::MAX_LEN`] bytes); a server sending more distinct unknown values
//! than that is refused with the value named, never stored without bound.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use telnyx_reputation_api::{NumberSource, OwnershipStatus};

/// The unknown words seen by this process, in the order they were first seen. Each is leaked
/// once, so that a [`Word`] gives a `&'static str`; the table's bound bounds the leak to
/// 255 × 64 bytes.
static WORDS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

/// A value of an open API set that this client does not know (e.g. an ownership status added
/// by a later edition), interned: one byte in a row, the text kept once per process.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Word(u8);

impl Word {
    /// The most distinct unknown words a process keeps.
    pub const MAX_WORDS: usize = 255;
    /// The longest unknown word kept, in bytes.
    pub const MAX_LEN: usize = 64;

    /// The word for `text`, the same for the same text; why not when `text` is empty, longer
    /// than [`Word::MAX_LEN`] or not printable ASCII, or when the table is full.
    pub fn intern(text: &str) -> Result<Word, String> {
        if text.is_empty() || text.len() > Self::MAX_LEN {
            return Err(format!(
                "{text:?} is not a value of 1 to {} bytes",
                Self::MAX_LEN
            ));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!("{text:?} is not printable ASCII without spaces"));
        }
        let mut words = WORDS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = words.iter().position(|w| *w == text) {
            return Ok(Word(u8::try_from(at).unwrap_or(u8::MAX)));
        }
        if words.len() >= Self::MAX_WORDS {
            return Err(format!(
                "{text:?} is one unknown value too many: this client keeps {} at most",
                Self::MAX_WORDS
            ));
        }
        let index = u8::try_from(words.len()).map_err(|_| "the word table is full".to_owned())?;
        words.push(Box::leak(text.to_owned().into_boxed_str()));
        Ok(Word(index))
    }

    /// The word's text.
    pub fn as_str(self) -> &'static str {
        let words = WORDS.lock().unwrap_or_else(PoisonError::into_inner);
        words.get(usize::from(self.0)).copied().unwrap_or("")
    }
}

impl fmt::Debug for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Word({:?})", self.as_str())
    }
}

/// Declares a compact copy of an open API enumeration: one-byte variants for the known values,
/// `Other(Word)` for the rest; text conversions, serde as the API's string, `Display`.
macro_rules! compact_enum {
    (
        $(#[$meta:meta])*
        $name:ident from $api:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this client does not know, kept as sent.
            Other(Word),
        }

        impl $name {
            /// The value as the API writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(word) => word.as_str(),
                }
            }

            /// The value of the API's text; why not when an unknown value cannot be kept (see
            /// [`Word::intern`]).
            pub fn from_text(text: &str) -> Result<Self, String> {
                match text {
                    $( $wire => Ok(Self::$variant), )+
                    other => Word::intern(other).map(Self::Other),
                }
            }

            /// The value of the generated client's open enumeration.
            pub fn from_api(value: &$api) -> Result<Self, String> {
                Self::from_text(value.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
                Self::from_text(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

compact_enum! {
    /// Where a monitored number is hosted (`source`).
    Source from NumberSource {
        /// `telnyx`: in the account's Telnyx inventory.
        Telnyx = "telnyx",
        /// `external`: the enterprise's, hosted with another provider.
        External = "external",
    }
}

compact_enum! {
    /// The result of a number's ownership checks (`ownership_status`).
    Ownership from OwnershipStatus {
        /// `verified`: with the carrier on record.
        Verified = "verified",
        /// `flagged`: a re-verification went unanswered; confirm to return it to `verified`.
        Flagged = "flagged",
        /// `pending_confirmation`: the carrier changed or a re-verification is due; confirm
        /// before `confirm_by`.
        PendingConfirmation = "pending_confirmation",
        /// `removed`: no longer monitored.
        Removed = "removed",
    }
}

impl Ownership {
    /// Whether the owner must act: `pending_confirmation` (confirm before the deadline) or
    /// `flagged`. What `--fail-on-ownership` alerts on.
    pub fn needs_confirmation(self) -> bool {
        matches!(self, Ownership::PendingConfirmation | Ownership::Flagged)
    }
}

/// A number's ownership tracking, as the list returns it. Every field is `None` when the
/// server did not say (a server of the July edition, or a snapshot written before this one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tracking {
    /// Where the number is hosted.
    pub source: Option<Source>,
    /// Its ownership status.
    pub ownership_status: Option<Ownership>,
    /// The deadline to confirm ownership; set only while `pending_confirmation`.
    pub confirm_by: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_are_variants_and_unknown_ones_are_kept_once() {
        assert_eq!(Ownership::from_text("flagged"), Ok(Ownership::Flagged));
        assert!(Ownership::PendingConfirmation.needs_confirmation());
        assert!(!Ownership::Removed.needs_confirmation());
        let later = Ownership::from_text("suspended_for_review").unwrap();
        assert_eq!(later.as_str(), "suspended_for_review");
        assert_eq!(Ownership::from_text("suspended_for_review"), Ok(later));
        assert_eq!(
            serde_json::to_string(&later).unwrap(),
            "\"suspended_for_review\""
        );
        let source: Source = serde_json::from_str("\"external\"").unwrap();
        assert_eq!(source, Source::External);
        assert!(Source::from_text(&"x".repeat(65)).is_err());
        assert!(Source::from_text("two words").is_err());
        assert!(Source::from_text("").is_err());
    }

    #[test]
    fn tracking_stays_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Option<Ownership>>(), 2);
        assert!(std::mem::size_of::<Tracking>() <= 16);
    }
}
