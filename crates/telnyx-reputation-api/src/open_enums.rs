//! Enumerations that upstream may extend, read so that a value added later does not fail the
//! answer that carries it.
//!
//! Each type has one variant per value the October 2026 edition documents and `Other(String)`
//! for any other string, kept as sent (so it is written back unchanged). The generator uses
//! these types in place of closed enums for the spec's schemas listed in
//! `telnyx_reputation_codegen::OPEN_ENUMS`: a list page with one number in an ownership status
//! this client has never heard of still reads, and the caller decides what to do with it.
//!
//! On the wire every value is a plain JSON string. Reading a known string always gives its
//! variant; build values with [`From`] or [`str::parse`] (never `Other("verified".into())`,
//! which would not compare equal to `Verified`).
//!
//! ```
//! use telnyx_reputation_api::OwnershipStatus;
//!
//! let known: OwnershipStatus = serde_json::from_str(r#""pending_confirmation""#).unwrap();
//! assert_eq!(known, OwnershipStatus::PendingConfirmation);
//! let later: OwnershipStatus = serde_json::from_str(r#""suspended""#).unwrap();
//! assert_eq!(later, OwnershipStatus::Other("suspended".into()));
//! assert!(!later.is_known());
//! assert_eq!(serde_json::to_string(&later).unwrap(), r#""suspended""#);
//! assert_eq!("verified".parse::<OwnershipStatus>(), Ok(OwnershipStatus::Verified));
//! assert_eq!(OwnershipStatus::Removed.to_string(), "removed");
//! ```

use std::borrow::Cow;

/// Declares one open enumeration (`#[non_exhaustive]`: a later edition may add documented
/// values): the variants with their wire strings, `Other(String)`, and the
/// conversions, serde (as a string), JSON Schema, `Display` and `FromStr`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        // A later edition may document more values: callers match with a `_` arm.
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value this client does not know (one a later edition added), kept as sent.
            Other(String),
        }

        impl $name {
            /// The wire strings of the known variants, in the order the API documents them.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(value) => value,
                }
            }

            /// Whether the value is one this client knows (not [`Self::Other`]).
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $wire => Self::$variant, )+
                    _ => Self::Other(value),
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    _ => Self::Other(value.to_owned()),
                }
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                match value {
                    $name::Other(other) => other,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            /// Never fails: an unknown string becomes [`Self::Other`].
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            /// A string: one of the known values, or any other.
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "anyOf": [
                        {"type": "string", "enum": Self::KNOWN},
                        {"type": "string"}
                    ]
                })
            }
        }
    };
}

open_enum! {
    /// A number's coarse spam-risk bucket (`spam_risk` of its reputation data; the spec writes
    /// it inline in `ReputationData`, and normalisation names it `ReputationDataSpamRisk`). One
    /// bucket the API adds later must not make a whole list page unreadable.
    SpamRisk {
        /// `low`: little spam risk.
        Low = "low",
        /// `medium`: some spam risk.
        Medium = "medium",
        /// `high`: the number is likely to be flagged as spam.
        High = "high",
    }
}

open_enum! {
    /// Where a phone number is hosted (`source`; the spec's `ReputationNumberSource`).
    NumberSource {
        /// `telnyx`: in your Telnyx phone-number inventory.
        Telnyx = "telnyx",
        /// `external`: a number you own that is hosted with another provider.
        External = "external",
    }
}

open_enum! {
    /// The result of ongoing ownership checks (`ownership_status`; the spec's
    /// `ReputationOwnershipStatus`).
    OwnershipStatus {
        /// `verified`: the number is with the carrier on record.
        Verified = "verified",
        /// `flagged`: a periodic re-verification went unanswered; still monitored, confirm
        /// ownership to return it to `verified`.
        Flagged = "flagged",
        /// `pending_confirmation`: the carrier changed or a re-verification is due; confirm
        /// before `confirm_by`.
        PendingConfirmation = "pending_confirmation",
        /// `removed`: no longer monitored.
        Removed = "removed",
    }
}

open_enum! {
    /// Why a number was removed (`removal_reason`; the spec's `ReputationRemovalReason`, and the
    /// subset the `number_reputation.number.removed` event carries).
    RemovalReason {
        /// `ported_away`: you confirmed the number left your control after a carrier change.
        PortedAway = "ported_away",
        /// `unconfirmed_ownership`: a carrier change was not confirmed before the deadline.
        UnconfirmedOwnership = "unconfirmed_ownership",
        /// `reassigned`: the number was reported as permanently disconnected.
        Reassigned = "reassigned",
        /// `customer_reported`: you reported that you no longer own the number.
        CustomerReported = "customer_reported",
        /// `customer_removed`: you removed the number (`DELETE`; no event is sent for it).
        CustomerRemoved = "customer_removed",
    }
}

open_enum! {
    /// The review state of the enterprise's ownership proof for numbers hosted elsewhere
    /// (`external_verification_status` and `status`; the spec's `ExternalVerificationStatus`,
    /// and the subset the `number_reputation.external_verification.status_changed` event
    /// carries).
    VerificationStatus {
        /// `pending`: submitted, not reviewed yet (never sent in an event).
        Pending = "pending",
        /// `approved`: numbers hosted elsewhere may be added.
        Approved = "approved",
        /// `rejected`: see `rejection_reason`; submit again to replace the documents.
        Rejected = "rejected",
    }
}

open_enum! {
    /// Why the `number_reputation.number.flagged` event asks for confirmation (the spec's
    /// `ReputationFlagReason`; the phone-number record carries `flag_reason` as a plain string).
    FlagReason {
        /// `carrier_changed`: the number moved to a different carrier.
        CarrierChanged = "carrier_changed",
        /// `reverification_due`: the periodic ownership re-verification is due.
        ReverificationDue = "reverification_due",
    }
}

open_enum! {
    /// What an event of a number's ownership history records (`history[].event_type` of the
    /// ownership detail; the record types it as a string, and these are the values the October
    /// 2026 edition documents).
    OwnershipEventType {
        /// `added`: the number was put under tracking and its carrier recorded.
        Added = "added",
        /// `check`: a scheduled ownership check ran.
        Check = "check",
        /// `flag`: a check or a due re-verification opened an ownership question.
        Flag = "flag",
        /// `confirm`: the owner confirmed the number (a changed carrier became the baseline).
        Confirm = "confirm",
        /// `removed`: the number left tracking.
        Removed = "removed",
    }
}

open_enum! {
    /// How often Telnyx refreshes the stored reputation of an enterprise's numbers
    /// (`check_frequency`; the spec's `ReputationCheckFrequency`). Each scheduled refresh is a
    /// billable check per number.
    CheckFrequency {
        /// `business_daily`: every business day (the API's default).
        BusinessDaily = "business_daily",
        /// `daily`: every day.
        Daily = "daily",
        /// `weekly`: once a week.
        Weekly = "weekly",
        /// `biweekly`: every two weeks.
        Biweekly = "biweekly",
        /// `monthly`: once a month.
        Monthly = "monthly",
        /// `never`: no scheduled refresh; reputation is read only on demand.
        Never = "never",
    }
}

open_enum! {
    /// Where the review of an enterprise's Letter of Authorization stands (`loa_status`; the
    /// spec's `ReputationLoaStatusPublic`). `approved` is required, with an approved activation,
    /// before numbers can be added.
    LoaStatus {
        /// `pending`: submitted, not reviewed yet.
        Pending = "pending",
        /// `approved`: the letter was accepted.
        Approved = "approved",
        /// `rejected`: the letter was refused; sign and upload a new one.
        Rejected = "rejected",
    }
}

open_enum! {
    /// Where an enterprise's reputation activation stands (`status` of the settings; the spec's
    /// `ReputationStatus`).
    ReputationStatus {
        /// `pending`: waiting for vetting.
        Pending = "pending",
        /// `approved`: vetting approved it; numbers may be added (once the letter is approved).
        Approved = "approved",
        /// `deleted`: reputation was disabled for the enterprise.
        Deleted = "deleted",
        /// `rejected`: vetting refused it; see `rejection_reasons`.
        Rejected = "rejected",
    }
}

open_enum! {
    /// Where a remediation request stands (`status`; the spec's `RemediationStatus`).
    RemediationStatus {
        /// `pending`: received, not started.
        Pending = "pending",
        /// `in_progress`: being worked on.
        InProgress = "in_progress",
        /// `completed`: finished.
        Completed = "completed",
        /// `failed`: could not be completed.
        Failed = "failed",
        /// `cancelled`: withdrawn before it finished.
        Cancelled = "cancelled",
    }
}
